/**
 * Per source and bucket: packets, bytes, packets per class, and the scanner fingerprint its
 * SYNs carry (the one most of them carry; research when the source is in the operator's list).
 */
import { Fingerprint, type PacketClassCode } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import { Column, PairIndex } from './pair-index.js';
import { sourceText, type IntervalPlugin } from './plugin.js';

export type ScannerKind = 'mirai' | 'zmap' | 'masscan' | 'research';

export interface SourceRollupRow {
  bucketMs: number;
  src: string;
  packets: number;
  bytes: number;
  synScan: number;
  tcpOther: number;
  udpProbe: number;
  icmpProbe: number;
  backscatter: number;
  /** Distinct destination ports (ICMP types, protocols) this source hit. */
  ports: number;
  fingerprint: ScannerKind | null;
  firstMs: number;
  lastMs: number;
}

// Column layout per source.
const PACKETS = 0, BYTES = 1, SYN = 2, TCP_OTHER = 3, UDP = 4, ICMP = 5, BACK = 6;
const MIRAI = 7, ZMAP = 8, MASSCAN = 9, RESEARCH = 10, FIRST = 11, LAST = 12, PORTS = 13;
const WIDTH = 14;
const CLASS_COLUMN = [SYN, TCP_OTHER, UDP, ICMP, BACK, -1];
const INLINE_PORTS = 8;

const EMPTY = new Float64Array(0);

const KINDS: readonly (ScannerKind | null)[] = [null, 'mirai', 'zmap', 'masscan', 'research'];
function kindCode(synScan: number, mirai: number, zmap: number, masscan: number, research: number): number {
  if (research > 0) return 4;
  const half = synScan / 2;
  if (mirai > half) return 1;
  if (zmap > half) return 2;
  if (masscan > half) return 3;
  return 0;
}

export function scannerKind(synScan: number, mirai: number, zmap: number, masscan: number, research: number): ScannerKind | null {
  return KINDS[kindCode(synScan, mirai, zmap, masscan, research)];
}

export class SourceRollupPlugin implements IntervalPlugin<SourceTable> {
  readonly name = 'sources';
  private readonly index = new PairIndex(1 << 14);
  private readonly cols = new Column(WIDTH * (1 << 14));
  /**
   * Port keys each source hit this interval: the first INLINE_PORTS inline (most sources
   * hit one or a few ports, so this answers without a second hash lookup), the rest in
   * `overflow`. This is what makes "unique sources per port" cheap for the port rollup.
   */
  private inline = new Int32Array(INLINE_PORTS * (1 << 14));
  private readonly overflow = new PairIndex(1 << 12);
  /** The slot of the source of the packet last observed. */
  lastSlot = 0;
  private readonly v6Text = new Map<number, string>();
  /**
   * A counters array a consumer gave back (`SourceTable.release`), zeroed: the next interval
   * takes it instead of a fresh one. A fresh 10-15 MiB array per minute cost more in page
   * faults and GC than all the counting done in it.
   */
  private spare: Float64Array | null = null;
  private readonly recycle = (counts: Float64Array, used: number): void => {
    counts.fill(0, 0, used);
    if (this.spare === null || counts.length > this.spare.length) this.spare = counts;
  };

  observe(p: PacketInfo, cls: PacketClassCode, fp: number): void {
    const slot = this.index.slot(p.src, p.ipVersion);
    const base = slot * WIDTH;
    const c = this.index.isNew ? this.cols.ensure(base + WIDTH) : this.cols.values;
    if (this.index.isNew) {
      c[FIRST + base] = p.tsMs;
      if (p.ipVersion === 6) this.v6Text.set(slot, sourceText(p));
    }
    c[base + PACKETS]++;
    c[base + BYTES] += p.wireLen;
    const col = CLASS_COLUMN[cls];
    if (col >= 0) c[base + col]++;
    if (fp !== 0) {
      if (fp & Fingerprint.MIRAI) c[base + MIRAI]++;
      else if (fp & Fingerprint.ZMAP) c[base + ZMAP]++;
      else if (fp & Fingerprint.MASSCAN) c[base + MASSCAN]++;
      if (fp & Fingerprint.RESEARCH) c[base + RESEARCH]++;
    }
    c[base + LAST] = p.tsMs;
    this.lastSlot = slot;
  }

  /** True the first time the source in `slot` hits `key` in this interval. */
  firstForPort(slot: number, key: number): boolean {
    const at = slot * INLINE_PORTS;
    if (at + INLINE_PORTS > this.inline.length) {
      const bigger = new Int32Array(Math.max(this.inline.length * 2, at + INLINE_PORTS));
      bigger.set(this.inline);
      this.inline = bigger;
    }
    const inline = this.inline;
    const tag = key + 1;
    for (let i = at; i < at + INLINE_PORTS; i++) {
      const v = inline[i];
      if (v === tag) return false;
      if (v === 0) {
        inline[i] = tag;
        this.cols.values[slot * WIDTH + PORTS]++;
        return true;
      }
    }
    this.overflow.slot(slot, key);
    if (this.overflow.isNew) this.cols.values[slot * WIDTH + PORTS]++;
    return this.overflow.isNew;
  }

  /** Unique sources so far in this interval. */
  get sourceCount(): number {
    return this.index.size;
  }

  /** Starts the next interval without materialising rows (when per-source output is not wanted). */
  reset(): void {
    this.cols.clear(this.index.size * WIDTH);
    this.startNext();
  }

