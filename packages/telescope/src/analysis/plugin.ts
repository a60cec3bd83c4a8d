/**
 * Analyses are corsaro-style interval plugins: each sees every packet of one time bucket
 * (`observe`), then reports that bucket (`endInterval`) and starts the next. A new
 * analysis is one file implementing this interface.
 */
import { MamoriError, formatIpv4, formatIpv6, ipv6FromBytes } from '@mamori/core';
import type { PacketClassCode } from '../classify/classes.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type PacketInfo } from '../decode/packet.js';

export interface IntervalPlugin<R> {
  readonly name: string;
  observe(p: PacketInfo, cls: PacketClassCode, fingerprint: number): void;
  endInterval(startMs: number, endMs: number): R;
}

export type ProtoName = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'other';

/**
 * One number per (protocol, port), dense so that per-key tables stay small (every page of
 * them a first-touch fault less): TCP and UDP destination ports, then ICMP and ICMPv6
 * types, then other IP protocol numbers. 131,840 keys.
 */
const UDP_BASE = 65536;
const ICMP_BASE = 131072;
const ICMPV6_BASE = ICMP_BASE + 256;
const OTHER_BASE = ICMPV6_BASE + 256;
export const PORT_KEYS = OTHER_BASE + 256;

export function portKey(p: PacketInfo): number {
  if (p.hasTransport) {
    switch (p.proto) {
      case PROTO_TCP: return p.dstPort;
      case PROTO_UDP: return UDP_BASE + p.dstPort;
      case PROTO_ICMP: return ICMP_BASE + p.icmpType;
      case PROTO_ICMPV6: return ICMPV6_BASE + p.icmpType;
    }
  }
  return OTHER_BASE + p.proto;
}

/** Protocol names by code (the order of the key ranges). */
export const PROTO_NAMES: readonly ProtoName[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];
export function portKeyProtoCode(key: number): number {
  if (key < ICMP_BASE) return key < UDP_BASE ? 0 : 1;
  return key < ICMPV6_BASE ? 2 : key < OTHER_BASE ? 3 : 4;
}
export function portKeyProto(key: number): ProtoName {
  return PROTO_NAMES[portKeyProtoCode(key)];
}
export function portKeyPort(key: number): number {
  return key < ICMP_BASE ? key & 0xffff : key & 0xff;
}
const PROTO_BASE: Record<ProtoName, number> = { tcp: 0, udp: UDP_BASE, icmp: ICMP_BASE, icmpv6: ICMPV6_BASE, other: OTHER_BASE };
/** The key of a rollup row's (protocol, port); -1 when the port cannot be one of that protocol's. */
export function makePortKey(proto: ProtoName, port: number): number {
  const base = PROTO_BASE[proto] as number | undefined;
  const limit = proto === 'tcp' || proto === 'udp' ? 65536 : 256;
  return base !== undefined && Number.isInteger(port) && port >= 0 && port < limit ? base + port : -1;
}

/** Text of the packet's source address (allocates: call once per source per interval, not per packet). */
export function sourceText(p: PacketInfo): string {
  return p.ipVersion === 6 ? formatIpv6(ipv6FromBytes(p.src6)) : formatIpv4(p.src);
}

/**
 * A per-minute counter from outside the engine (a sensor's batch, a test) as the uint32 the
 * tables hold; anything else is refused naming the field (`<table>.<field>`), never wrapped.
 */
export function uint32Cell(v: number, field: string, what: string): number {
  if (!(v >= 0 && v <= 0xffffffff && Number.isInteger(v))) {
    throw new MamoriError('MAMORI_TELESCOPE_INPUT', { field, reason: `${v} is not ${what} (0 … 2^32 - 1)` });
  }
  return v;
}
