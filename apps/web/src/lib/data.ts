/**
 * Reading API answers without trusting their exact shape: lists may come bare or wrapped
 * (`{ items }`, `{ data }`, `{ objects }`, ...), numbers may come as strings (bigint columns).
 */

export type Row = Record<string, unknown>;

const LIST_KEYS = ['items', 'data', 'rows', 'results', 'objects', 'collections', 'reports', 'runs', 'findings', 'batches', 'candidates', 'victims', 'alerts', 'ports', 'sources', 'products', 'entries', 'feed', 'series', 'buckets'];

export function asList(value: unknown, preferred?: string): Row[] {
  if (Array.isArray(value)) return value.filter((r): r is Row => typeof r === 'object' && r !== null);
  if (value && typeof value === 'object') {
    const obj = value as Row;
    if (preferred && Array.isArray(obj[preferred])) return asList(obj[preferred]);
    for (const k of LIST_KEYS) if (Array.isArray(obj[k])) return asList(obj[k]);
  }
  return [];
}

export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return null;
}

/** The first present field among `names` (APIs differ in naming: `port`/`dstPort`, ...). */
export function pick(row: Row, ...names: string[]): unknown {
  for (const n of names) if (row[n] !== undefined && row[n] !== null) return row[n];
  return undefined;
}

export function pickNum(row: Row, ...names: string[]): number | null {
  return num(pick(row, ...names));
}

export function pickStr(row: Row, ...names: string[]): string {
  const v = pick(row, ...names);
  if (v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Epoch milliseconds from ms numbers, second numbers, numeric strings or ISO strings. */
export function toMs(value: unknown): number | null {
  const n = num(value);
  if (n !== null) return n < 1e11 ? n * 1000 : n;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** Turns rows of (time, key, value) into one series per key over the sorted times. */
export function pivot(rows: Row[], timeOf: (r: Row) => number | null, keyOf: (r: Row) => string, valueOf: (r: Row) => number | null, maxSeries = 8): { times: number[]; series: { name: string; values: number[] }[] } {
  const times = new Set<number>();
  const totals = new Map<string, number>();
  const cells = new Map<string, number>();
  for (const r of rows) {
    const t = timeOf(r);
    const v = valueOf(r);
    if (t === null || v === null) continue;
    const k = keyOf(r);
    times.add(t);
    totals.set(k, (totals.get(k) ?? 0) + v);
    cells.set(`${k}\u0000${t}`, (cells.get(`${k}\u0000${t}`) ?? 0) + v);
  }
  const sortedTimes = [...times].sort((a, b) => a - b);
  const keys = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, maxSeries).map(([k]) => k);
  return {
    times: sortedTimes,
    series: keys.map((k) => ({ name: k, values: sortedTimes.map((t) => cells.get(`${k}\u0000${t}`) ?? 0) })),
  };
}
