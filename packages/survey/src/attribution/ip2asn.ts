/**
 * Prefix → ASN → ISP attribution from an ip2asn-style TSV (iptoasn.com: `range_start
 * range_end AS_number country_code AS_description`, IPv4 and IPv6). Ranges are split into
 * CIDR prefixes and loaded into core's longest-match PrefixTable. An optional `asn → ISP`
 * map names the carrier that receives notifications when several ASes belong to one ISP.
 */
import { MamoriError, PrefixTable, parseIp, rangeToPrefixes, type IpAddress } from '@mamori/core';

export interface Attribution {
  asn: number;
  isp: string;
  country: string;
}

export { rangeToPrefixes } from '@mamori/core';

export interface AttributionTable {
  lookup(address: string): Attribution | undefined;
  readonly size: number;
}

/** Parses `asn<TAB>ISP name` lines (`#` comments) into a map. */
export function parseIspMap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^(?:AS)?(\d{1,10})\s+(.+)$/i.exec(line);
    if (!m) throw new MamoriError('MAMORI_SURVEY_IP2ASN', { reason: 'expected "asn<TAB>isp"', line: i + 1, field: `line ${i + 1}` });
    map.set(Number(m[1]), m[2].trim());
  });
  return map;
}

export function parseIp2Asn(text: string, ispByAsn: Map<number, string> = new Map()): AttributionTable {
  const table = new PrefixTable<Attribution>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim() || line.startsWith('#')) continue;
    const cols = line.split('\t');
    const fail = (reason: string, field: string): never => {
      throw new MamoriError('MAMORI_SURVEY_IP2ASN', { reason, line: i + 1, field });
    };
    if (cols.length < 5) fail(`expected 5 tab-separated columns, got ${cols.length}`, 'columns');
    let start: IpAddress;
    let end: IpAddress;
    try {
      start = parseIp(cols[0]);
      end = parseIp(cols[1]);
    } catch {
      return fail('bad address', 'range');
    }
    if (start.family !== end.family || BigInt(start.value) > BigInt(end.value)) fail('range start after end', 'range');
    if (!/^\d{1,10}$/.test(cols[2])) fail('bad AS number', 'AS_number');
    const asn = Number(cols[2]);
    if (asn === 0) continue; // "Not routed"
    const description = cols.slice(4).join('\t').trim();
    const value: Attribution = { asn, isp: ispByAsn.get(asn) ?? (description || `AS${asn}`), country: cols[3].trim() };
    for (const p of rangeToPrefixes(start, end)) table.set(p, value);
  }
  return {
    size: table.size,
    lookup(address) {
      try {
        return table.lookup(parseIp(address));
      } catch {
        return undefined;
      }
    },
  };
}
