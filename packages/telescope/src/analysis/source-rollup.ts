/**
 * Per source and bucket: packets, bytes, packets per class, and the scanner fingerprint its
 * SYNs carry (the one most of them carry; research when the source is in the operator's list).
 */
import { Fingerprint, type PacketClassCode } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import { PairIndex } from './pair-index.js';
import { sourceText, uint32Cell, type IntervalPlugin } from './plugin.js';

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

/**
 * One record per source, in chunks of CHUNK sources (so growing never copies, and a chunk
 * given back by a consumer serves the next interval): 28 32-bit words, 112 bytes. Words 0-5
 * hold three float64s (bytes, first and last time); the counters are uint32 (a source would
 * need 70 M packets/s to overflow one in a minute); the source's IPv4 address (or IPv6 hash),
 * its scanner kind once the interval is closed, and the first INLINE_PORTS port keys it hit.
 * Every byte here is a page first touched once per run rather than per interval: in a VM a
 * first-touch fault costs as much as ~100 packets.
 */
const BYTES_F = 0, FIRST_F = 1, LAST_F = 2;
const PACKETS = 6, SYN = 7, TCP_OTHER = 8, UDP = 9, ICMP = 10, BACK = 11;
const MIRAI = 12, ZMAP = 13, MASSCAN = 14, RESEARCH = 15, PORTS = 16, KIND = 17, ADDR = 18, INLINE = 19;
const INLINE_PORTS = 8;
const REC = 28;
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
const CHUNK_BYTES = CHUNK * REC * 4;
const CLASS_COLUMN = [SYN, TCP_OTHER, UDP, ICMP, BACK, -1];

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

/** Records of one interval: the same chunks seen as words and as float64s. */
interface Chunks {
  u: Uint32Array[];
  f: Float64Array[];
}

export class SourceRollupPlugin implements IntervalPlugin<SourceTable> {
  readonly name = 'sources';
  private readonly index = new PairIndex(1 << 14);
  private chunks: Chunks = { u: [], f: [] };
  /**
   * Chunks consumers gave back (`SourceTable.release`), zeroed. A fresh 10-15 MiB of
   * counters per minute cost more in page faults and GC than all the counting done in it.
   */
  private readonly spare: ArrayBuffer[] = [];
  private readonly recycle = (chunks: Chunks, used: number): void => {
    for (let k = 0; k < chunks.u.length; k++) {
      chunks.u[k].fill(0, 0, Math.max(0, Math.min(CHUNK, used - k * CHUNK)) * REC);
      this.spare.push(chunks.u[k].buffer as ArrayBuffer);
    }
  };
  /**
   * Port keys each source hit beyond the INLINE_PORTS in its record (most sources hit one
   * or a few ports, so those answer without a second hash lookup). This is what makes
   * "unique sources per port" cheap for the port rollup.
   */
  private readonly overflow = new PairIndex(1 << 12);
  /** The slot of the source of the packet last observed. */
  lastSlot = 0;
  private readonly v6Text = new Map<number, string>();

  private addChunk(): void {
    const buffer = this.spare.pop() ?? new ArrayBuffer(CHUNK_BYTES);
    this.chunks.u.push(new Uint32Array(buffer));
    this.chunks.f.push(new Float64Array(buffer));
  }

  observe(p: PacketInfo, cls: PacketClassCode, fp: number): void {
    const slot = this.index.slot(p.src, p.ipVersion);
    const k = slot >> CHUNK_BITS;
    if (this.index.isNew && k >= this.chunks.u.length) this.addChunk();
    const u = this.chunks.u[k];
    const f = this.chunks.f[k];
    const w = (slot & CHUNK_MASK) * REC;
    const fw = w >> 1;
    if (this.index.isNew) {
      f[fw + FIRST_F] = p.tsMs;
      u[w + ADDR] = p.src;
      if (p.ipVersion === 6) this.v6Text.set(slot, sourceText(p));
    }
    u[w + PACKETS]++;
    f[fw + BYTES_F] += p.wireLen;
    const col = CLASS_COLUMN[cls];
    if (col >= 0) u[w + col]++;
    if (fp !== 0) {
      if (fp & Fingerprint.MIRAI) u[w + MIRAI]++;
      else if (fp & Fingerprint.ZMAP) u[w + ZMAP]++;
      else if (fp & Fingerprint.MASSCAN) u[w + MASSCAN]++;
      if (fp & Fingerprint.RESEARCH) u[w + RESEARCH]++;
    }
    f[fw + LAST_F] = p.tsMs;
    this.lastSlot = slot;
  }

  /** True the first time the source in `slot` hits `key` in this interval. */
  firstForPort(slot: number, key: number): boolean {
    const u = this.chunks.u[slot >> CHUNK_BITS];
    const w = (slot & CHUNK_MASK) * REC;
    const tag = key + 1;
    for (let i = w + INLINE; i < w + INLINE + INLINE_PORTS; i++) {
      const v = u[i];
      if (v === tag) return false;
      if (v === 0) {
        u[i] = tag;
        u[w + PORTS]++;
        return true;
      }
    }
    this.overflow.slot(slot, key);
    if (this.overflow.isNew) u[w + PORTS]++;
    return this.overflow.isNew;
  }

  /** Unique sources so far in this interval. */
  get sourceCount(): number {
    return this.index.size;
  }

