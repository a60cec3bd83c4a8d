/**
 * JAdES baseline LT and LTA (ETSI TS 119 182-1 §5.3, levels B-LT and B-LTA) for mamori's JSON
 * e-seals: a level-T JWS is augmented, in its unprotected `etsiU` header, with the validation
 * data a verifier needs years later without asking anyone — `xVals` (the certificates of the
 * sealing and TSA chains) and `rVals` (CRLs and OCSP responses) — and, for LTA, an `arcTst`
 * archive time stamp over the signature and everything before it in `etsiU`.
 *
 * Augmenting re-encodes every etsiU member as base64url JSON (TS 119 182-1 allows either form,
 * one per signature), so the archive time stamp covers exact bytes: SHA-256 over the ASCII of
 * `payload.protected.signature` followed by each earlier etsiU member string. Not checked
 * against a third-party JAdES validator (none available offline here).
 */
import { createHash } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { parseCertificate, type Certificate } from '../pki/certificate.js';
import { parseCrl, type Crl } from '../pki/crl.js';
import { parseOcspResponse, type OcspResponse } from '../ocsp/response.js';
import { readTimeStampToken } from '../tsp/verify.js';
import type { TimeStamper } from '../tsp/client.js';
import type { JwsFlattened } from './jades.js';

export type JadesLevel = 'B' | 'T' | 'LT' | 'LTA';

/** Revocation data for the given certificates (sealing and TSA chains, leaf first). */
export type ValidationDataSource = (certificates: Certificate[]) => Promise<{ crls: Crl[]; ocsp: OcspResponse[] }>;

export interface UnsignedProperties {
  sigTst: Uint8Array[];
  certificates: Certificate[];
  crls: Crl[];
  ocsp: OcspResponse[];
  /** Archive time stamps with the imprint each must match. */
  archive: { token: Uint8Array; imprint: Buffer }[];
  level: JadesLevel;
}

const b64u = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const member = (obj: unknown): string => b64u(JSON.stringify(obj));
const bad = (reason: string, field = 'etsiU'): MamoriError => new MamoriError('MAMORI_TRUST_INPUT', { reason, field });

function decode(raw: unknown, i: number): Record<string, any> {
  if (typeof raw !== 'string') return raw as Record<string, any>;
  try {
    return JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('etsiU member is neither JSON nor base64url JSON', `etsiU[${i}]`);
  }
}

const vals = (list: unknown, field: string): Buffer[] => {
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > 64) throw bad(`${field} is not a list (of at most 64)`, field);
  return list.map((v: any) => {
    const val = typeof v?.val === 'string' ? v.val : v?.x509Cert?.val;
    if (typeof val !== 'string') throw bad(`${field} entry without val`, field);
    return Buffer.from(val, 'base64');
  });
};

const archiveInput = (jws: JwsFlattened, before: unknown[]): Buffer => {
  const h = createHash('sha256').update(`${jws.payload}.${jws.protected}.${jws.signature}`, 'ascii');
  for (const m of before) {
    if (typeof m !== 'string') throw bad('an archive time stamp covers base64url etsiU members only');
    h.update(m, 'ascii');
  }
  return h.digest();
};

/** Reads the etsiU members mamori understands (either form); faults are MAMORI_TRUST_INPUT/DER naming the member. */
export function readUnsigned(jws: JwsFlattened): UnsignedProperties {
  const etsiU = jws.header?.etsiU;
  const out: UnsignedProperties = { sigTst: [], certificates: [], crls: [], ocsp: [], archive: [], level: 'B' };
  if (etsiU === undefined) return out;
  if (!Array.isArray(etsiU) || etsiU.length > 64) throw bad('etsiU is not an array (of at most 64 members)');
  etsiU.forEach((raw, i) => {
    const item = decode(raw, i);
    if (item?.sigTst) out.sigTst.push(...vals(item.sigTst.tstTokens, 'sigTst.tstTokens'));
    if (item?.xVals) out.certificates.push(...vals(item.xVals, 'xVals').map((d) => parseCertificate(d)));
    if (item?.rVals) {
      out.crls.push(...vals(item.rVals.crlVals, 'rVals.crlVals').map((d) => parseCrl(d)));
      out.ocsp.push(...vals(item.rVals.ocspVals, 'rVals.ocspVals').map((d) => parseOcspResponse(d)));
    }
    if (item?.arcTst) for (const token of vals(item.arcTst.tstTokens, 'arcTst.tstTokens')) out.archive.push({ token, imprint: archiveInput(jws, etsiU.slice(0, i)) });
  });
  out.level = out.archive.length ? 'LTA' : out.certificates.length || out.crls.length || out.ocsp.length ? 'LT' : out.sigTst.length ? 'T' : 'B';
  return out;
}

function chainOf(jws: JwsFlattened): Certificate[] {
  const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as { x5c?: string[] };
  return (header.x5c ?? []).map((c) => parseCertificate(Buffer.from(c, 'base64')));
}

/** Level T → LT: adds xVals (certificates not in x5c) and rVals (CRLs, OCSP responses) from `source`. */
export async function addValidationData(jws: JwsFlattened, source: ValidationDataSource, extraCertificates: Certificate[] = []): Promise<JwsFlattened> {
  const unsigned = readUnsigned(jws);
  if (unsigned.sigTst.length === 0) throw new MamoriError('MAMORI_USAGE', { reason: 'LT needs a level-T seal (a signature time stamp) to augment' });
  const x5c = chainOf(jws);
  const tsaCerts = unsigned.sigTst.flatMap((t) => readTimeStampToken(t).certificates);
  const seen = new Set(x5c.map((c) => c.fingerprint256));
  const xVals: Certificate[] = [];
  for (const c of [...tsaCerts, ...extraCertificates]) {
    if (seen.has(c.fingerprint256)) continue;
    seen.add(c.fingerprint256);
    xVals.push(c);
  }
  const data = await source([...x5c, ...xVals]);
  const etsiU = (jws.header?.etsiU ?? []).map((m) => (typeof m === 'string' ? m : member(m)));
  etsiU.push(member({ xVals: xVals.map((c) => ({ x509Cert: { val: c.der.toString('base64') } })) }));
  etsiU.push(member({ rVals: { crlVals: data.crls.map((c) => ({ val: c.der.toString('base64') })), ocspVals: data.ocsp.map((o) => ({ val: o.der.toString('base64') })) } }));
  return { ...jws, header: { ...jws.header, etsiU } };
}

/** LT → LTA: an archive time stamp over the signature and every etsiU member so far. */
export async function addArchiveTimeStamp(jws: JwsFlattened, timeStamper: TimeStamper): Promise<JwsFlattened> {
  const etsiU = (jws.header?.etsiU ?? []).map((m) => (typeof m === 'string' ? m : member(m)));
  const token = await timeStamper(archiveInput(jws, etsiU), 'sha256');
  etsiU.push(member({ arcTst: { tstTokens: [{ val: Buffer.from(token).toString('base64') }] } }));
  return { ...jws, header: { ...jws.header, etsiU } };
}
