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

export function scannerKind(synScan: number, mirai: number, zmap: number, masscan: number, research: number): ScannerKind | null {
  if (research > 0) return 'research';
  const half = synScan / 2;
  if (mirai > half) return 'mirai';
  if (zmap > half) return 'zmap';
  if (masscan > half) return 'masscan';
  return null;
}

export class SourceRollupPlugin implements IntervalPlugin<SourceRollupRow[]> {
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
    const n = this.index.size;
    this.cols.clear(n * WIDTH);
    this.index.clear();
    this.inline.fill(0, 0, n * INLINE_PORTS);
    this.overflow.clear();
    this.v6Text.clear();
  }

  endInterval(startMs: number): SourceRollupRow[] {
    const n = this.index.size;
    const rows: SourceRollupRow[] = new Array(n);
    const c = this.cols.values;
    for (let slot = 0; slot < n; slot++) {
      const b = slot * WIDTH;
      const family = this.index.denseB[slot];
      const addr = this.index.denseA[slot];
      rows[slot] = {
        bucketMs: startMs,
        src: family === 6 ? this.v6Text.get(slot)! : `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`,
        packets: c[b + PACKETS], bytes: c[b + BYTES], synScan: c[b + SYN], tcpOther: c[b + TCP_OTHER],
        udpProbe: c[b + UDP], icmpProbe: c[b + ICMP], backscatter: c[b + BACK], ports: c[b + PORTS],
        fingerprint: scannerKind(c[b + SYN], c[b + MIRAI], c[b + ZMAP], c[b + MASSCAN], c[b + RESEARCH]),
        firstMs: c[b + FIRST], lastMs: c[b + LAST],
      };
    }
    this.reset();
    return rows;
  }
}
