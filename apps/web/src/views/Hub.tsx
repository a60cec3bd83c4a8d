/** Sharing: the organisation's feed, report submission (severity, TLP), relay by secretariats, TAXII collections. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, request } from '../lib/api.js';
import { asList, pick, pickStr, toMs, type Row } from '../lib/data.js';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { SECTORS, TLP_LEVELS, sectorLabel } from '../lib/terms.js';
import { classify, stateOf, useApi, type Loaded } from '../lib/use-api.js';
import { SeverityBadge, TlpBadge } from '../components/Badges.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { HUB } from './endpoints.js';

const WHAT = 'hub';
const CAUSES = ['cyber-attack', 'failure', 'disaster', 'other'] as const;
export const SEVERITY_SCALE = [0, 1, 2, 3, 4, 5] as const;
const TAXII = 'application/taxii+json;version=2.1';

function ReportForm({ onSubmitted }: { onSubmitted(): void }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = {
      title: String(form.get('title')),
      summary: String(form.get('summary')),
      sector: String(form.get('sector')),
      service: String(form.get('service') || '') || undefined,
      cause: String(form.get('cause')),
      severity: Number(form.get('severity')),
      tlp: String(form.get('tlp')),
      route: String(form.get('route')),
    };
    setBusy(true);
    setMessage(null);
    try {
      const created = await request<Row>(HUB.reports, { method: 'POST', body });
      setMessage({ ok: true, text: t('hub.submitted', { id: pickStr(created ?? {}, 'id', 'reportId') || '—' }) });
      (e.target as HTMLFormElement).reset();
      onSubmitted();
    } catch (err) {
      const apiErr = err as ApiError;
      setMessage({ ok: false, text: apiErr.unavailable ? t('state.unavailable', { what: WHAT }) : t('state.error', { message: apiErr.message }) });
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string) => `${id}-${name}`;
  return (
    <form className="form" onSubmit={submit} data-testid="report-form">
      <label htmlFor={field('title')}>{t('hub.reportTitle')}</label>
      <input id={field('title')} name="title" required maxLength={200} />
      <label htmlFor={field('summary')}>{t('hub.summary')}</label>
      <textarea id={field('summary')} name="summary" required maxLength={20000} />
      <label htmlFor={field('sector')}>{t('hub.sector')}</label>
      <select id={field('sector')} name="sector" required>
        {SECTORS.map((s) => <option key={s.id} value={s.id}>{s[lang]}</option>)}
      </select>
      <label htmlFor={field('service')}>{t('hub.service')}</label>
      <input id={field('service')} name="service" maxLength={200} />
      <label htmlFor={field('cause')}>{t('hub.cause')}</label>
      <select id={field('cause')} name="cause">
        {CAUSES.map((c) => <option key={c} value={c}>{t(`hub.cause.${c}` as MessageKey)}</option>)}
      </select>
      <label htmlFor={field('severity')}>{t('hub.severity')}</label>
      <select id={field('severity')} name="severity" defaultValue="2">
        {SEVERITY_SCALE.map((n) => <option key={n} value={n}>{lang === 'ja' ? `レベル${n}` : `Level ${n}`}</option>)}
      </select>
      <label htmlFor={field('tlp')}>{t('hub.tlp')}</label>
      <select id={field('tlp')} name="tlp" defaultValue="AMBER">
        {TLP_LEVELS.map((l) => <option key={l} value={l}>TLP:{l}</option>)}
      </select>
      <fieldset>
        <legend>{t('hub.route')}</legend>
        <label><input type="radio" name="route" value="direct" defaultChecked /> {t('hub.route.direct')}</label><br />
        <label><input type="radio" name="route" value="secretariat" /> {t('hub.route.secretariat')}</label>
      </fieldset>
      <button type="submit" disabled={busy}>{t('common.submit')}</button>
      {message && <p role="status" className={message.ok ? 'ok' : 'state state-error'} data-testid="report-result">{message.text}</p>}
    </form>
  );
}

function Feed({ version }: { version: number }) {
  const { t, lang, date } = useI18n();
  const loaded = useApi<unknown>(`${HUB.feed}?limit=50&v=${version}`);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
      {(d) => (
        <DataTable caption={t('hub.feed')} rows={asList(d)} rowKey={(r, i) => pickStr(r, 'id') || String(i)} columns={[
          { key: 'time', label: t('common.time'), render: (r) => date(toMs(pick(r, 'submittedAt', 'createdAt', 'updatedAt', 'time'))) },
          { key: 'title', label: t('hub.reportTitle'), render: (r) => pickStr(r, 'title', 'name') },
          { key: 'sector', label: t('hub.sector'), render: (r) => sectorLabel(pickStr(r, 'sector', 'sectorId'), lang) },
          { key: 'severity', label: t('hub.severity'), render: (r) => <SeverityBadge value={pick(r, 'severity') as string | number | undefined} /> },
          { key: 'tlp', label: 'TLP', render: (r) => <TlpBadge value={pickStr(r, 'tlp')} /> },
          { key: 'status', label: t('common.status'), render: (r) => pickStr(r, 'status', 'state') },
        ]} />
      )}
    </Loadable>
  );
}

function Relay({ version, onRelayed }: { version: number; onRelayed(): void }) {
  const { t, lang } = useI18n();
  const loaded = useApi<unknown>(`${HUB.reports}?status=submitted&route=secretariat&limit=50&v=${version}`);
  const [done, setDone] = useState<Record<string, string>>({});
  const relay = async (id: string) => {
    try {
      await request(HUB.relay(id), { method: 'POST', body: { anonymise: true } });
      setDone((d) => ({ ...d, [id]: t('hub.relayed') }));
      onRelayed();
    } catch (err) {
      setDone((d) => ({ ...d, [id]: (err as Error).message }));
    }
  };
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
      {(d) => (
        <DataTable caption={t('hub.relay')} rows={asList(d)} columns={[
          { key: 'title', label: t('hub.reportTitle'), render: (r) => pickStr(r, 'title') },
          { key: 'sector', label: t('hub.sector'), render: (r) => sectorLabel(pickStr(r, 'sector'), lang) },
          { key: 'tlp', label: 'TLP', render: (r) => <TlpBadge value={pickStr(r, 'tlp')} /> },
          { key: 'relay', label: t('hub.relay'), render: (r) => {
            const id = pickStr(r, 'id');
            return done[id] ? <span role="status">{done[id]}</span> : <button type="button" onClick={() => relay(id)}>{t('hub.relayDo')}<span className="visually-hidden"> {pickStr(r, 'title')}</span></button>;
          } },
        ]} />
      )}
    </Loadable>
  );
}

/** TAXII: discovery → each API root's collections (with the TAXII media type, as the spec requires). */
async function loadCollections(signal: AbortSignal): Promise<Row[]> {
  const discovery = await request<Row>(HUB.taxiiDiscovery, { headers: { accept: TAXII }, signal });
  const roots = (pick(discovery, 'api_roots') as string[] | undefined) ?? [];
  const rows: Row[] = [];
  for (const root of roots.slice(0, 5)) {
    const base = new URL(root, location.origin).pathname.replace(/\/?$/, '/');
    const cols = await request<Row>(`${base}collections/`, { headers: { accept: TAXII }, signal });
    for (const c of asList(cols, 'collections')) rows.push({ root: base, ...c });
  }
  return rows;
}

