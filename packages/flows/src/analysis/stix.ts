/**
 * STIX 2.1 export: one `indicator` per candidate in a `bundle`. Ids are UUIDv5 over the
 * candidate's address and ports (the same candidate exported twice keeps its id, so the
 * hub deduplicates instead of piling up copies); the pattern names the address and the
 * ports the hosts used: `[ipv4-addr:value = '203.0.113.66'] AND [network-traffic:dst_port = 8443]`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Candidate } from './types.js';

/** TLP 2.0 marking definitions (STIX extension 60a3c5c5-…). */
export const TLP_MARKINGS = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
} as const;

export type Tlp = keyof typeof TLP_MARKINGS;

/** Namespace for mamori flows indicator ids (a fixed random UUID). */
const NAMESPACE = '6f1c1f0e-55d4-4b8e-9c43-3c0f2d1a9b57';

export function uuidv5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function stixTime(ms: number): string {
  return new Date(ms).toISOString();
}

function escapeStixString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
}

export function candidatePattern(c: Pick<Candidate, 'address' | 'evidence'>): string {
  const type = c.address.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
  const addr = `[${type}:value = '${escapeStixString(c.address)}']`;
  const ports = [...new Set(c.evidence.ports.map((p) => p.port))].slice(0, 5);
  if (ports.length === 0) return addr;
  const portExpr = ports.map((p) => `network-traffic:dst_port = ${p}`).join(' OR ');
  return `${addr} AND [${portExpr}]`;
}

export interface StixOptions {
  /** Creation time of the objects (default now). */
  now?: number;
  tlp?: Tlp;
  /** identity id of the producer, when known. */
  createdByRef?: string;
}

export function candidatesToStix(candidates: Candidate[], options: StixOptions = {}): Record<string, unknown> {
  const now = stixTime(options.now ?? Date.now());
  const objects = candidates.map((c) => {
    const ports = [...new Set(c.evidence.ports.map((p) => p.port))].sort((a, b) => a - b);
    return {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${uuidv5(`${c.address}|${ports.join(',')}`)}`,
      created: now,
      modified: now,
      name: `Suspected C&C server ${c.address}`,
      description: c.evidence.reasons.join('; '),
      indicator_types: ['malicious-activity'],
      pattern: candidatePattern(c),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: stixTime(c.firstSeen),
      confidence: Math.round(c.score * 100),
      labels: ['c2', 'mamori-flows'],
      ...(options.createdByRef ? { created_by_ref: options.createdByRef } : {}),
      ...(options.tlp ? { object_marking_refs: [TLP_MARKINGS[options.tlp]] } : {}),
      external_references: [{ source_name: 'mamori-flows', description: `rank ${c.rank}, first seen ${stixTime(c.firstSeen)}, last seen ${stixTime(c.lastSeen)}, ${c.evidence.fanIn.clients} internal host(s)` }],
    };
  });
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}
