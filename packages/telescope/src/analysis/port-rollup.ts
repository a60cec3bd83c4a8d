/** Per (protocol, destination port) and bucket: packets, bytes and unique sources. */
import type { PacketClassCode } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import { PairIndex } from './pair-index.js';
import { PORT_KEYS, portKey, portKeyPort, portKeyProto, type IntervalPlugin, type ProtoName } from './plugin.js';

export interface PortRollupRow {
  bucketMs: number;
  proto: ProtoName;
  port: number;
  packets: number;
  bytes: number;
  sources: number;
}

export class PortRollupPlugin implements IntervalPlugin<PortRollupRow[]> {
  readonly name = 'ports';
  /**
   * Per key, 16 bytes side by side (one cache line per packet, not three): packets and
   * unique sources as uint32 words 0 and 1, bytes as the float64 at word 2. Integer
   * counters also come out as small integers, not as a boxed double per row field.
   */
  private readonly cellBuffer = new ArrayBuffer(PORT_KEYS * 16);
  private readonly counts = new Uint32Array(this.cellBuffer);
  private readonly bytes = new Float64Array(this.cellBuffer);
  /** Keys touched this interval, so reporting and resetting cost what was seen, not every key's cells. */
  private readonly touched = new Uint32Array(PORT_KEYS);
  private touchedCount = 0;
  /** (source, port key with the address family in bit 20) pairs seen this interval. */
  private readonly pairs = new PairIndex(1 << 14);

  observe(p: PacketInfo, _cls: PacketClassCode): void {
    const key = portKey(p);
    this.pairs.slot(p.src, p.ipVersion === 6 ? key | 0x100000 : key);
    this.count(key, p.wireLen, this.pairs.isNew);
  }

  /** The engine's path: it already knows whether the source is new to this port (from the source table). */
  count(key: number, bytes: number, newSource: boolean): void {
    const c = this.counts;
    const at = key << 2;
    if (c[at] === 0) this.touched[this.touchedCount++] = key;
    c[at]++;
    if (newSource) c[at + 1]++;
    this.bytes[(key << 1) + 1] += bytes;
  }

  endInterval(startMs: number): PortRollupRow[] {
    const rows: PortRollupRow[] = new Array(this.touchedCount);
    const c = this.counts;
    const b = this.bytes;
    for (let i = 0; i < this.touchedCount; i++) {
      const key = this.touched[i];
      const at = key << 2;
      const bytesAt = (key << 1) + 1;
      rows[i] = { bucketMs: startMs, proto: portKeyProto(key), port: portKeyPort(key), packets: c[at], bytes: b[bytesAt], sources: c[at + 1] };
      c[at] = 0;
      c[at + 1] = 0;
      b[bytesAt] = 0;
    }
    this.touchedCount = 0;
    this.pairs.clear();
    return rows;
  }
}
