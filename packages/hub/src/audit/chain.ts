/**
 * The audit chain's hashing: each entry's hash is SHA-256 over its canonical JSON (which
 * includes its sequence number and the previous entry's hash). Pure; the log's I/O lives in
 * audit/log.ts.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: number;
  user_id: string | null;
  org_id: string | null;
  ip: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  tlp: string | null;
  detail: string;
  prev_hash: string;
}

export function entryHash(e: AuditEntry): string {
  const canonical = JSON.stringify([e.seq, e.at, e.user_id, e.org_id, e.ip, e.action, e.object_type, e.object_id, e.tlp, e.detail, e.prev_hash]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainFault {
  seq: number;
  reason: string;
}

/**
 * Checks a run of entries that should follow `prev` (seq and hash): contiguous sequence
 * numbers, each `prev_hash` equal to the previous hash, each stored hash recomputed.
 */
export function checkRun(prev: { seq: number; hash: string }, rows: (AuditEntry & { hash: string })[]): { last: { seq: number; hash: string }; fault?: ChainFault } {
  let last = prev;
  for (const row of rows) {
    if (row.seq !== last.seq + 1) return { last, fault: { seq: last.seq + 1, reason: `entry missing (next stored entry is ${row.seq})` } };
    if (row.prev_hash !== last.hash) return { last, fault: { seq: row.seq, reason: 'prev_hash does not match the previous entry' } };
    if (entryHash(row) !== row.hash) return { last, fault: { seq: row.seq, reason: 'content does not match its hash (altered)' } };
    last = { seq: row.seq, hash: row.hash };
  }
  return { last };
}
