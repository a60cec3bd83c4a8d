/** Interval totals: packets, bytes and unique sources, per class and overall (the dashboard's time series). */
import { AMPLIFICATION_PORTS, PACKET_CLASS_NAMES, PacketClass, type PacketClassCode, type PacketClassName } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import type { IntervalPlugin } from './plugin.js';

export interface IntervalSummary {
  bucketMs: number;
  packets: number;
  bytes: number;
  sources: number;
  byClass: Record<PacketClassName, number>;
  amplificationProbes: number;
  fingerprinted: { mirai: number; zmap: number; masscan: number; research: number };
}

/** The amplification ports as a 64 KiB table: a byte read per UDP probe instead of a Map lookup. */
const AMPLIFICATION = new Uint8Array(65536);
for (const port of AMPLIFICATION_PORTS.keys()) AMPLIFICATION[port] = 1;

export class SummaryPlugin implements IntervalPlugin<IntervalSummary> {
  readonly name = 'summary';
  private packets = 0;
  private bytes = 0;
  private readonly byClass = new Float64Array(PACKET_CLASS_NAMES.length);
  private readonly byFingerprint = new Float64Array(16);
  private amplification = 0;

  observe(p: PacketInfo, cls: PacketClassCode, fp: number): void {
    this.packets++;
    this.bytes += p.wireLen;
    this.byClass[cls]++;
    if (fp !== 0) this.byFingerprint[fp]++;
    if (cls === PacketClass.UDP_PROBE && AMPLIFICATION[p.dstPort] === 1) this.amplification++;
  }

  /** `sources`: unique sources of the interval, which the source rollup already counts. */
  endInterval(startMs: number, _endMs = 0, sources = 0): IntervalSummary {
    const byClass = {} as Record<PacketClassName, number>;
    PACKET_CLASS_NAMES.forEach((n, i) => { byClass[n] = this.byClass[i]; });
    const fpCount = (bit: number): number => this.byFingerprint.reduce((a, v, i) => (i & bit ? a + v : a), 0);
    const out: IntervalSummary = {
      bucketMs: startMs, packets: this.packets, bytes: this.bytes, sources, byClass,
      amplificationProbes: this.amplification,
      fingerprinted: { mirai: fpCount(1), zmap: fpCount(2), masscan: fpCount(4), research: fpCount(8) },
    };
    this.packets = 0;
    this.bytes = 0;
    this.amplification = 0;
    this.byClass.fill(0);
    this.byFingerprint.fill(0);
    return out;
  }
}
