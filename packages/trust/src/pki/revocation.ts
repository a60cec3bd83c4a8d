/**
 * Revocation status along a validated path, from whatever the verifier has offline: CRLs
 * (the CA's file, `--crl`, or embedded in a JAdES LT seal) and OCSP responses (`--ocsp`, or
 * embedded). Each certificate is looked up in the data its issuer (or the issuer's delegated
 * OCSP responder) signed; data from anyone else is ignored. A certificate is "revoked" if any
 * source says so, "good" if a current source vouches for it, "unchecked" when nothing covers it.
 */
import type { Certificate } from './certificate.js';
import { crlSignedBy, type Crl } from './crl.js';
import { certIdOf, sameCert } from '../ocsp/cert-id.js';
import { ocspSignerFor, type OcspResponse } from '../ocsp/response.js';

export interface RevocationData {
  crls?: Crl[];
  ocsp?: OcspResponse[];
  /**
   * Data carried inside a signature (JAdES LT): it documents the status at signing time and is
   * not refused for being past its next update later on.
   */
  archived?: { crls?: Crl[]; ocsp?: OcspResponse[] };
}

export interface CertRevocation {
  subject: string;
  serial: bigint;
  status: 'good' | 'revoked' | 'unknown' | 'unchecked';
  source?: 'crl' | 'ocsp';
  revokedAt?: Date;
  reason?: string;
}

export interface RevocationResult {
  /** One per certificate of the path below the anchor, leaf first. */
  certificates: CertRevocation[];
  /** What makes the path invalid at `at`: revoked by then, stale data, an unknown certificate. */
  problems: string[];
}

const rank = { revoked: 3, good: 2, unknown: 1, unchecked: 0 } as const;

function statusOf(cert: Certificate, issuer: Certificate, data: RevocationData, now: Date, problems: string[]): CertRevocation {
  const archivedCrls = new Set(data.archived?.crls);
  const archivedOcsp = new Set(data.archived?.ocsp);
  let best: CertRevocation = { subject: cert.subject, serial: cert.serial, status: 'unchecked' };
  const consider = (c: CertRevocation): void => {
    const earlier = c.status === 'revoked' && best.status === 'revoked' && c.revokedAt! < best.revokedAt!;
    if (rank[c.status] > rank[best.status] || earlier) best = c;
  };
  for (const crl of [...(data.crls ?? []), ...archivedCrls]) {
    if (!crlSignedBy(crl, issuer)) continue;
    if (!archivedCrls.has(crl) && crl.nextUpdate && crl.nextUpdate < now) {
      problems.push(`the CRL of ${issuer.subject} is out of date (next update was due ${crl.nextUpdate.toISOString()})`);
      continue;
    }
    const entry = crl.revoked.get(cert.serial);
    consider(entry ? { ...best, status: 'revoked', source: 'crl', revokedAt: entry.revokedAt, reason: entry.reason } : { ...best, status: 'good', source: 'crl' });
  }
  for (const resp of [...(data.ocsp ?? []), ...archivedOcsp]) {
    if (resp.status !== 'successful' || !ocspSignerFor(resp, issuer).signer) continue;
    for (const single of resp.responses) {
      if (!single.certId.digest || !sameCert(single.certId, certIdOf(cert, issuer, single.certId.digest))) continue;
      if (!archivedOcsp.has(resp) && single.nextUpdate && single.nextUpdate < now) {
        problems.push(`the OCSP response for ${cert.subject} is out of date (next update was due ${single.nextUpdate.toISOString()})`);
        continue;
      }
      consider({ ...best, status: single.status, source: 'ocsp', revokedAt: single.revokedAt, reason: single.reason });
    }
  }
  return best;
}

/** Revocation of every certificate of `path` (leaf first, anchor last) as of `at` (signing time or now). */
export function checkRevocation(path: Certificate[], data: RevocationData, at: Date, now = new Date()): RevocationResult {
  const problems: string[] = [];
  const certificates: CertRevocation[] = [];
  for (let i = 0; i + 1 < path.length; i++) {
    const s = statusOf(path[i], path[i + 1], data, now, problems);
    certificates.push(s);
    if (s.status === 'revoked' && s.revokedAt! <= at) {
      problems.push(`${s.subject}: revoked at ${s.revokedAt!.toISOString()}${s.reason ? ` (${s.reason})` : ''}`);
    } else if (s.status === 'unknown') {
      problems.push(`${s.subject}: the OCSP responder of its CA does not know this certificate`);
    }
  }
  return { certificates, problems };
}

/** Readable summary of the leaf's status for verdicts. */
export function describeRevocation(r: CertRevocation | undefined, at: Date, proof?: string): string {
  if (!r || r.status === 'unchecked') return 'not checked (no CRL or OCSP response from its CA)';
  if (r.status === 'good') return `not revoked (${r.source === 'ocsp' ? 'OCSP' : 'CRL'})`;
  if (r.status === 'unknown') return 'unknown to the OCSP responder';
  const when = `revoked at ${r.revokedAt!.toISOString()}${r.reason ? ` (${r.reason})` : ''}`;
  return r.revokedAt! > at ? `${when}, after ${proof ?? at.toISOString()}: valid at signing time` : `${when}: REVOKED`;
}
