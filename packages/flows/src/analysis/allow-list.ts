/** Allow-list matching: known-good endpoints (CDNs, NTP pools, update servers) never become candidates. */
import { PrefixSet, PrefixTable } from '@mamori/core';
import type { AllowList } from './types.js';

export interface AllowMatcher {
  allows(server: number | bigint, port: number): boolean;
}

export function compileAllowList(list: AllowList = {}): AllowMatcher {
  const prefixes = new PrefixSet(list.prefixes ?? []);
  const ports = new Set(list.ports ?? []);
  const endpoints = new PrefixTable<Set<number>>();
  for (const e of list.endpoints ?? []) endpoints.set(e.prefix, new Set(e.ports));
  const v = (a: number | bigint) => (typeof a === 'number' ? { family: 4 as const, value: a } : { family: 6 as const, value: a });
  return {
    allows(server, port) {
      if (ports.has(port)) return true;
      if (prefixes.size && prefixes.has(v(server))) return true;
      return endpoints.size > 0 && endpoints.lookup(v(server))?.has(port) === true;
    },
  };
}

/**
 * Text form, one entry a line (`#` comments): `192.0.2.0/24` (any port), `port 123`
 * (any address), `198.51.100.0/24 443 80` (a prefix on those ports).
 */
export function parseAllowList(text: string): AllowList {
  const list: Required<AllowList> = { prefixes: [], ports: [], endpoints: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const parts = line.split(/\s+/);
    if (parts[0] === 'port') list.ports.push(...parts.slice(1).map(Number));
    else if (parts.length === 1) list.prefixes.push(parts[0]);
    else list.endpoints.push({ prefix: parts[0], ports: parts.slice(1).map(Number) });
  }
  return list;
}
