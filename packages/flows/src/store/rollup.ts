/**
 * In-memory rollup of records into time buckets per (src, dst, dst port, protocol) — the
 * pure half of the store's rollups; `FlowsStore.writeRollups` is the I/O half. Also the
 * `-s ip/flows` style aggregation the benchmark compares with nfdump.
 */
import type { FlowColumns } from '../columns.js';
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
 * Per-address totals (each record counts for its source and its destination), ordered by
 * flows — what `nfdump -s ip/flows` reports. IPv4 addresses go into an open-addressing
 * hash over typed arrays (no object per address, nothing for the GC to trace); IPv6 into
 * a Map. Feed it batch by batch; records need not be kept.
 */
export class AddressCounter {
  /**
   * Open addressing with linear probing; one slot is 4 doubles [address + 1 (0 = empty),
   * flows, packets, bytes], so a probe touches one cache line rather than one per column.
   */
  private slots: Float64Array;
  private mask: number;
  private count = 0;
  private readonly v6 = new Map<bigint, { flows: number; packets: number; bytes: number }>();

  constructor(initialBits = 16) {
    this.slots = new Float64Array(4 << initialBits);
    this.mask = (1 << initialBits) - 1;
  }

  add(records: Iterable<FlowRecord>): void {
    for (const r of records) {
      if (typeof r.src === 'number') {
        this.bump4(r.src, r.packets, r.bytes);
        if (r.dst !== r.src) this.bump4(r.dst as number, r.packets, r.bytes);
      } else {
        this.bump6(r.src, r);
        if (r.dst !== r.src) this.bump6(r.dst as bigint, r);
      }
    }
  }

  /** The same from columns: no object per record. */
  addColumns(c: FlowColumns): void {
    const n = c.length, v = c.ipVersion, src = c.src4, dst = c.dst4, pk = c.packets, by = c.bytes;
    for (let i = 0; i < n; i++) {
      if (v[i] === 4) {
        this.bump4(src[i], pk[i], by[i]);
        if (dst[i] !== src[i]) this.bump4(dst[i], pk[i], by[i]);
      } else {
        const r = c.record(i);
        this.bump6(r.src as bigint, r);
        if (r.dst !== r.src) this.bump6(r.dst as bigint, r);
      }
    }
  }

  private bump4(a: number, packets: number, bytes: number): void {
    const key = a + 1;
    const s = this.slots;
    let i = (Math.imul(a, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = i << 2;
      const k = s[at];
      if (k === key) { s[at + 1]++; s[at + 2] += packets; s[at + 3] += bytes; return; }
      if (k === 0) {
        s[at] = key; s[at + 1] = 1; s[at + 2] = packets; s[at + 3] = bytes;
        if (++this.count * 2 > this.mask + 1) this.grow();
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Float64Array(4 * size);
    this.mask = size - 1;
    const s = this.slots;
    for (let at = 0; at < old.length; at += 4) {
      const key = old[at];
      if (key === 0) continue;
      let i = (Math.imul(key - 1, 0x9e3779b1) >>> 0) & this.mask;
      while (s[i << 2] !== 0) i = (i + 1) & this.mask;
      const to = i << 2;
      s[to] = key; s[to + 1] = old[at + 1]; s[to + 2] = old[at + 2]; s[to + 3] = old[at + 3];
    }
  }

  private bump6(a: bigint, r: FlowRecord): void {
    const s = this.v6.get(a);
    if (s) { s.flows++; s.packets += r.packets; s.bytes += r.bytes; }
    else this.v6.set(a, { flows: 1, packets: r.packets, bytes: r.bytes });
  }

  get size(): number {
    return this.count + this.v6.size;
  }

  /** The `limit` addresses with most flows (ties: lower address first). */
  top(limit = 10): IpStat[] {
    const s = this.slots;
    const idx: number[] = [];
    for (let at = 0; at < s.length; at += 4) if (s[at] !== 0) idx.push(at);
    idx.sort((x, y) => s[y + 1] - s[x + 1] || s[x] - s[y]);
    const out: IpStat[] = idx.slice(0, limit).map((at) => ({ address: formatAddress(s[at] - 1), flows: s[at + 1], packets: s[at + 2], bytes: s[at + 3] }));
    for (const [a, v] of this.v6) out.push({ address: formatAddress(a), ...v });
    out.sort((x, y) => y.flows - x.flows);
    return out.slice(0, limit);
  }
}

export function topAddressesByFlows(records: Iterable<FlowRecord>, limit = 10): IpStat[] {
  const c = new AddressCounter();
  c.add(records);
  return c.top(limit);
}
