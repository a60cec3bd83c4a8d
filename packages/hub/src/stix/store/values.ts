/**
 * Values an object can be correlated on: observable values, hashes, names, CVE ids and the
 * equality comparisons of STIX patterns. Each becomes one stix_value row, so "who else has
 * seen 198.51.100.7" is one index lookup, not a pairwise correlation table.
 */
import { comparisonsOf, parsePattern } from '../pattern/parser.js';

export interface ExtractedValue {
  kind: string;
  value: string;
}

const MAX_VALUES = 64;
const MAX_LENGTH = 512;

export function extractValues(o: Record<string, unknown>): ExtractedValue[] {
  const out = new Map<string, ExtractedValue>();
  const add = (kind: string, value: unknown): void => {
    if (out.size >= MAX_VALUES) return;
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return;
    let v = kind.includes(':hashes.') ? value.toLowerCase() : value;
    // A host address is the same value whether written bare or as a /32 (/128) prefix.
    if (kind === 'ipv4-addr:value') v = v.replace(/\/32$/, '');
    if (kind === 'ipv6-addr:value') v = v.replace(/\/128$/, '');
    out.set(`${kind}\u0000${v}`, { kind, value: v });
  };
  const type = String(o.type);
  if ('value' in o) add(`${type}:value`, o.value);
  if (o.hashes && typeof o.hashes === 'object') for (const [algo, h] of Object.entries(o.hashes)) add(`${type}:hashes.${algo}`, h);
  if (type === 'autonomous-system') add('autonomous-system:number', o.number);
  if (type === 'software') add('software:cpe', o.cpe);
  if (['malware', 'infrastructure', 'threat-actor', 'tool', 'intrusion-set', 'campaign', 'vulnerability', 'software', 'file'].includes(type)) add(`${type}:name`, o.name);
  if (Array.isArray(o.external_references)) {
    for (const r of o.external_references as Record<string, unknown>[]) {
      if (r && typeof r === 'object' && r.source_name === 'cve') add('cve', r.external_id);
    }
  }
  if (type === 'indicator' && o.pattern_type === 'stix' && typeof o.pattern === 'string') {
    try {
      for (const c of comparisonsOf(parsePattern(o.pattern))) {
        const kind = `${c.path.objectType}:${c.path.steps.join('.')}`;
        if (c.negated) continue;
        if (c.operator === '=' && !Array.isArray(c.value) && c.value.kind === 'string') add(kind, c.value.value);
        if (c.operator === 'IN' && Array.isArray(c.value)) for (const v of c.value) if (v.kind === 'string') add(kind, v.value);
      }
    } catch {
      // Validation rejects bad patterns before they get here; nothing to index otherwise.
    }
  }
  return [...out.values()];
}
