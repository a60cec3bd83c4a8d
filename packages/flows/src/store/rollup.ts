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
 * Per-address totals (each record counts for its source and its destination), ordered by
 * flows — what `nfdump -s ip/flows` reports. IPv4 addresses go into an open-addressing
 * hash over typed arrays (no object per address, nothing for the GC to trace); IPv6 into
 * a Map. Feed it batch by batch; records need not be kept.
 */
export class AddressCounter {
  private keys: Uint32Array;
  private used: Uint8Array;
  private flows: Float64Array;
  private packets: Float64Array;
  private bytes: Float64Array;
  private count = 0;
  private readonly v6 = new Map<bigint, { flows: number; packets: number; bytes: number }>();

  constructor(initialBits = 16) {
    const n = 1 << initialBits;
    this.keys = new Uint32Array(n);
    this.used = new Uint8Array(n);
    this.flows = new Float64Array(n);
    this.packets = new Float64Array(n);
    this.bytes = new Float64Array(n);
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

  private bump4(a: number, packets: number, bytes: number): void {
    const mask = this.keys.length - 1;
    let i = (Math.imul(a, 0x9e3779b1) >>> 0) & mask;
    while (this.used[i] && this.keys[i] !== a) i = (i + 1) & mask;
    if (!this.used[i]) {
      this.used[i] = 1;
      this.keys[i] = a;
      if (++this.count * 2 > this.keys.length) { this.grow(); this.bump4Existing(a, packets, bytes); return; }
    }
    this.flows[i]++;
    this.packets[i] += packets;
    this.bytes[i] += bytes;
  }

  private bump4Existing(a: number, packets: number, bytes: number): void {
    const mask = this.keys.length - 1;
    let i = (Math.imul(a, 0x9e3779b1) >>> 0) & mask;
    while (this.keys[i] !== a || !this.used[i]) i = (i + 1) & mask;
    this.flows[i]++;
    this.packets[i] += packets;
    this.bytes[i] += bytes;
  }

  private grow(): void {
    const { keys, used, flows, packets, bytes } = this;
    const size = keys.length * 2;
    this.keys = new Uint32Array(size);
    this.used = new Uint8Array(size);
    this.flows = new Float64Array(size);
    this.packets = new Float64Array(size);
    this.bytes = new Float64Array(size);
    const mask = size - 1;
    for (let j = 0; j < keys.length; j++) {
      if (!used[j]) continue;
      let i = (Math.imul(keys[j], 0x9e3779b1) >>> 0) & mask;
      while (this.used[i]) i = (i + 1) & mask;
      this.used[i] = 1;
      this.keys[i] = keys[j];
      this.flows[i] = flows[j];
      this.packets[i] = packets[j];
      this.bytes[i] = bytes[j];
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
    const idx: number[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.used[i]) idx.push(i);
    idx.sort((x, y) => this.flows[y] - this.flows[x] || this.keys[x] - this.keys[y]);
    const out: IpStat[] = idx.slice(0, limit).map((i) => ({ address: formatAddress(this.keys[i]), flows: this.flows[i], packets: this.packets[i], bytes: this.bytes[i] }));
    for (const [a, s] of this.v6) out.push({ address: formatAddress(a), ...s });
    out.sort((x, y) => y.flows - x.flows);
    return out.slice(0, limit);
  }
}

export function topAddressesByFlows(records: Iterable<FlowRecord>, limit = 10): IpStat[] {
  const c = new AddressCounter();
  c.add(records);
  return c.top(limit);
}
