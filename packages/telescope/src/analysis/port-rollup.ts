/** Per (protocol, destination port) and bucket: packets, bytes and unique sources. */
import type { PacketClassCode } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import type { CampaignDetector } from './campaigns.js';
import { PairIndex } from './pair-index.js';
import { PORT_KEYS, portKey, portKeyPort, portKeyProtoCode, type IntervalPlugin } from './plugin.js';
import { PortColumns, PortTable } from './port-table.js';

export class PortRollupPlugin implements IntervalPlugin<PortTable> {
  readonly name = 'ports';
  /**
   * Per key, 16 bytes side by side (one cache line per packet, not three): packets and
   * unique sources as uint32 words 0 and 1, bytes as the float64 at word 2. Integer
   * counters also come out as small integers, not as a boxed double per row field.
   */
  private readonly cellBuffer = new ArrayBuffer(PORT_KEYS * 16);
  private readonly counts = new Uint32Array(this.cellBuffer);
  private readonly bytes = new Float64Array(this.cellBuffer);
  /**
   * Keys touched this interval as a bitmap, and the row each got (the order of first
   * touch): closing walks the touched keys in key order, so the cells and the campaign
   * baselines are read front to back instead of at random, yet rows keep their order.
   */
  private readonly touched = new Uint32Array(PORT_KEYS >> 5);
  private readonly rowOf = new Uint32Array(PORT_KEYS);
  private touchedCount = 0;
  /** (source, port key with the address family in bit 20) pairs seen this interval. */
  private readonly pairs = new PairIndex(1 << 14);
  /** Columns consumers gave back (`PortTable.release`); every row of a table is written, so no zeroing. */
  private readonly spare: PortColumns[] = [];
  private readonly recycle = (cols: PortColumns): void => {
    this.spare.push(cols);
  };

  observe(p: PacketInfo, _cls: PacketClassCode): void {
    const key = portKey(p);
    this.pairs.slot(p.src, p.ipVersion === 6 ? key | 0x100000 : key);
    this.count(key, p.wireLen, this.pairs.isNew);
  }

  /** The engine's path: it already knows whether the source is new to this port (from the source table). */
  count(key: number, bytes: number, newSource: boolean): void {
    const c = this.counts;
    const at = key << 2;
    if (c[at] === 0) {
      this.rowOf[key] = this.touchedCount++;
      this.touched[key >> 5] |= 1 << (key & 31);
    }
    c[at]++;
    if (newSource) c[at + 1]++;
    this.bytes[(key << 1) + 1] += bytes;
  }

  endInterval(startMs: number): PortTable {
    return this.endIntervalFolding(startMs, null);
  }

  /**
   * The interval's rows as columns, and (the engine's close) each port folded into the
   * campaign baselines in the same walk over the touched keys: one pass, no row objects.
   * Alerts come out in row order (`fold` is told each port's row), as they would from
   * `CampaignDetector.update`.
   */
  endIntervalFolding(startMs: number, campaigns: CampaignDetector | null): PortTable {
    const n = this.touchedCount;
    // Capacity for every key, so any spare fits; only the pages rows are written to get touched.
    const cols = this.spare.pop() ?? new PortColumns(PORT_KEYS);
    const { packets, sources, bytes, port, proto } = cols;
    const c = this.counts;
    const b = this.bytes;
    if (campaigns !== null) campaigns.startBucket(startMs);
    const touched = this.touched;
    const rowOf = this.rowOf;
    for (let w = 0; w < touched.length; w++) {
      let bits = touched[w] | 0;
      if (bits === 0) continue;
      touched[w] = 0;
      while (bits !== 0) {
        const low = bits & -bits;
        bits ^= low;
        const key = (w << 5) + 31 - Math.clz32(low);
        const i = rowOf[key];
        const at = key << 2;
        const bytesAt = (key << 1) + 1;
        const p = c[at];
        const s = c[at + 1];
        packets[i] = p;
        sources[i] = s;
        bytes[i] = b[bytesAt];
        port[i] = portKeyPort(key);
        proto[i] = portKeyProtoCode(key);
        c[at] = 0;
        c[at + 1] = 0;
        b[bytesAt] = 0;
        if (campaigns !== null) campaigns.fold(key, s, p, i);
      }
    }
    this.touchedCount = 0;
    this.pairs.clear();
    return new PortTable(startMs, n, cols, this.recycle);
  }
}