function TaxiiCollections() {
  const { t } = useI18n();
  const [loaded, setLoaded] = useState<Loaded<Row[]>>({ state: 'loading' });
  useEffect(() => {
    const ctrl = new AbortController();
    loadCollections(ctrl.signal).then(
      (data) => setLoaded({ state: 'ready', data }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        const error = classify(e);
        setLoaded({ state: stateOf(error), error });
      },
    );
    return () => ctrl.abort();
  }, []);
  return (
    <Loadable<Row[]> loaded={loaded} what="TAXII 2.1" isEmpty={(d) => d.length === 0}>
      {(d) => (
        <DataTable caption={t('hub.taxii')} rows={d} columns={[
          { key: 'title', label: t('common.name'), render: (r) => pickStr(r, 'title') },
          { key: 'id', label: 'ID', render: (r) => <code>{pickStr(r, 'id')}</code> },
          { key: 'root', label: 'API root', render: (r) => pickStr(r, 'root') },
          { key: 'rw', label: `${t('hub.canRead')} / ${t('hub.canWrite')}`, render: (r) => `${r.can_read ? t('hub.canRead') : '—'} / ${r.can_write ? t('hub.canWrite') : '—'}` },
        ]} />
      )}
    </Loadable>
  );
}

export default function Hub() {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  return (
    <>
      <h1>{t('hub.title')}</h1>
      <div className="grid">
        <Panel title={t('hub.feed')} id="feed" wide><Feed version={version} /></Panel>
        <Panel title={t('hub.submit')} id="submit"><ReportForm onSubmitted={bump} /></Panel>
        <Panel title={t('hub.relay')} id="relay"><Relay version={version} onRelayed={bump} /></Panel>
        <Panel title={t('hub.taxii')} id="taxii" wide><TaxiiCollections /></Panel>
      </div>
    </>
  );
}
