/** What this server has: health, and which parts' APIs are installed (from its OpenAPI document). */
import { useEffect, useState } from 'react';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { hasPrefix, openApi, type OpenApiDoc } from '../lib/openapi.js';
import { Link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';
import { EmptyDemo, Loading, Panel } from '../components/States.js';
import { DemoOffer } from '../components/Demo.js';
import { FLOWS, HEALTH, HUB, SUPPLY, SURVEY, TELESCOPE, TRUST } from './endpoints.js';

const PARTS: { prefix: string; label: MessageKey; href: string }[] = [
  { prefix: TELESCOPE.prefix, label: 'nav.telescope', href: '/telescope' },
  { prefix: SURVEY.prefix, label: 'nav.survey', href: '/survey' },
  { prefix: FLOWS.prefix, label: 'nav.flows', href: '/flows' },
  { prefix: HUB.prefix, label: 'nav.hub', href: '/hub' },
  { prefix: TRUST.prefix, label: 'nav.trust', href: '/trust' },
  { prefix: SUPPLY.prefix, label: 'nav.supply', href: '/supply' },
];

export default function Overview() {
  const { t } = useI18n();
  const [doc, setDoc] = useState<OpenApiDoc | null>(null);
  const ready = useApi<{ ok: boolean }>(HEALTH.ready);
  useEffect(() => { openApi().then(setDoc); }, []);
  const installed = doc ? PARTS.filter((p) => hasPrefix(doc, p.prefix)) : [];

  return (
    <>
      <h1>{t('overview.title')}</h1>
      <p className="intro">{t('overview.intro')}</p>
      <div className="grid">
        <DemoOffer />
        <Panel title={t('overview.parts')} id="parts">
          {!doc ? <Loading /> : (
            <ul className="parts">
              {PARTS.map((p) => {
                const ok = installed.includes(p);
                return (
                  <li key={p.prefix} data-part={p.prefix} data-installed={ok}>
                    <Link href={p.href}>{t(p.label)}</Link>
                    <br />
                    <span className={ok ? 'ok' : 'muted'}>{ok ? t('overview.available') : t('overview.notInstalled')}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </Panel>
        <Panel title={t('overview.health')} id="health">
          {ready.state === 'loading' ? <Loading /> : (
            <p className={ready.state === 'ready' && ready.data.ok ? 'ok' : 'bad'}>
              {ready.state === 'ready' && ready.data.ok ? t('overview.ready') : t('overview.notReady')}
            </p>
          )}
          {doc && installed.length === 0 && <EmptyDemo />}
        </Panel>
      </div>
    </>
  );
}
