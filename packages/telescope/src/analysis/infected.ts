/**
 * Infected hosts: sources whose SYNs bear Mirai's fingerprint. The list is what the survey
 * (which devices to re-check) and flows (known bots when scoring C&C candidates) consume.
 */
import { Fingerprint } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import { sourceText } from './plugin.js';

export interface InfectedHostRow {
  address: string;
  fingerprint: 'mirai';
  firstMs: number;
  lastMs: number;
  /** Fingerprinted packets in the interval reported. */
  packets: number;
  /** Destination ports scanned (up to 16). */
  ports: number[];
}

interface Seen {
  address: string;
  firstMs: number;
  lastMs: number;
  packets: number;
  ports: Set<number>;
}

/**
 * Not a packet-level `IntervalPlugin`: it keys hosts by the source rollup's slot, so the
 * engine calls `observeSlot` with the slot the source rollup has just looked up.
 */
export class InfectedHostPlugin {
  readonly name = 'infected';
  /** Hosts in first-seen order, and by the source rollup's slot (index + 1): no hash lookup per bot packet. */
  private readonly list: Seen[] = [];
  private bySlot = new Int32Array(1 << 14);
  private readonly slots: number[] = [];

  /** `slot`: the source's dense index in this interval's source rollup. */
  observeSlot(p: PacketInfo, fp: number, slot: number): void {
    if ((fp & Fingerprint.MIRAI) === 0) return;
    if (slot >= this.bySlot.length) {
      const bigger = new Int32Array(Math.max(this.bySlot.length * 2, slot + 1));
      bigger.set(this.bySlot);
      this.bySlot = bigger;
    }
    const i = this.bySlot[slot];
    let s: Seen;
    if (i === 0) {
      s = this.add(p);
      this.bySlot[slot] = this.list.length;
      this.slots.push(slot);
    } else s = this.list[i - 1];
    count(s, p);
  }

  private add(p: PacketInfo): Seen {
    const s = { address: sourceText(p), firstMs: p.tsMs, lastMs: p.tsMs, packets: 0, ports: new Set<number>() };
    this.list.push(s);
    return s;
  }

  endInterval(): InfectedHostRow[] {
    const rows = this.list.map((s): InfectedHostRow => (
      { address: s.address, fingerprint: 'mirai', firstMs: s.firstMs, lastMs: s.lastMs, packets: s.packets, ports: [...s.ports].sort((x, y) => x - y) }
    ));
    for (const slot of this.slots) this.bySlot[slot] = 0;
    this.slots.length = 0;
    this.list.length = 0;
    return rows;
  }
}

function count(s: Seen, p: PacketInfo): void {
  s.packets++;
  s.lastMs = p.tsMs;
  if (s.ports.size < 16) s.ports.add(p.dstPort);
}
