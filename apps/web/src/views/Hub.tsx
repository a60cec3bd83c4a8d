/** Sharing: the organisation's feed, report submission (severity, TLP), relay by secretariats, TAXII collections. */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, request } from '../lib/api.js';
import { asList, pick, pickStr, type Row } from '../lib/data.js';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { SECTORS, TLP_LEVELS, TLP_TEXT, sectorLabel, severityLabel } from '../lib/terms.js';
import { classify, stateOf, useApi, type Loaded } from '../lib/use-api.js';
import { SeverityBadge, TlpBadge } from '../components/Badges.js';
import { DataTable } from '../components/DataTable.js';
import { Chart } from '../components/Chart.js';
import { barOption } from '../components/charts.js';
import { Loadable, Panel } from '../components/States.js';
import { HUB } from './endpoints.js';

const WHAT = 'hub';
const CAUSES = ['cyber-attack', 'failure', 'disaster', 'other'] as const;
const SEVERITY_SCALE = [0, 1, 2, 3, 4, 5] as const;
const TAXII = 'application/taxii+json;version=2.1';

interface SeverityLevel { level: number; name: string; nameJa: string; criteria: string }
interface Report { id: string; title: string; description?: string; sector: string; severity: number; tlp: string; status: string; route: string; submittedAt: number | null; createdAt: number; updatedAt: number; anonymised?: boolean }

function ReportForm({ onSubmitted }: { onSubmitted(): void }) {
  const { t, lang } = useI18n();
  const id = useId();
  const scale = useApi<SeverityLevel[]>(HUB.severity);
  const [severity, setSeverity] = useState('2');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const service = String(form.get('service') ?? '').trim();
    const body = {
      title: String(form.get('title')),
      description: String(form.get('description')),
      sector: String(form.get('sector')),
      ...(service ? { affectedService: service } : {}),
      cause: String(form.get('cause')),
      severity: Number(form.get('severity')),
      tlp: String(form.get('tlp')),
      route: String(form.get('route')),
      submit: true,
    };
    setBusy(true);
    setMessage(null);
    try {
      const created = await request<Report>(HUB.reports, { method: 'POST', body });
      setMessage({ ok: true, text: t('hub.submitted', { id: created.id }) });
      formEl.reset();
      onSubmitted();
    } catch (err) {
      const apiErr = err as ApiError;
      setMessage({ ok: false, text: apiErr.unavailable ? t('state.unavailable', { what: WHAT }) : t('state.error', { message: apiErr.message }) });
    } finally {
      setBusy(false);
    }
  };
  const field = (name: string) => `${id}-${name}`;
  const levels = scale.state === 'ready' ? scale.data : SEVERITY_SCALE.map((n) => ({ level: n, name: severityLabel(n, 'en'), nameJa: severityLabel(n, 'ja'), criteria: '' }));
  const chosen = levels.find((l) => String(l.level) === severity);
  return (
    <form className="form" onSubmit={submit} data-testid="report-form">
      <label htmlFor={field('title')}>{t('hub.reportTitle')}</label>
      <input id={field('title')} name="title" required maxLength={300} />
      <label htmlFor={field('description')}>{t('hub.summary')}</label>
      <textarea id={field('description')} name="description" required maxLength={20000} />
      <label htmlFor={field('sector')}>{t('hub.sector')}</label>
      <select id={field('sector')} name="sector" required>
        {SECTORS.map((s) => <option key={s.id} value={s.id}>{s[lang]}</option>)}
      </select>
      <label htmlFor={field('service')}>{t('hub.service')}</label>
      <input id={field('service')} name="service" required maxLength={200} />
      <label htmlFor={field('cause')}>{t('hub.cause')}</label>
      <select id={field('cause')} name="cause">
        {CAUSES.map((c) => <option key={c} value={c}>{t(`hub.cause.${c}` as MessageKey)}</option>)}
      </select>
      <label htmlFor={field('severity')}>{t('hub.severity')}</label>
      <select id={field('severity')} name="severity" value={severity} onChange={(e) => setSeverity(e.target.value)} aria-describedby={field('criteria')}>
        {levels.map((l) => <option key={l.level} value={l.level}>{lang === 'ja' ? `レベル${l.level}（${l.nameJa}）` : `Level ${l.level} (${l.name})`}</option>)}
      </select>
      <p id={field('criteria')} className="muted">{chosen?.criteria}</p>
      <label htmlFor={field('tlp')}>{t('hub.tlp')}</label>
      <select id={field('tlp')} name="tlp" defaultValue="AMBER">
        {TLP_LEVELS.map((l) => <option key={l} value={l}>TLP:{l} — {TLP_TEXT[l][lang]}</option>)}
      </select>
      <fieldset>
        <legend>{t('hub.route')}</legend>
        <label><input type="radio" name="route" value="coordinator" defaultChecked /> {t('hub.route.direct')}</label><br />
        <label><input type="radio" name="route" value="secretariat" /> {t('hub.route.secretariat')}</label>
      </fieldset>
      <button type="submit" disabled={busy}>{t('common.submit')}</button>
      {message && <p role="status" className={message.ok ? 'ok' : 'state state-error'} data-testid="report-result">{message.text}</p>}
    </form>
  );
}

