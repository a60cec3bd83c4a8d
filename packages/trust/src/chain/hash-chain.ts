/**
 * Hash chains for append-only logs (the hub's audit log): each entry's hash covers the
 * previous hash and the entry's canonical JSON, so changing, removing or reordering any entry
 * changes every later hash. Checkpoints are time-stamp tokens over an entry's hash: a chain
 * that verifies up to a checkpoint existed, as it is, at the token's time.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { Certificate } from '../pki/certificate.js';
import { verifyTimeStampToken } from '../tsp/verify.js';
import type { Crl } from '../pki/crl.js';
import type { OcspResponse } from '../ocsp/response.js';

export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 over (previous hash as 32 octets || canonical JSON of the entry), as hex. */
export function chainHash(previous: string | null, entry: unknown): string {
  const prev = Buffer.from(previous ?? GENESIS_HASH, 'hex');
  return createHash('sha256').update(prev).update(canonicalJson(entry), 'utf8').digest('hex');
}

export interface ChainEntry {
  entry: unknown;
  /** The hash stored beside the entry. */
  hash: string;
}

export interface Checkpoint {
  /** Index of the entry whose hash was time-stamped. */
  index: number;
  hash: string;
  /** DER time-stamp token (or base64 of it) over the hash's 32 octets (SHA-256 imprint). */
  token: Uint8Array | string;
}

export interface ChainVerdict {
  valid: boolean;
  /** The first entry whose stored hash does not match the recomputed one. */
  brokenAt?: number;
  entries: number;
  checkpoints: { index: number; genTime?: Date; valid: boolean; reasons: string[] }[];
  reasons: string[];
}

export interface VerifyChainOptions {
  trustAnchors: Certificate[];
  certificates?: Certificate[];
  /** Hash before the first entry (when verifying a suffix of a longer log). */
  start?: string;
  /** Revocation data for the TSA chain: a TSA revoked before a checkpoint's genTime fails it. */
  crls?: Crl[];
  ocsp?: OcspResponse[];
}

export function verifyChain(entries: ChainEntry[], checkpoints: Checkpoint[], options: VerifyChainOptions): ChainVerdict {
  const reasons: string[] = [];
  let prev = options.start ?? GENESIS_HASH;
  let brokenAt: number | undefined;
  const recomputed: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    let h: string;
    try {
      h = chainHash(prev, entries[i].entry);
    } catch (e) {
      h = `unhashable: ${(e as Error).message}`;
    }
    recomputed.push(h);
    if (brokenAt === undefined && h !== entries[i].hash) {
      brokenAt = i;
      reasons.push(`entry ${i}: stored hash does not match its content and predecessor (changed, removed or reordered entry)`);
    }
    prev = entries[i].hash; // keep walking the stored chain so later breaks are located too
  }
  let lastTime = -Infinity;
  const cps = [...checkpoints].sort((a, b) => a.index - b.index).map((cp) => {
    const r: string[] = [];
    if (!Number.isInteger(cp.index) || cp.index < 0 || cp.index >= entries.length) r.push(`checkpoint index ${cp.index} is outside the log`);
    else if (recomputed[cp.index] !== cp.hash) r.push(`checkpoint at ${cp.index}: the log no longer has the time-stamped hash`);
    const token = typeof cp.token === 'string' ? Buffer.from(cp.token, 'base64') : cp.token;
    const v = verifyTimeStampToken(token, {
      digest: { algorithm: 'sha256', value: Buffer.from(cp.hash, 'hex') }, trustAnchors: options.trustAnchors, certificates: options.certificates, crls: options.crls, ocsp: options.ocsp,
    });
    r.push(...v.reasons);
    if (v.genTime) {
      if (v.genTime.getTime() < lastTime) r.push(`checkpoint at ${cp.index} is dated before an earlier checkpoint`);
      lastTime = v.genTime.getTime();
    }
    return { index: cp.index, genTime: v.genTime, valid: r.length === 0, reasons: r };
  });
  for (const cp of cps) if (!cp.valid) reasons.push(...cp.reasons.map((r) => `checkpoint ${cp.index}: ${r}`));
  return { valid: reasons.length === 0, brokenAt, entries: entries.length, checkpoints: cps, reasons };
}
