/** Trust services: verify a file with its seal or time-stamp token; seal or time-stamp a file. */
import { useEffect, useId, useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { ApiError, authHeaders, errorFrom, request } from '../lib/api.js';
import { pick, pickStr, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { timeStampRequest, timeStampStatus } from '../lib/rfc3161.js';
import { Loading, Panel, Unavailable } from '../components/States.js';
import { hasRoute, openApi } from '../lib/openapi.js';
import { TRUST } from './endpoints.js';

const SIGNATURE_EXT = /\.(p7s|p7m|tsr|tst|jws|sig|seal|json)$/i;

export async function toBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function yesNo(v: unknown, t: (k: 'trust.yes' | 'trust.no') => string): string {
  return v === true ? t('trust.yes') : v === false ? t('trust.no') : '—';
}

/** Proven time first (the seal's or token's time stamp), else the signer's claim, said as such. */
function when(result: Row, date: ReturnType<typeof useI18n>['date'], t: ReturnType<typeof useI18n>['t']): string {
  const stamp = result.timeStamp as Row | undefined;
  const proven = (stamp && pickStr(stamp, 'genTime')) || pickStr(result, 'genTime');
  if (proven) return date(proven);
  const claimed = pickStr(result, 'claimedSigningTime');
  return claimed ? t('trust.claimed', { time: date(claimed) }) : '—';
}

function Verify() {
  const { t, date } = useI18n();
  const ids = { doc: useId(), sig: useId() };
  const [doc, setDoc] = useState<File | null>(null);
  const [sig, setSig] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [result, setResult] = useState<Row | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    for (const f of Array.from(e.dataTransfer.files)) (SIGNATURE_EXT.test(f.name) ? setSig : setDoc)(f);
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    if (!doc || !sig) return;
    setResult(null);
    setError(null);
    try {
      setResult(await request<Row>(TRUST.verify, { method: 'POST', body: { document: await toBase64(doc), signature: await toBase64(sig), documentName: doc.name, signatureName: sig.name } }));
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const valid = result ? pick(result, 'valid', 'ok') === true : null;
  return (
    <form className="form" onSubmit={verify} data-testid="verify-form">
      <p>{t('trust.verifyIntro')}</p>
      <div className={over ? 'drop over' : 'drop'} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        {t('trust.drop')}
      </div>
      <label htmlFor={ids.doc}>{t('trust.document')}</label>
      <input id={ids.doc} type="file" name="document" onChange={(e) => setDoc(e.target.files?.[0] ?? null)} />
      {doc && <span className="muted">{doc.name}</span>}
      <label htmlFor={ids.sig}>{t('trust.signature')}</label>
      <input id={ids.sig} type="file" name="signature" onChange={(e) => setSig(e.target.files?.[0] ?? null)} />
      {sig && <span className="muted">{sig.name}</span>}
      <button type="submit" disabled={!doc || !sig}>{t('trust.verifyDo')}</button>
      {error && (error.unavailable ? <Unavailable what="trust" /> : <p role="alert" className="state state-error">{t('state.error', { message: error.message })}</p>)}
      {result && (
        <div role="status" data-testid="verify-result">
          <p className={valid ? 'ok' : 'bad'}>{t('trust.result')}: {valid ? t('trust.valid') : t('trust.invalid')}</p>
          <dl>
            <dt>{t('trust.kind')}</dt><dd data-testid="verify-kind">{pickStr(result, 'kind') || '—'}</dd>
            <dt>{t('trust.sealedBy')}</dt><dd>{pickStr(result, 'sealedBy', 'tsa') || '—'}</dd>
            <dt>{t('trust.when')}</dt><dd>{when(result, date, t)}</dd>
            <dt>{t('trust.unchanged')}</dt><dd>{yesNo(pick(result, 'contentUnchanged', 'digestMatches', 'intact'), t)}</dd>
            <dt>{t('trust.chain')}</dt><dd>{yesNo(pick(result, 'chainTrusted', 'trusted', 'chainValid'), t)}</dd>
          </dl>
          {Array.isArray(result.reasons) && <ul>{(result.reasons as unknown[]).map((r, i) => <li key={i}>{String(r)}</li>)}</ul>}
        </div>
      )}
    </form>
  );
}

function SealOrStamp({ kind }: { kind: 'seal' | 'stamp' }) {
  const { t } = useI18n();
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setMessage(null);
    try {
      if (kind === 'seal') {
        const answer = await request<Row>(TRUST.seal, { method: 'POST', body: { document: await toBase64(file), name: file.name } });
        const b64 = pickStr(answer, 'signature', 'seal', 'cms');
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        download(`${file.name}.p7s`, bytes, 'application/pkcs7-signature');
        setMessage({ ok: true, text: `${file.name}.p7s` });
      } else {
        // RFC 3161 over HTTP, the same request `openssl ts -query -sha256 -cert` sends.
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
        const query = timeStampRequest(digest, crypto.getRandomValues(new Uint8Array(8)));
        const res = await fetch(TRUST.tsa, { method: 'POST', headers: { 'content-type': 'application/timestamp-query', ...authHeaders() }, body: query });
        // A refusal is itself a TimeStampResp (RFC 3161 §2.4.2), not JSON: read its status.
        const isReply = (res.headers.get('content-type') ?? '').startsWith('application/timestamp-reply');
        if (!res.ok && !isReply) throw await errorFrom(res);
        const reply = new Uint8Array(await res.arrayBuffer());
        const status = timeStampStatus(reply);
        if (status !== 0 && status !== 1) throw new ApiError(res.status, 'MAMORI_WEB_TSA', t('trust.rejected', { status: status ?? '?' }));
        download(`${file.name}.tsr`, reply, 'application/timestamp-reply');
        setMessage({ ok: true, text: t('trust.stamped', { name: `${file.name}.tsr`, bytes: reply.length }) });
      }
    } catch (err) {
      if (err instanceof ApiError && err.unavailable) setUnavailable(true);
      else setMessage({ ok: false, text: t('state.error', { message: (err as Error).message }) });
    }
  };
  return (
    <form className="form" onSubmit={run} data-testid={`${kind}-form`}>
      {kind === 'stamp' && <p className="muted">{t('trust.stampIntro')}</p>}
      <label htmlFor={id}>{t('common.file')}</label>
      <input id={id} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <button type="submit" disabled={!file}>{t(kind === 'seal' ? 'trust.sealDo' : 'trust.stampDo')}</button>
      {unavailable && <Unavailable what={kind === 'seal' ? 'trust (e-seal)' : 'trust (TSA)'} />}
      {message && <p role="status" className={message.ok ? 'ok' : 'state state-error'} data-testid={`${kind}-result`}>{message.text}</p>}
    </form>
  );
}

/** Shows a trust service's form only where the server has its route (from its OpenAPI document). */
function IfRoute({ path, what, children }: { path: string; what: string; children: ReactNode }) {
  const [present, setPresent] = useState<boolean | null>(null);
  useEffect(() => { openApi().then((doc) => setPresent(hasRoute(doc, 'post', path))); }, [path]);
  if (present === null) return <Loading />;
  return present ? <>{children}</> : <Unavailable what={what} />;
}

export default function Trust() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('trust.title')}</h1>
      <div className="grid">
        <Panel title={t('trust.verify')} id="verify" wide><IfRoute path={TRUST.verify} what="trust (verify)"><Verify /></IfRoute></Panel>
        <Panel title={t('trust.seal')} id="seal"><IfRoute path={TRUST.seal} what="trust (e-seal)"><SealOrStamp kind="seal" /></IfRoute></Panel>
        <Panel title={t('trust.stamp')} id="stamp"><IfRoute path={TRUST.tsa} what="trust (TSA)"><SealOrStamp kind="stamp" /></IfRoute></Panel>
      </div>
    </>
  );
}