function Feed({ version }: { version: number }) {
  const { t, lang, date } = useI18n();
  const loaded = useApi<{ items: Report[]; next: string | null }>(`${HUB.reports}?limit=50&v=${version}`);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.items.length === 0}>
      {(d) => (
        <DataTable caption={t('hub.feed')} rows={d.items as unknown as Row[]} rowKey={(r) => String(r.id)} columns={[
          { key: 'time', label: t('common.time'), render: (r) => date((r.submittedAt ?? r.createdAt) as number) },
          { key: 'title', label: t('hub.reportTitle'), render: (r) => <>{String(r.title)}{r.anonymised ? <span className="muted"> ({t('hub.anonymised')})</span> : null}</> },
          { key: 'sector', label: t('hub.sector'), render: (r) => sectorLabel(String(r.sector), lang) },
          { key: 'severity', label: t('hub.severity'), render: (r) => <SeverityBadge value={r.severity as number} /> },
          { key: 'tlp', label: 'TLP', render: (r) => <TlpBadge value={String(r.tlp)} /> },
          { key: 'status', label: t('common.status'), render: (r) => t(`hub.status.${String(r.status)}` as MessageKey) },
        ]} />
      )}
    </Loadable>
  );
}

/** A secretariat reviews a report sent through it, edits what must not travel, and relays it anonymised. */
function RelayForm({ report, onDone }: { report: Report; onDone(text: string): void }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const sectors = form.getAll('to').map(String);
    try {
      await request(HUB.relay(report.id), { method: 'POST', body: { reviewed: form.get('reviewed') === 'on', anonymise: true, title: String(form.get('title')), description: String(form.get('description')), to: sectors.length ? { sectors } : {} } });
      onDone(t('hub.relayed'));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`${t('hub.relayDo')}: ${report.title}`}>
      <label htmlFor={`${id}-t`}>{t('hub.reportTitle')}</label>
      <input id={`${id}-t`} name="title" defaultValue={report.title} required />
      <label htmlFor={`${id}-d`}>{t('hub.summary')}</label>
      <textarea id={`${id}-d`} name="description" defaultValue={report.description ?? ''} required />
      <label htmlFor={`${id}-s`}>{t('hub.relayTo')}</label>
      <select id={`${id}-s`} name="to" multiple size={5} defaultValue={[report.sector]}>
        {SECTORS.map((s) => <option key={s.id} value={s.id}>{s[lang]}</option>)}
      </select>
      <label><input type="checkbox" name="reviewed" required /> {t('hub.reviewed')}</label>
      <button type="submit">{t('hub.relayDo')}</button>
      {error && <p role="alert" className="state state-error">{error}</p>}
    </form>
  );
}

function Relay({ version, onRelayed }: { version: number; onRelayed(): void }) {
  const { t, lang } = useI18n();
  const loaded = useApi<{ items: Report[] }>(`${HUB.reports}?status=submitted&limit=50&v=${version}`);
  const [open, setOpen] = useState<string | null>(null);
  // Kept outside the list: a relayed report leaves the list (its status changes), the notice stays.
  const [notice, setNotice] = useState<string | null>(null);
  const waiting = (d: { items: Report[] }) => d.items.filter((r) => r.route === 'secretariat');
  return (
    <>
      {notice && <p role="status" className="ok" data-testid="relay-result">{notice}</p>}
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => waiting(d).length === 0}>
        {(d) => (
          <>
            <DataTable caption={t('hub.relay')} rows={waiting(d) as unknown as Row[]} rowKey={(r) => String(r.id)} columns={[
              { key: 'title', label: t('hub.reportTitle') },
              { key: 'sector', label: t('hub.sector'), render: (r) => sectorLabel(String(r.sector), lang) },
              { key: 'tlp', label: 'TLP', render: (r) => <TlpBadge value={String(r.tlp)} /> },
              { key: 'relay', label: t('hub.relay'), render: (r) => (
                <button type="button" onClick={() => setOpen(String(r.id))} aria-expanded={open === r.id}>{t('hub.review')}<span className="visually-hidden"> {String(r.title)}</span></button>
              ) },
            ]} />
            {open && (() => {
              const report = d.items.find((r) => r.id === open);
              return report ? <RelayForm report={report} onDone={(text) => { setNotice(`${text} ${report.title}`); setOpen(null); onRelayed(); }} /> : null;
            })()}
          </>
        )}
      </Loadable>
    </>
  );
}

function Counts({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const loaded = useApi<{ total: number; bySector: Record<string, number>; bySeverity: Record<string, number>; byTlp: Record<string, number> }>(`${HUB.dashboard}?days=180&v=${version}`);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.total === 0}>
      {(d) => {
        const sectors = Object.entries(d.bySector).sort((a, b) => b[1] - a[1]);
        return (
          <div className="grid">
            <Chart title={t('hub.bySector')} option={barOption(sectors.map(([k]) => sectorLabel(k, lang)), sectors.map(([, v]) => v), { horizontal: true, name: t('common.count') })} height={Math.max(160, 40 + sectors.length * 26)} />
            <Chart title={t('hub.bySeverity')} option={barOption([0, 1, 2, 3, 4, 5].map((n) => severityLabel(n, lang)), [0, 1, 2, 3, 4, 5].map((n) => d.bySeverity[n] ?? 0), { name: t('common.count') })} height={220} />
          </div>
        );
      }}
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
        <Panel title={t('hub.counts')} id="counts" wide><Counts version={version} /></Panel>
        <Panel title={t('hub.submit')} id="submit"><ReportForm onSubmitted={bump} /></Panel>
        <Panel title={t('hub.relay')} id="relay"><Relay version={version} onRelayed={bump} /></Panel>
        <Panel title={t('hub.taxii')} id="taxii" wide><TaxiiCollections /></Panel>
      </div>
    </>
  );
}
