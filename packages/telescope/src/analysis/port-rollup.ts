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
  private readonly packets = new Float64Array(PORT_KEYS);
  private readonly bytes = new Float64Array(PORT_KEYS);
  private readonly sources = new Uint32Array(PORT_KEYS);
  /** Keys touched this interval, so reporting and resetting cost what was seen, not 327,680 cells. */
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
    if (this.packets[key] === 0) this.touched[this.touchedCount++] = key;
    this.packets[key]++;
    this.bytes[key] += bytes;
    if (newSource) this.sources[key]++;
  }

  endInterval(startMs: number): PortRollupRow[] {
    const rows: PortRollupRow[] = new Array(this.touchedCount);
    for (let i = 0; i < this.touchedCount; i++) {
      const key = this.touched[i];
      rows[i] = {
        bucketMs: startMs, proto: portKeyProto(key), port: portKeyPort(key),
        packets: this.packets[key], bytes: this.bytes[key], sources: this.sources[key],
      };
      this.packets[key] = 0;
      this.bytes[key] = 0;
      this.sources[key] = 0;
    }
    this.touchedCount = 0;
    this.pairs.clear();
    return rows;
  }
}
