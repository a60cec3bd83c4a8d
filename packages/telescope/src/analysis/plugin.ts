/**
 * Analyses are corsaro-style interval plugins: each sees every packet of one time bucket
 * (`observe`), then reports that bucket (`endInterval`) and starts the next. A new
 * analysis is one file implementing this interface.
 */
import { formatIpv4, formatIpv6, ipv6FromBytes } from '@mamori/core';
import type { PacketClassCode } from '../classify/classes.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type PacketInfo } from '../decode/packet.js';

export interface IntervalPlugin<R> {
  readonly name: string;
  observe(p: PacketInfo, cls: PacketClassCode, fingerprint: number): void;
  endInterval(startMs: number, endMs: number): R;
}

export type ProtoName = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';
export const PROTO_NAMES: readonly ProtoName[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];

/**
 * One number per (protocol, port): TCP and UDP destination ports, ICMP types, and for
 * other protocols the IP protocol number. Fits in 19 bits.
 */
export function portKey(p: PacketInfo): number {
  if (p.hasTransport) {
    switch (p.proto) {
      case PROTO_TCP: return p.dstPort;
      case PROTO_UDP: return 65536 + p.dstPort;
      case PROTO_ICMP: return 131072 + p.icmpType;
      case PROTO_ICMPV6: return 196608 + p.icmpType;
    }
  }
  return 262144 + p.proto;
}
export const PORT_KEYS = 5 * 65536;

export function portKeyProto(key: number): ProtoName {
  return PROTO_NAMES[key >>> 16];
}
export function portKeyPort(key: number): number {
  return key & 0xffff;
}
const PROTO_INDEX: Record<ProtoName, number> = { tcp: 0, udp: 1, icmp: 2, icmpv6: 3, other: 4 };
export function makePortKey(proto: ProtoName, port: number): number {
  return PROTO_INDEX[proto] * 65536 + port;
}

/** Text of the packet's source address (allocates: call once per source per interval, not per packet). */
export function sourceText(p: PacketInfo): string {
  return p.ipVersion === 6 ? formatIpv6(ipv6FromBytes(p.src6)) : formatIpv4(p.src);
}
