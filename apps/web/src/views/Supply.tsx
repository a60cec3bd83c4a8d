/**
 * Supply-chain trust over /api/supply: browse the trusted list of products and services;
 * upload a candidate's SBOM (and name it) for the procurement check: listed or not, open
 * vulnerabilities, unmet criteria, and the verdict with its reasons.
 */
import { useId, useState, type FormEvent } from 'react';
import { ApiError, request } from '../lib/api.js';
import type { Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel, Unavailable } from '../components/States.js';
import { SUPPLY } from './endpoints.js';

const WHAT = 'supply';

interface Product { id: string; kind: string; manufacturer: string; model: string; versions: string[]; assessor: string; criteriaMet: string[]; assessedAt: number; expiresAt: number; status: string }
interface VulnMatch { id: string; summary?: string; severity?: { rating?: string; score?: number }; name: string; version: string; fixed: string[]; path: string[] }
interface CheckResult { verdict: 'pass' | 'caution' | 'fail'; listed: boolean; product?: Product; openVulns: VulnMatch[]; unmetCriteria: { id: string; title: string }[]; reasons: string[] }

/** The body of a check: JSON SBOMs go as objects, XML and tag-value as text (the route takes both). */
export function checkBody(sbomText: string | null, manufacturer: string, model: string): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (manufacturer.trim() && model.trim()) { body.manufacturer = manufacturer.trim(); body.model = model.trim(); }
  if (sbomText !== null) {
    const trimmed = sbomText.trimStart();
    if (trimmed.startsWith('{')) {
      try { body.sbom = JSON.parse(sbomText); } catch { body.sbom = sbomText; }
    } else body.sbom = sbomText;
  }
  return body;
}

function Check() {
  const { t } = useI18n();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<CheckResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setResult(null);
    setError(null);
    setBusy(true);
    try {
      const body = checkBody(file ? await file.text() : null, String(form.get('manufacturer') ?? ''), String(form.get('model') ?? ''));
      setResult(await request<CheckResult>(SUPPLY.check, { method: 'POST', body }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form" onSubmit={submit} data-testid="sbom-form">
      <p className="muted">{t('supply.uploadIntro')}</p>
      <label htmlFor={`${id}-f`}>SBOM</label>
      <input id={`${id}-f`} type="file" accept=".json,.xml,.spdx,.txt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <label htmlFor={`${id}-m`}>{t('supply.manufacturer')}</label>
      <input id={`${id}-m`} name="manufacturer" maxLength={200} />
      <label htmlFor={`${id}-o`}>{t('supply.model')}</label>
      <input id={`${id}-o`} name="model" maxLength={200} />
      <button type="submit" disabled={busy}>{t('supply.checkDo')}</button>
      {error && (error.unavailable ? <Unavailable what={WHAT} /> : <p role="alert" className="state state-error">{t('state.error', { message: error.message })}</p>)}
      {result && (
        <div role="status" data-testid="sbom-verdict">
          <p><strong>{t('supply.verdict')}:</strong> <span className={`big verdict-${result.verdict}`}>{t(`supply.verdict.${result.verdict}`)}</span> · {result.listed ? t('supply.listed') : t('supply.notListed')}</p>
          {result.reasons.length > 0 && <><h3>{t('supply.reasons')}</h3><ul>{result.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul></>}
          {result.unmetCriteria.length > 0 && <><h3>{t('supply.unmet')}</h3><ul>{result.unmetCriteria.map((c) => <li key={c.id}>{c.title}</li>)}</ul></>}
          <DataTable caption={t('supply.vulns')} rows={result.openVulns as unknown as Row[]} columns={[
            { key: 'id', label: 'ID' },
            { key: 'component', label: t('supply.component'), render: (r) => `${String(r.name)}@${String(r.version)}` },
            { key: 'severity', label: t('hub.severity'), render: (r) => { const s = (r as unknown as VulnMatch).severity; return s ? `${s.rating ?? ''} ${s.score ?? ''}`.trim() : '—'; } },
            { key: 'fixed', label: t('supply.fixed'), render: (r) => (r.fixed as string[]).join(', ') || '—' },
            { key: 'path', label: t('supply.path'), render: (r) => (r.path as string[]).join(' → ') },
          ]} />
        </div>
      )}
    </form>
  );
}

export default function Supply() {
  const { t, date } = useI18n();
  const list = useApi<Product[]>(SUPPLY.products);
  return (
    <>
      <h1>{t('supply.title')}</h1>
      <div className="grid">
        <Panel title={t('supply.list')} id="list" wide>
          <Loadable loaded={list} what={WHAT} isEmpty={(d) => d.length === 0}>
            {(d) => (
              <DataTable caption={t('supply.list')} rows={d as unknown as Row[]} rowKey={(r) => String(r.id)} columns={[
                { key: 'manufacturer', label: t('supply.manufacturer') },
                { key: 'model', label: t('supply.model') },
                { key: 'kind', label: t('supply.kind') },
                { key: 'versions', label: t('supply.versions'), render: (r) => (r.versions as string[]).join(', ') },
                { key: 'status', label: t('common.status') },
                { key: 'assessor', label: t('supply.assessor') },
                { key: 'criteriaMet', label: t('supply.criteriaMet'), numeric: true, render: (r) => String((r.criteriaMet as string[]).length) },
                { key: 'expiresAt', label: t('supply.expires'), render: (r) => date(r.expiresAt as number) },
              ]} />
            )}
          </Loadable>
        </Panel>
        <Panel title={t('supply.upload')} id="sbom" wide><Check /></Panel>
      </div>
    </>
  );
}