  /** Starts the next interval without materialising rows (when per-source output is not wanted). */
  reset(): void {
    const chunks = this.chunks;
    this.chunks = { u: [], f: [] };
    this.recycle(chunks, this.index.size);
    this.startNext();
  }

  private startNext(): void {
    this.index.clear();
    this.overflow.clear();
    this.v6Text.clear();
  }

  /**
   * The interval's rows as columns: its chunks are handed over (the next interval takes
   * chunks released by earlier tables' consumers, or fresh ones), so a 90k-source minute
   * costs no per-row objects or strings here.
   */
  endInterval(startMs: number): SourceTable {
    const n = this.index.size;
    const chunks = this.chunks;
    for (let slot = 0; slot < n; slot++) {
      const u = chunks.u[slot >> CHUNK_BITS];
      const w = (slot & CHUNK_MASK) * REC;
      u[w + KIND] = kindCode(u[w + SYN], u[w + MIRAI], u[w + ZMAP], u[w + MASSCAN], u[w + RESEARCH]);
    }
    const texts = this.v6Text.size > 0 ? new Map(this.v6Text) : null;
    const table = new SourceTable(startMs, n, texts, chunks, this.recycle);
    this.chunks = { u: [], f: [] };
    this.startNext();
    return table;
  }
}

const COUNT_FIELDS = ['packets', 'synScan', 'tcpOther', 'udpProbe', 'icmpProbe', 'backscatter', 'ports'] as const;
const COUNT_WORDS = [PACKETS, SYN, TCP_OTHER, UDP, ICMP, BACK, PORTS];

/**
 * One interval's per-source rollups, record by record. Addresses are IPv4 numbers until
 * asked for as text (IPv6 sources carry their text); `row(i)` and `rows()` give objects
 * for callers that want them, writers read the fields.
 */
export class SourceTable {
  private chunks: Chunks;

  constructor(
    readonly bucketMs: number,
    readonly length: number,
    /** Text of the sources that are not IPv4 numbers, by index (IPv6; every row when built from rows). */
    private readonly texts: ReadonlyMap<number, string> | null,
    chunks: Chunks,
    /** Takes the chunks back for the next interval (only for tables the engine made). */
    private readonly recycle: ((chunks: Chunks, used: number) => void) | null = null,
  ) {
    this.chunks = chunks;
  }

  static empty(bucketMs: number): SourceTable {
    return new SourceTable(bucketMs, 0, null, { u: [], f: [] });
  }

  /** A table of rows that arrive as objects (a sensor's batch). */
  static fromRows(bucketMs: number, rows: readonly Omit<SourceRollupRow, 'bucketMs'>[]): SourceTable {
    const chunks: Chunks = { u: [], f: [] };
    const texts = new Map<number, string>();
    rows.forEach((r, i) => {
      if ((i & CHUNK_MASK) === 0) {
        const buffer = new ArrayBuffer(CHUNK_BYTES);
        chunks.u.push(new Uint32Array(buffer));
        chunks.f.push(new Float64Array(buffer));
      }
      const u = chunks.u[i >> CHUNK_BITS];
      const f = chunks.f[i >> CHUNK_BITS];
      const w = (i & CHUNK_MASK) * REC;
      texts.set(i, r.src);
      COUNT_FIELDS.forEach((field, c) => {
        u[w + COUNT_WORDS[c]] = uint32Cell(r[field], `sources.${field}`, 'a per-minute count');
      });
      f[(w >> 1) + BYTES_F] = r.bytes; f[(w >> 1) + FIRST_F] = r.firstMs; f[(w >> 1) + LAST_F] = r.lastMs;
      u[w + KIND] = KINDS.indexOf(r.fingerprint);
    });
    return new SourceTable(bucketMs, rows.length, texts, chunks);
  }

  /**
   * Gives the records back to the engine for reuse: call it when done with the table (the
   * store sink does, after writing). Afterwards the table must not be read. Optional: an
   * unreleased table is simply garbage-collected.
   */
  release(): void {
    if (this.recycle === null || this.chunks.u.length === 0) return;
    const chunks = this.chunks;
    this.chunks = { u: [], f: [] };
    this.recycle(chunks, this.length);
  }

  private word(i: number, at: number): number {
    return this.chunks.u[i >> CHUNK_BITS][(i & CHUNK_MASK) * REC + at];
  }
  private float(i: number, at: number): number {
    return this.chunks.f[i >> CHUNK_BITS][(((i & CHUNK_MASK) * REC) >> 1) + at];
  }

  src(i: number): string {
    const text = this.texts?.get(i);
    if (text !== undefined) return text;
    const a = this.word(i, ADDR);
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  packets(i: number): number { return this.word(i, PACKETS); }
  bytes(i: number): number { return this.float(i, BYTES_F); }
  synScan(i: number): number { return this.word(i, SYN); }
  tcpOther(i: number): number { return this.word(i, TCP_OTHER); }
  udpProbe(i: number): number { return this.word(i, UDP); }
  icmpProbe(i: number): number { return this.word(i, ICMP); }
  backscatter(i: number): number { return this.word(i, BACK); }
  ports(i: number): number { return this.word(i, PORTS); }
  fingerprint(i: number): ScannerKind | null { return KINDS[this.word(i, KIND)]; }
  firstMs(i: number): number { return this.float(i, FIRST_F); }
  lastMs(i: number): number { return this.float(i, LAST_F); }

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
