/**
 * Policy over decoded packets (the Zeek split: the decoder reads, this decides). Pure
 * functions of a `PacketInfo`; the engine stores their answers on the packet's
 * `Observation` so every analysis sees the same verdict.
 */
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN, type PacketInfo } from '../decode/packet.js';
import { isIcmpError } from '../decode/decoder.js';
import { Fingerprint, PacketClass, type PacketClassCode } from './classes.js';

/** ZMap's default IP identification (src/probe_modules/packet.c: `iph->ip_id = htons(54321)`). */
export const ZMAP_IP_ID = 54321;

export function classify(p: PacketInfo): PacketClassCode {
  if (!p.hasTransport || p.problem !== 0) return PacketClass.OTHER;
  switch (p.proto) {
    case PROTO_TCP: {
      const f = p.tcpFlags;
      if (f & TCP_RST) return PacketClass.BACKSCATTER;
      if ((f & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) return PacketClass.BACKSCATTER;
      if (f & TCP_SYN) return PacketClass.SYN_SCAN;
      return PacketClass.TCP_OTHER;
    }
    case PROTO_UDP:
      return PacketClass.UDP_PROBE;
    case PROTO_ICMP:
      // Echo reply (0): the answer to a spoofed ping flood; errors: the answer to a spoofed packet.
      if (p.icmpType === 0 || isIcmpError(PROTO_ICMP, p.icmpType)) return PacketClass.BACKSCATTER;
      return PacketClass.ICMP_PROBE;
    case PROTO_ICMPV6:
      if (p.icmpType === 129 || isIcmpError(PROTO_ICMPV6, p.icmpType)) return PacketClass.BACKSCATTER;
      return PacketClass.ICMP_PROBE;
    default:
      return PacketClass.OTHER;
  }
}

/**
 * Scanner fingerprints of a TCP SYN (0 for anything else):
 * - Mirai: the sequence number equals the destination IPv4 address (its scanner's cheap "cookie");
 * - ZMap: IP id 54321;
 * - masscan: IP id = (dst ^ dport ^ seq) & 0xffff (its SYN-cookie template).
 * They are exclusive, tested in that order. The fourth bit, `Fingerprint.RESEARCH` (the
 * source lies in the operator's list of known research scanners), is the engine's to add:
 * it holds that list.
 */
export function scannerFingerprint(p: PacketInfo): number {
  if (p.proto === PROTO_TCP && p.hasTransport && p.ipVersion === 4 && (p.tcpFlags & (TCP_SYN | TCP_ACK | TCP_RST)) === TCP_SYN) {
    if (p.seq === p.dst) return Fingerprint.MIRAI;
    if (p.ipId === ZMAP_IP_ID) return Fingerprint.ZMAP;
    if (p.ipId === ((p.dst ^ p.dstPort ^ p.seq) & 0xffff)) return Fingerprint.MASSCAN;
  }
  return 0;
}

/**
 * The victim a backscatter packet reveals and the port that was attacked. For SYN-ACK/RST
 * and echo replies it is the sender; for an ICMP error it is the destination of the packet
 * quoted inside (the sender of the error is only a router on the way).
 */
export interface BackscatterTarget {
  victim: number;
  /** -1 when unknown (ICMP without a quoted transport header). */
  port: number;
  /** Protocol of the attack: the quoted one for ICMP errors. */
  proto: number;
}

export function backscatterTarget(p: PacketInfo, out: BackscatterTarget): BackscatterTarget {
  if ((p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) && p.hasQuote) {
    out.victim = p.qDst;
    out.port = p.qHasPorts ? p.qDstPort : -1;
    out.proto = p.qProto;
  } else {
    out.victim = p.src;
    out.port = p.proto === PROTO_TCP ? p.srcPort : -1;
    out.proto = p.proto;
  }
  return out;
}

export function isAmplificationProbe(p: PacketInfo, ports: ReadonlyMap<number, string>): boolean {
  return p.proto === PROTO_UDP && p.hasTransport && ports.has(p.dstPort);
}
