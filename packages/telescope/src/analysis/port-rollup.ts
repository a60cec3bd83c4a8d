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
  /** Packets, bytes and unique sources per key side by side: one cache line per packet, not three. */
  private readonly cells = new Float64Array(PORT_KEYS * 4);
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
    const c = this.cells;
    const at = key << 2;
    if (c[at] === 0) this.touched[this.touchedCount++] = key;
    c[at]++;
    c[at + 1] += bytes;
    if (newSource) c[at + 2]++;
  }

  endInterval(startMs: number): PortRollupRow[] {
    const rows: PortRollupRow[] = new Array(this.touchedCount);
    const c = this.cells;
    for (let i = 0; i < this.touchedCount; i++) {
      const key = this.touched[i];
      const at = key << 2;
      rows[i] = { bucketMs: startMs, proto: portKeyProto(key), port: portKeyPort(key), packets: c[at], bytes: c[at + 1], sources: c[at + 2] };
      c[at] = 0;
      c[at + 1] = 0;
      c[at + 2] = 0;
    }
    this.touchedCount = 0;
    this.pairs.clear();
    return rows;
  }
}
