/**
 * Infected hosts: sources whose SYNs bear Mirai's fingerprint. The list is what the survey
 * (which devices to re-check) and flows (known bots when scoring C&C candidates) consume.
 */
import { Fingerprint, type PacketClassCode } from '../classify/classes.js';
import type { PacketInfo } from '../decode/packet.js';
import { sourceText, type IntervalPlugin } from './plugin.js';

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

export class InfectedHostPlugin implements IntervalPlugin<InfectedHostRow[]> {
  readonly name = 'infected';
  private readonly seen = new Map<number, Seen>();
  private lastAddr = -1;
  private lastSeen: Seen | null = null;

  observe(p: PacketInfo, _cls: PacketClassCode, fp: number): void {
    if ((fp & Fingerprint.MIRAI) === 0) return;
    // Bots send in bursts: the previous packet's host is the likeliest next one.
    let s = this.lastAddr === p.src && this.lastSeen !== null ? this.lastSeen : this.seen.get(p.src);
    if (!s) {
      s = { address: sourceText(p), firstMs: p.tsMs, lastMs: p.tsMs, packets: 0, ports: new Set() };
      this.seen.set(p.src, s);
    }
    this.lastAddr = p.src;
    this.lastSeen = s;
    s.packets++;
    s.lastMs = p.tsMs;
    if (s.ports.size < 16) s.ports.add(p.dstPort);
  }

  endInterval(): InfectedHostRow[] {
    const rows: InfectedHostRow[] = [];
    for (const s of this.seen.values()) {
      rows.push({ address: s.address, fingerprint: 'mirai', firstMs: s.firstMs, lastMs: s.lastMs, packets: s.packets, ports: [...s.ports].sort((x, y) => x - y) });
    }
    this.seen.clear();
    this.lastSeen = null;
    return rows;
  }
}
