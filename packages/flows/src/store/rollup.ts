/**
 * In-memory rollup of records into time buckets per (src, dst, dst port, protocol) — the
 * pure half of the store's rollups; `FlowsStore.writeRollups` is the I/O half. Also the
 * `-s ip/flows` style aggregation the benchmark compares with nfdump.
 */
import { formatAddress, type FlowRecord } from '../record.js';

export interface RollupRow {
  bucketStart: number;
  src: string;
  dst: string;
  dstPort: number;
  protocol: number;
  flows: number;
  packets: number;
  bytes: number;
  firstSeen: number;
  lastSeen: number;
}

export class Rollup {
  private readonly rows = new Map<string, RollupRow>();
  private readonly text = new Map<number | bigint, string>();

  constructor(readonly bucketMs = 3_600_000) {}

  get size(): number {
    return this.rows.size;
  }

  private addr(a: number | bigint): string {
    let t = this.text.get(a);
    if (t === undefined) {
      t = formatAddress(a);
      if (this.text.size < 1_000_000) this.text.set(a, t);
    }
    return t;
  }

  add(records: Iterable<FlowRecord>): void {
    for (const r of records) {
      const bucket = r.start - (r.start % this.bucketMs);
      const key = `${bucket}|${r.src}|${r.dst}|${r.dstPort}|${r.protocol}`;
      const row = this.rows.get(key);
      if (row) {
        row.flows++;
        row.packets += r.packets;
        row.bytes += r.bytes;
        if (r.start < row.firstSeen) row.firstSeen = r.start;
        if (r.end > row.lastSeen) row.lastSeen = r.end;
      } else {
        this.rows.set(key, {
          bucketStart: bucket, src: this.addr(r.src), dst: this.addr(r.dst), dstPort: r.dstPort, protocol: r.protocol,
          flows: 1, packets: r.packets, bytes: r.bytes, firstSeen: r.start, lastSeen: r.end,
        });
      }
    }
  }

  /** Takes the accumulated rows and starts afresh. */
  drain(): RollupRow[] {
    const out = [...this.rows.values()];
    this.rows.clear();
    return out;
  }
}

export interface IpStat {
  address: string;
  flows: number;
  packets: number;
  bytes: number;
}

/**
 * Per-address totals counting each record for its source and its destination, ordered by
 * flows — what `nfdump -s ip/flows` reports.
 */
export function topAddressesByFlows(records: Iterable<FlowRecord>, limit = 10): IpStat[] {
  const v4 = new Map<number, { flows: number; packets: number; bytes: number }>();
  const v6 = new Map<bigint, { flows: number; packets: number; bytes: number }>();
  const bump = (a: number | bigint, r: FlowRecord): void => {
    const m = (typeof a === 'number' ? v4 : v6) as Map<number | bigint, { flows: number; packets: number; bytes: number }>;
    const s = m.get(a);
    if (s) { s.flows++; s.packets += r.packets; s.bytes += r.bytes; }
    else m.set(a, { flows: 1, packets: r.packets, bytes: r.bytes });
  };
  for (const r of records) { bump(r.src, r); if (r.dst !== r.src) bump(r.dst, r); }
  const all: IpStat[] = [];
  for (const m of [v4, v6] as Map<number | bigint, { flows: number; packets: number; bytes: number }>[]) {
    for (const [a, s] of m) all.push({ address: '', ...s, _a: a } as IpStat & { _a: number | bigint });
  }
  all.sort((x, y) => y.flows - x.flows);
  return all.slice(0, limit).map((s) => {
    const { _a, ...rest } = s as IpStat & { _a: number | bigint };
    return { ...rest, address: formatAddress(_a) };
  });
}
