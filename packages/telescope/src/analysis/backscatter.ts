/**
 * DDoS victims inferred from backscatter (Moore et al., "Inferring Internet
 * Denial-of-Service Activity", 2001; thresholds of corsaro3's dos plugin). A victim's
 * attack vector lives across intervals until it has been quiet for `vectorTimeoutMs`; it
 * is reported once it has at least `minPackets` packets, lasted `minDurationMs`, and
 * reached `minPacketsPerMinute` in some one-minute window. The attack rate is the observed
 * rate scaled by 2^32 / darknet size: a spoofing attacker picks sources uniformly, so the
 * darknet sees its share of the replies.
 */
import { formatIpv4, formatIpv6, ipv6FromBytes } from '@mamori/core';
import { PacketClass, type PacketClassCode } from '../classify/classes.js';
import { backscatterTarget, type BackscatterTarget } from '../classify/classify.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type PacketInfo } from '../decode/packet.js';
import type { IntervalPlugin } from './plugin.js';

export interface BackscatterThresholds {
  minPackets: number;
  minDurationMs: number;
  minPacketsPerMinute: number;
  vectorTimeoutMs: number;
}

/** corsaro3 dos plugin defaults. */
export const CORSARO_DOS_THRESHOLDS: BackscatterThresholds = {
  minPackets: 25, minDurationMs: 60_000, minPacketsPerMinute: 30, vectorTimeoutMs: 300_000,
};

export interface VictimRow {
  victim: string;
  firstMs: number;
  lastMs: number;
  packets: number;
  bytes: number;
  /** Attacked ports (up to 32), as `proto/port`. */
  ports: string[];
  /** Highest packet count in any one-minute window. */
  maxPpm: number;
  observedPps: number;
  /** observedPps × 2^32 / darknet size; null when the darknet size is unknown. */
  estimatedAttackPps: number | null;
}

interface Vector {
  victim: string;
  firstMs: number;
  lastMs: number;
  packets: number;
  bytes: number;
  /** Attacked ports as proto × 65536 + port: text only when reported (not one string per packet). */
  ports: Set<number>;
  windowStartMs: number;
  windowPackets: number;
  maxPpm: number;
  activeThisInterval: boolean;
}

const MAX_PORTS = 32;

function protoName(proto: number): string {
  return proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : proto === PROTO_ICMP ? 'icmp' : proto === PROTO_ICMPV6 ? 'icmpv6' : `ip${proto}`;
}

export class BackscatterPlugin implements IntervalPlugin<VictimRow[]> {
  readonly name = 'victims';
  private readonly vectors = new Map<number, Vector>();
  private readonly target: BackscatterTarget = { victim: 0, port: -1, proto: 0 };

  constructor(
    /** Addresses in the darknet (IPv4); 0 when unknown. */
    private readonly darknetSize: number,
    private readonly t: BackscatterThresholds = CORSARO_DOS_THRESHOLDS,
  ) {}

  observe(p: PacketInfo, cls: PacketClassCode): void {
    if (cls !== PacketClass.BACKSCATTER) return;
    const tgt = backscatterTarget(p, this.target);
    const fromQuote = p.hasQuote && (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6);
    const v6 = fromQuote ? p.qVersion === 6 : p.ipVersion === 6;
    // IPv6 victims are keyed by their 32-bit hash above 2^32 so they never meet an IPv4 key.
    const key = v6 ? tgt.victim + 4294967296 : tgt.victim;
    let v = this.vectors.get(key);
    if (!v) {
      const text = v6 ? formatIpv6(ipv6FromBytes(fromQuote ? p.qDst6 : p.src6)) : formatIpv4(tgt.victim);
      v = { victim: text, firstMs: p.tsMs, lastMs: p.tsMs, packets: 0, bytes: 0, ports: new Set(), windowStartMs: p.tsMs, windowPackets: 0, maxPpm: 0, activeThisInterval: true };
      this.vectors.set(key, v);
    }
    v.packets++;
    v.bytes += p.wireLen;
    if (p.tsMs > v.lastMs) v.lastMs = p.tsMs;
    v.activeThisInterval = true;
    if (p.tsMs - v.windowStartMs >= 60_000) {
      v.windowStartMs = p.tsMs;
      v.windowPackets = 0;
    }
    if (++v.windowPackets > v.maxPpm) v.maxPpm = v.windowPackets;
    if (tgt.port >= 0 && v.ports.size < MAX_PORTS) v.ports.add(tgt.proto * 65536 + tgt.port);
  }

  private qualifies(v: Vector): boolean {
    return v.packets >= this.t.minPackets && v.lastMs - v.firstMs >= this.t.minDurationMs && v.maxPpm >= this.t.minPacketsPerMinute;
  }

  endInterval(_startMs: number, endMs: number): VictimRow[] {
    const rows: VictimRow[] = [];
    for (const [key, v] of this.vectors) {
      if (v.activeThisInterval && this.qualifies(v)) {
        const seconds = Math.max((v.lastMs - v.firstMs) / 1000, 1);
        const observedPps = v.packets / seconds;
        rows.push({
          victim: v.victim, firstMs: v.firstMs, lastMs: v.lastMs, packets: v.packets, bytes: v.bytes,
          ports: [...v.ports].map((k) => `${protoName(Math.floor(k / 65536))}/${k % 65536}`).sort(), maxPpm: v.maxPpm, observedPps,
          estimatedAttackPps: this.darknetSize > 0 ? observedPps * (4294967296 / this.darknetSize) : null,
        });
      }
      v.activeThisInterval = false;
      if (endMs - v.lastMs > this.t.vectorTimeoutMs) this.vectors.delete(key);
    }
    return rows;
  }
}
