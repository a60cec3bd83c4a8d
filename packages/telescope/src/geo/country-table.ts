/**
 * Source countries for the darknet map, from an IP-to-country table the operator supplies
 * (mamori ships none): CSV lines `start,end,CC[,…]` with addresses as text or IPv4 as
 * decimal integers, quoted or not — the layout of the free DB-IP and IP2Location "lite"
 * country files. Ranges become CIDR prefixes in core's longest-match table.
 */
import { readFileSync } from 'node:fs';
import { MamoriError, PrefixTable, parseIp, rangeToPrefixes, type IpAddress, type Store } from '@mamori/core';
import { topSources, type Window } from '../store/queries.js';

export interface CountryTable {
  /** ISO 3166-1 alpha-2 code, or undefined when no range covers the address. */
  lookup(address: string): string | undefined;
  readonly ranges: number;
}

function address(text: string, line: number, field: string): IpAddress {
  if (/^\d{1,10}$/.test(text)) {
    const v = Number(text);
    if (v <= 0xffffffff) return { family: 4, value: v };
  }
  try {
    return parseIp(text);
  } catch {
    throw new MamoriError('MAMORI_TELESCOPE_COUNTRY_TABLE', { line, field, reason: `${field}: not an address: "${text.slice(0, 60)}"` });
  }
}

export function parseCountryTable(text: string): CountryTable {
  const table = new PrefixTable<string>();
  let ranges = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '').trim();
    if (!raw || raw.startsWith('#')) continue;
    const line = i + 1;
    const cols = raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cols.length < 3) throw new MamoriError('MAMORI_TELESCOPE_COUNTRY_TABLE', { line, field: 'columns', reason: `expected start,end,country; got ${cols.length} column(s)` });
    const start = address(cols[0], line, 'start');
    const end = address(cols[1], line, 'end');
    if (start.family !== end.family || BigInt(start.value) > BigInt(end.value)) throw new MamoriError('MAMORI_TELESCOPE_COUNTRY_TABLE', { line, field: 'end', reason: 'range end before its start, or of another family' });
    const cc = cols[2].toUpperCase();
    if (cc === '-' || cc === 'ZZ' || cc === '') continue; // unassigned
    if (!/^[A-Z]{2}$/.test(cc)) throw new MamoriError('MAMORI_TELESCOPE_COUNTRY_TABLE', { line, field: 'country', reason: `not an ISO 3166-1 alpha-2 code: "${cols[2].slice(0, 20)}"` });
    for (const p of rangeToPrefixes(start, end)) table.set(p, cc);
    ranges++;
  }
  return {
    ranges,
    lookup(a: string) {
      let ip: IpAddress;
      try {
        ip = parseIp(a);
      } catch {
        return undefined;
      }
      return table.lookup(ip);
    },
  };
}

export function loadCountryTable(file: string): CountryTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_TELESCOPE_COUNTRY_TABLE', { line: 0, field: 'file', reason: `cannot read ${file}: ${(e as Error).message}` });
  }
  return parseCountryTable(text);
}

export interface CountryCount {
  country: string;
  sources: number;
  packets: number;
}

/**
 * Darknet sources per country over a window: the store sums each source's packets (at most
 * `maxSources`, busiest first), then each source is looked up once. Sources no range covers
 * are counted apart, not guessed.
 */
export async function sourceCountries(store: Store, table: CountryTable, w: Window & { maxSources?: number }): Promise<{ countries: CountryCount[]; unknown: { sources: number; packets: number }; truncated: boolean }> {
  const limit = w.maxSources ?? 100_000;
  const rows = await topSources(store, { sinceMs: w.sinceMs, untilMs: w.untilMs, limit: limit + 1 });
  const by = new Map<string, CountryCount>();
  const unknown = { sources: 0, packets: 0 };
  for (const r of rows.slice(0, limit)) {
    const cc = table.lookup(r.src);
    if (!cc) { unknown.sources++; unknown.packets += r.packets; continue; }
    const c = by.get(cc) ?? { country: cc, sources: 0, packets: 0 };
    c.sources++;
    c.packets += r.packets;
    by.set(cc, c);
  }
  return { countries: [...by.values()].sort((a, b) => b.packets - a.packets || a.country.localeCompare(b.country)), unknown, truncated: rows.length > limit };
}
