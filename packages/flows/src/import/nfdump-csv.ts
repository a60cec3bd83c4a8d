/**
 * nfdump's CSV output (`nfdump -r FILE -o csv`), so existing nfcapd archives can be
 * analysed. Columns are found by the header's names (nfdump 1.6 and 1.7 differ in how many
 * there are); times are nfdump's local-time text; a trailing `Summary` block is ignored.
 *
 * Sampling: nfcapd multiplies packets and bytes by the sampling interval when it stores a
 * record — the one the exporter announced, else its `-s` default — and `-o csv` prints those
 * scaled counts with no sampling column (nfdump 1.7.1, checked in the test). So counts are
 * taken as printed by default; `samplingRate` multiplies them for archives whose counts are
 * raw (nfcapd run with `-s -1`, which overrides announced rates with 1).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { MamoriError, tryParseIpv4, tryParseIpv6 } from '@mamori/core';
import { emptyRecord, type FlowRecord } from '../record.js';

const REQUIRED = ['ts', 'td', 'sa', 'da', 'sp', 'dp', 'pr', 'ipkt', 'ibyt'] as const;

const PROTOCOLS: Record<string, number> = {
  ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, GRE: 47, ESP: 50, AH: 51, ICMP6: 58, IPV6ICMP: 58, SCTP: 132,
};

/** nfdump's flag text: right-aligned letters of CEUAPRSF (1.7) or UAPRSF (1.6), '.' for unset. */
export function parseTcpFlags(text: string): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const bit = text.length - 1 - i;
    if (text[i] !== '.' && bit < 8) v |= 1 << bit;
  }
  return v;
}

/** `YYYY-MM-DD HH:MM:SS[.mmm]` in the given zone offset (minutes east of UTC), or local time when undefined. */
export function parseNfdumpTime(text: string, tzOffsetMin?: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (tzOffsetMin === undefined) return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - tzOffsetMin * 60_000;
}

export class NfdumpCsvParser {
  private cols: Record<string, number> | null = null;
  /** nfdump 1.6 and some 1.7 builds append `Summary` and a totals table: nothing after it is a flow. */
  private inSummary = false;

  private readonly samplingRate: number;

  constructor(private readonly options: { tzOffsetMin?: number; exporter?: string; samplingRate?: number } = {}) {
    this.samplingRate = options.samplingRate ?? 1;
    if (!Number.isSafeInteger(this.samplingRate) || this.samplingRate < 1) {
      throw new MamoriError('MAMORI_FLOWS_INPUT', { field: 'samplingRate', reason: `sampling rate ${String(options.samplingRate)} is not a whole number ≥ 1` });
    }
  }

  get ready(): boolean {
    return this.cols !== null;
  }

  header(line: string, lineNo = 1): void {
    const names = line.trim().split(',');
    const cols: Record<string, number> = {};
    names.forEach((n, i) => { cols[n.trim()] = i; });
    for (const r of REQUIRED) {
      if (cols[r] === undefined) throw new MamoriError('MAMORI_FLOWS_CSV', { line: lineNo, field: r, reason: `header lacks column "${r}"` });
    }
    this.cols = cols;
  }

