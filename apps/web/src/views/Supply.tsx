/** Supply chain: browse the trusted list; upload an SBOM and read the verdict with its reasons. */
import { useId, useState, type FormEvent } from 'react';
import { ApiError, request } from '../lib/api.js';
import { asList, pick, pickStr, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { DataTable, columnsOf } from '../components/DataTable.js';
import { Loadable, Panel, Unavailable } from '../components/States.js';
import { SUPPLY } from './endpoints.js';

const WHAT = 'supply';

function contentTypeOf(name: string, text: string): string {
  if (/\.xml$/i.test(name) || text.trimStart().startsWith('<')) return 'application/xml';
  if (/\.(spdx|txt)$/i.test(name) || /^SPDXVersion:/m.test(text)) return 'text/spdx';
  return 'application/json';
}

function SbomCheck() {
  const { t } = useI18n();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<Row | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    setError(null);
    const text = await file.text();
    try {
      setResult(await request<Row>(SUPPLY.check, { method: 'POST', body: text, headers: { 'content-type': contentTypeOf(file.name, text) } }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const vulns = result ? asList(pick(result, 'vulnerabilities', 'vulns', 'openVulnerabilities') ?? []) : [];
  const reasons = result ? (pick(result, 'reasons') as unknown[] | undefined) ?? [] : [];
  const unmet = result ? (pick(result, 'unmetCriteria', 'unmet') as unknown[] | undefined) ?? [] : [];
  return (
    <form className="form" onSubmit={submit}>
      <p className="muted">{t('supply.uploadIntro')}</p>
      <label htmlFor={id}>SBOM</label>
      <input id={id} type="file" accept=".json,.xml,.spdx,.txt" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <button type="submit" disabled={!file}>{t('supply.checkDo')}</button>
      {error && (error.unavailable ? <Unavailable what={WHAT} /> : <p role="alert" className="state state-error">{t('state.error', { message: error.message })}</p>)}
      {result && (
        <div role="status" data-testid="sbom-verdict">
          <p><strong>{t('supply.verdict')}:</strong> <span className="big">{pickStr(result, 'verdict', 'result', 'status')}</span></p>
          {reasons.length > 0 && <><h3>{t('supply.reasons')}</h3><ul>{reasons.map((r, i) => <li key={i}>{typeof r === 'string' ? r : JSON.stringify(r)}</li>)}</ul></>}
          {unmet.length > 0 && <><h3>{t('supply.unmet')}</h3><ul>{unmet.map((r, i) => <li key={i}>{typeof r === 'string' ? r : JSON.stringify(r)}</li>)}</ul></>}
          <DataTable caption={t('supply.vulns')} rows={vulns} columns={columnsOf(vulns, 6)} />
        </div>
      )}
    </form>
  );
}

export default function Supply() {
  const { t } = useI18n();
  const list = useApi<unknown>(`${SUPPLY.list}?limit=100`);
  return (
    <>
      <h1>{t('supply.title')}</h1>
      <div className="grid">
        <Panel title={t('supply.list')} id="list" wide>
          <Loadable loaded={list} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
            {(d) => <DataTable caption={t('supply.list')} rows={asList(d)} columns={columnsOf(asList(d), 8)} />}
          </Loadable>
        </Panel>
        <Panel title={t('supply.upload')} id="sbom"><SbomCheck /></Panel>
      </div>
    </>
  );
}
