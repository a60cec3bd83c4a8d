/**
 * TAXII 2.1 query parameters (§3.4): added_after, limit, next and the match[...] filters,
 * read from a parsed query string into a store query. Every error names the parameter.
 */
import { MamoriError } from '@mamori/core';
import { parseStixTimestamp } from '../timestamp.js';
import type { VersionMatch } from '../store/stix-store.js';

export type RawQuery = Record<string, string | string[] | undefined>;

export interface TaxiiFilter {
  addedAfter?: number;
  limit: number;
  next?: string;
  ids?: string[];
  types?: string[];
  versions: VersionMatch;
  specVersions?: string[];
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

function bad(field: string, reason: string): never {
  throw new MamoriError('MAMORI_HUB_TAXII_BAD_REQUEST', { field, reason: `${field}: ${reason}` });
}

function list(q: RawQuery, name: string): string[] | undefined {
  const raw = q[name];
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (values.length > 1000) bad(name, 'more than 1000 values');
  return values;
}

export function parseTaxiiQuery(q: RawQuery, options: { allowVersion?: boolean; defaultVersion?: 'last' | 'all' } = {}): TaxiiFilter {
  const known = new Set(['added_after', 'limit', 'next', 'match[id]', 'match[type]', 'match[version]', 'match[spec_version]']);
  for (const k of Object.keys(q)) {
    if (k.startsWith('match[') && !known.has(k)) bad(k, 'unsupported match field');
  }
  const out: TaxiiFilter = { limit: DEFAULT_PAGE_SIZE, versions: options.defaultVersion === 'all' ? { all: true } : { last: true } };
  const aa = q.added_after;
  if (aa !== undefined) {
    const t = parseStixTimestamp(Array.isArray(aa) ? aa[0] : aa);
    if (!t) bad('added_after', 'must be a timestamp such as 2026-01-01T00:00:00.000Z');
    out.addedAfter = t.us;
  }
  const limit = q.limit;
  if (limit !== undefined) {
    const n = Number(Array.isArray(limit) ? limit[0] : limit);
    if (!Number.isInteger(n) || n < 1) bad('limit', 'must be a positive integer');
    out.limit = Math.min(n, MAX_PAGE_SIZE);
  }
  const next = q.next;
  if (next !== undefined) out.next = Array.isArray(next) ? next[0] : next;
  out.ids = list(q, 'match[id]');
  out.types = list(q, 'match[type]');
  out.specVersions = list(q, 'match[spec_version]');
  if (out.types?.some((t) => !/^[a-z0-9-]{1,250}$/.test(t))) bad('match[type]', 'not a STIX type name');
  if (out.specVersions?.some((v) => !/^2\.[01]$/.test(v))) bad('match[spec_version]', 'must be 2.0 or 2.1');
  const versions = list(q, 'match[version]');
  if (versions !== undefined) {
    if (options.allowVersion === false) bad('match[version]', 'not supported on this endpoint');
    const v: VersionMatch = {};
    for (const s of versions) {
      if (s === 'all') v.all = true;
      else if (s === 'first') v.first = true;
      else if (s === 'last') v.last = true;
      else if (parseStixTimestamp(s)) (v.versions ??= []).push(s);
      else bad('match[version]', `'${s.slice(0, 40)}' is not all, first, last or a timestamp`);
    }
    out.versions = v;
  }
  return out;
}