  /** One data line → a record; null for the summary block and blank lines. */
  line(text: string, lineNo: number): FlowRecord | null {
    if (!this.cols) { this.header(text, lineNo); return null; }
    if (this.inSummary || text.startsWith('Summary')) { this.inSummary = true; return null; }
    if (text.trim() === '') return null;
    const f = text.split(',');
    const c = this.cols;
    const get = (name: string): string => (f[c[name]] ?? '').trim();
    const bad = (field: string, reason: string): MamoriError => new MamoriError('MAMORI_FLOWS_CSV', { line: lineNo, field, reason });
    /** A count, times the sampling rate; beyond exact integers it is an error, never a rounded count. */
    const count = (name: string): number => {
      const s = get(name);
      if (!/^\d+(\.\d+)?\s*[KMG]?$/.test(s)) throw bad(name, `"${s}" is not a count`);
      const mult = s.endsWith('K') ? 1e3 : s.endsWith('M') ? 1e6 : s.endsWith('G') ? 1e9 : 1;
      const n = Math.round(parseFloat(s) * mult) * this.samplingRate;
      if (!Number.isSafeInteger(n)) throw bad(name, `"${s}" × sampling rate ${this.samplingRate} is beyond exact integers`);
      return n;
    };
    if (f.length < Object.keys(c).length - 1 && f.length <= c.ibyt) throw bad('line', `only ${f.length} columns`);
    const r = emptyRecord(this.options.exporter ?? (c.ra !== undefined ? get('ra') : 'nfdump'), 0);
    for (const [side, name] of [['src', 'sa'], ['dst', 'da']] as const) {
      const text = get(name);
      const v4 = tryParseIpv4(text);
      if (v4 >= 0) r[side] = v4;
      else {
        const v6 = tryParseIpv6(text);
        if (v6 === null) throw bad(name, `"${text}" is not an address`);
        r[side] = v6;
        r.ipVersion = 6;
      }
    }
    r.srcPort = portOf(get('sp'));
    r.dstPort = portOf(get('dp'));
    if (Number.isNaN(r.srcPort)) throw bad('sp', `"${get('sp')}" is not a port`);
    if (Number.isNaN(r.dstPort)) throw bad('dp', `"${get('dp')}" is not a port`);
    const pr = get('pr');
    r.protocol = /^\d+$/.test(pr) ? Number(pr) : PROTOCOLS[pr.toUpperCase().replace(/[^A-Z0-9]/g, '')] ?? NaN;
    if (!(r.protocol >= 0 && r.protocol <= 255)) throw bad('pr', `unknown protocol "${pr}"`);
    r.packets = count('ipkt');
    r.bytes = count('ibyt');
    r.start = parseNfdumpTime(get('ts'), this.options.tzOffsetMin);
    if (Number.isNaN(r.start)) throw bad('ts', `"${get('ts')}" is not a time`);
    const td = Number(get('td'));
    if (!(td >= 0)) throw bad('td', `"${get('td')}" is not a duration`);
    r.end = r.start + Math.round(td * 1000);
    if (c.flg !== undefined) r.tcpFlags = parseTcpFlags(get('flg'));
    if (c.stos !== undefined) r.tos = Number(get('stos')) || 0;
    if (c.in !== undefined) r.inIf = Number(get('in')) || 0;
    if (c.out !== undefined) r.outIf = Number(get('out')) || 0;
    if (c.sas !== undefined) r.srcAs = Number(get('sas')) || 0;
    if (c.das !== undefined) r.dstAs = Number(get('das')) || 0;
    return r;
  }
}

/** ICMP flows carry type.code in the port column (e.g. `8.0`). */
function portOf(s: string): number {
  if (/^\d+$/.test(s)) { const n = Number(s); return n <= 65535 ? n : NaN; }
  const m = /^(\d+)\.(\d+)$/.exec(s);
  return m ? Number(m[1]) * 256 + Number(m[2]) : NaN;
}

export interface CsvImportResult {
  lines: number;
  records: number;
  errors: number;
  firstErrors: { line: number; message: string }[];
}

/** Streams a CSV file, handing records to `onBatch` in batches; bad lines are counted, not fatal. */
export async function importNfdumpCsv(
  file: string, onBatch: (records: FlowRecord[]) => void | Promise<void>,
  options: { tzOffsetMin?: number; samplingRate?: number; batchSize?: number; onProgress?(lines: number): void } = {},
): Promise<CsvImportResult> {
  const parser = new NfdumpCsvParser({ tzOffsetMin: options.tzOffsetMin, samplingRate: options.samplingRate });
  const result: CsvImportResult = { lines: 0, records: 0, errors: 0, firstErrors: [] };
  let batch: FlowRecord[] = [];
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const text of rl) {
    result.lines++;
    try {
      const r = parser.line(text, result.lines);
      if (r) { batch.push(r); result.records++; }
    } catch (e) {
      if (!(e instanceof MamoriError) || !parser.ready) throw e;
      result.errors++;
      if (result.firstErrors.length < 20) result.firstErrors.push({ line: result.lines, message: e.message });
    }
    if (batch.length >= (options.batchSize ?? 10_000)) {
      await onBatch(batch);
      batch = [];
      options.onProgress?.(result.lines);
    }
  }
  if (!parser.ready) throw new MamoriError('MAMORI_FLOWS_CSV', { line: 1, field: 'header', reason: 'empty file: no header line' });
  if (batch.length) await onBatch(batch);
  return result;
}