  /** Empties everything but the counters (which `reset` zeroes and `endInterval` hands over). */
  private startNext(): void {
    this.inline.fill(0, 0, this.index.size * INLINE_PORTS);
    this.index.clear();
    this.overflow.clear();
    this.v6Text.clear();
  }

  /**
   * The interval's rows as columns: the counters' array is handed over (the one the previous
   * table's consumer released, or a fresh one, takes its place), so a 90k-source minute costs
   * no per-row objects or strings here.
   */
  endInterval(startMs: number): SourceTable {
    const n = this.index.size;
    const c = this.cols.values;
    const kinds = new Uint8Array(n);
    for (let slot = 0; slot < n; slot++) {
      const b = slot * WIDTH;
      kinds[slot] = kindCode(c[b + SYN], c[b + MIRAI], c[b + ZMAP], c[b + MASSCAN], c[b + RESEARCH]);
    }
    const texts = this.v6Text.size > 0 ? new Map(this.v6Text) : null;
    const table = new SourceTable(startMs, n, this.index.denseA.slice(0, n), texts, c, kinds, this.recycle);
    const spare = this.spare;
    this.spare = null;
    this.cols.values = spare !== null && spare.length >= c.length ? spare : new Float64Array(c.length);
    this.startNext();
    return table;
  }
}

/**
 * One interval's per-source rollups, column by column. Addresses are IPv4 numbers until
 * asked for as text (IPv6 sources carry their text); `row(i)` and `rows()` give objects
 * for callers that want them, writers read the columns.
 */
export class SourceTable {
  constructor(
    readonly bucketMs: number,
    readonly length: number,
    private readonly addrs: Uint32Array,
    /** Text of the sources that are not IPv4 numbers, by index (IPv6; every row when built from rows). */
    private readonly texts: ReadonlyMap<number, string> | null,
    private counts: Float64Array,
    private readonly kinds: Uint8Array,
    /** Takes the counters back for the next interval (only for tables the engine made). */
    private readonly recycle: ((counts: Float64Array, used: number) => void) | null = null,
  ) {}

  /**
   * Gives the counters back to the engine for reuse: call it when done with the table (the
   * store sink does, after writing). Afterwards the table must not be read; its counts read
   * as undefined. Optional: an unreleased table is simply garbage-collected.
   */
  release(): void {
    if (this.recycle === null || this.counts.length === 0) return;
    const counts = this.counts;
    this.counts = EMPTY;
    this.recycle(counts, this.length * WIDTH);
  }

  static empty(bucketMs: number): SourceTable {
    return new SourceTable(bucketMs, 0, new Uint32Array(0), null, new Float64Array(0), new Uint8Array(0));
  }

  /** A table of rows that arrive as objects (a sensor's batch). */
  static fromRows(bucketMs: number, rows: readonly Omit<SourceRollupRow, 'bucketMs'>[]): SourceTable {
    const n = rows.length;
    const counts = new Float64Array(n * WIDTH);
    const kinds = new Uint8Array(n);
    const texts = new Map<number, string>();
    rows.forEach((r, i) => {
      const b = i * WIDTH;
      texts.set(i, r.src);
      counts[b + PACKETS] = r.packets; counts[b + BYTES] = r.bytes; counts[b + SYN] = r.synScan; counts[b + TCP_OTHER] = r.tcpOther;
      counts[b + UDP] = r.udpProbe; counts[b + ICMP] = r.icmpProbe; counts[b + BACK] = r.backscatter; counts[b + PORTS] = r.ports;
      counts[b + FIRST] = r.firstMs; counts[b + LAST] = r.lastMs;
      kinds[i] = KINDS.indexOf(r.fingerprint);
    });
    return new SourceTable(bucketMs, n, new Uint32Array(n), texts, counts, kinds);
  }

  src(i: number): string {
    const text = this.texts?.get(i);
    if (text !== undefined) return text;
    const a = this.addrs[i];
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  packets(i: number): number { return this.counts[i * WIDTH + PACKETS]; }
  bytes(i: number): number { return this.counts[i * WIDTH + BYTES]; }
  synScan(i: number): number { return this.counts[i * WIDTH + SYN]; }
  tcpOther(i: number): number { return this.counts[i * WIDTH + TCP_OTHER]; }
  udpProbe(i: number): number { return this.counts[i * WIDTH + UDP]; }
  icmpProbe(i: number): number { return this.counts[i * WIDTH + ICMP]; }
  backscatter(i: number): number { return this.counts[i * WIDTH + BACK]; }
  ports(i: number): number { return this.counts[i * WIDTH + PORTS]; }
  fingerprint(i: number): ScannerKind | null { return KINDS[this.kinds[i]]; }
  firstMs(i: number): number { return this.counts[i * WIDTH + FIRST]; }
  lastMs(i: number): number { return this.counts[i * WIDTH + LAST]; }

  row(i: number): SourceRollupRow {
    return {
      bucketMs: this.bucketMs, src: this.src(i), packets: this.packets(i), bytes: this.bytes(i), synScan: this.synScan(i),
      tcpOther: this.tcpOther(i), udpProbe: this.udpProbe(i), icmpProbe: this.icmpProbe(i), backscatter: this.backscatter(i),
      ports: this.ports(i), fingerprint: this.fingerprint(i), firstMs: this.firstMs(i), lastMs: this.lastMs(i),
    };
  }

  rows(): SourceRollupRow[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }

}
