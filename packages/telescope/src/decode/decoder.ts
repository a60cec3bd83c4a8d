/**
 * The packet decoder: link layer, IPv4 (options, fragments), IPv6 (extension headers,
 * with a bounded chain), TCP (flags, sequence, window, options), UDP, ICMP and ICMPv6
 * (with the packet an error message quotes). It only reads bytes into a `PacketInfo`;
 * deciding what a packet means is the classifier's job.
 *
 * Malformed packets are the norm on a darknet, so `decodeFrame` never throws: it records
 * the problem and where it is (`problem`, `problemAt`). `decodeOrThrow` turns that into
 * a MamoriError for callers that want one.
 */
import { MamoriError } from '@mamori/core';
import { ipOffset, LINK_TRUNCATED, NOT_IP } from './link.js';
import {
  DECODE_PROBLEM_NAMES, DecodeProblem, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  type DecodeProblemCode, type PacketInfo,
} from './packet.js';

/** IPv6 extension headers followed before giving up: real stacks send two or three. */
export const MAX_EXTENSION_HEADERS = 8;

function fnv6(b: Uint8Array, at: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[at + i], 0x01000193);
  return h >>> 0;
}

function fail(p: PacketInfo, problem: DecodeProblemCode, at: number, base: number): false {
  p.problem = problem;
  p.problemAt = at - base;
  p.ipVersion = 0;
  return false;
}

/** Decodes one frame into `p` (reset by the caller); returns true when an IP header was read. */
export function decodeFrame(b: Uint8Array, off: number, caplen: number, linkType: number, p: PacketInfo): boolean {
  const at = ipOffset(b, off, caplen, linkType);
  if (at === NOT_IP) return false;
  if (at === LINK_TRUNCATED) return fail(p, DecodeProblem.TRUNCATED_LINK, off + caplen, off);
  return decodeIp(b, at, off + caplen, p, off);
}

function decodeIp(b: Uint8Array, at: number, end: number, p: PacketInfo, base: number): boolean {
  if (at >= end) return fail(p, DecodeProblem.TRUNCATED_IP, at, base);
  const version = b[at] >> 4;
  if (version === 4) return decodeIpv4(b, at, end, p, base);
  if (version === 6) return decodeIpv6(b, at, end, p, base);
  return fail(p, DecodeProblem.BAD_IP_VERSION, at, base);
}

function decodeIpv4(b: Uint8Array, at: number, end: number, p: PacketInfo, base: number): boolean {
  if (end - at < 20) return fail(p, DecodeProblem.TRUNCATED_IP, end, base);
  const ihl = (b[at] & 0x0f) << 2;
  if (ihl < 20) return fail(p, DecodeProblem.BAD_IP_HEADER_LENGTH, at, base);
  if (end - at < ihl) return fail(p, DecodeProblem.TRUNCATED_IP, end, base);
  const total = (b[at + 2] << 8) | b[at + 3];
  if (total < ihl) return fail(p, DecodeProblem.BAD_IP_TOTAL_LENGTH, at + 2, base);
  if (ihl > 20 && !optionsFit(b, at + 20, at + ihl)) return fail(p, DecodeProblem.BAD_IP_OPTIONS, at + 20, base);
  p.ipVersion = 4;
  p.ipLen = total;
  p.ipOptionsLen = ihl - 20;
  p.ipId = (b[at + 4] << 8) | b[at + 5];
  const frag = (b[at + 6] << 8) | b[at + 7];
  p.moreFragments = (frag & 0x2000) !== 0;
  p.fragOffset = (frag & 0x1fff) << 3;
  p.ttl = b[at + 8];
  p.proto = b[at + 9];
  p.src = ((b[at + 12] << 24) | (b[at + 13] << 16) | (b[at + 14] << 8) | b[at + 15]) >>> 0;
  p.dst = ((b[at + 16] << 24) | (b[at + 17] << 16) | (b[at + 18] << 8) | b[at + 19]) >>> 0;
  if (p.fragOffset !== 0) return true; // a later fragment: no transport header here
  // Trust the IP length over the frame when the frame is longer (Ethernet padding).
  const l4End = at + total < end ? at + total : end;
  return decodeTransport(b, at + ihl, l4End, p, base);
}

/** IPv4 options are type-length-value except EOL (0) and NOP (1); each must end inside the header. */
function optionsFit(b: Uint8Array, o: number, end: number): boolean {
  while (o < end) {
    const type = b[o];
    if (type === 0) return true;
    if (type === 1) { o++; continue; }
    if (o + 1 >= end) return false;
    const len = b[o + 1];
    if (len < 2 || o + len > end) return false;
    o += len;
  }
  return true;
}

function decodeIpv6(b: Uint8Array, at: number, end: number, p: PacketInfo, base: number): boolean {
  if (end - at < 40) return fail(p, DecodeProblem.TRUNCATED_IP, end, base);
  p.ipVersion = 6;
  p.ipLen = 40 + ((b[at + 4] << 8) | b[at + 5]);
  p.ttl = b[at + 7];
  p.ipId = 0;
  p.src6.set(b.subarray(at + 8, at + 24));
  p.dst6.set(b.subarray(at + 24, at + 40));
  p.src = fnv6(b, at + 8);
  p.dst = fnv6(b, at + 24);
  let next = b[at + 6];
  let o = at + 40;
  const payloadEnd = at + p.ipLen < end ? at + p.ipLen : end;
  for (;;) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      // Hop-by-hop, routing, destination options, mobility, HIP, shim6: length in 8-byte units past the first 8.
      if (++p.extHeaders > MAX_EXTENSION_HEADERS) return fail(p, DecodeProblem.EXTENSION_CHAIN_TOO_DEEP, o, base);
      if (payloadEnd - o < 8) return fail(p, DecodeProblem.TRUNCATED_EXTENSION, o, base);
      next = b[o];
      o += 8 + (b[o + 1] << 3);
    } else if (next === 44) { // fragment header
      if (++p.extHeaders > MAX_EXTENSION_HEADERS) return fail(p, DecodeProblem.EXTENSION_CHAIN_TOO_DEEP, o, base);
      if (payloadEnd - o < 8) return fail(p, DecodeProblem.TRUNCATED_EXTENSION, o, base);
      const frag = (b[o + 2] << 8) | b[o + 3];
      p.fragOffset = frag & 0xfff8;
      p.moreFragments = (frag & 1) !== 0;
      p.ipId = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
      next = b[o];
      o += 8;
    } else if (next === 51) { // authentication header: length in 4-byte units past the first 8
      if (++p.extHeaders > MAX_EXTENSION_HEADERS) return fail(p, DecodeProblem.EXTENSION_CHAIN_TOO_DEEP, o, base);
      if (payloadEnd - o < 8) return fail(p, DecodeProblem.TRUNCATED_EXTENSION, o, base);
      next = b[o];
      o += (b[o + 1] + 2) << 2;
    } else break;
  }
  p.proto = next;
  if (o > payloadEnd) return fail(p, DecodeProblem.TRUNCATED_EXTENSION, payloadEnd, base);
  if (p.fragOffset !== 0) return true;
  return decodeTransport(b, o, payloadEnd, p, base);
}

function decodeTransport(b: Uint8Array, o: number, end: number, p: PacketInfo, base: number): boolean {
  const avail = end - o;
  switch (p.proto) {
    case PROTO_TCP: {
      if (avail < 20) return truncatedTransport(p, end, base);
      const doff = (b[o + 12] >> 4) << 2;
      if (doff < 20) return fail(p, DecodeProblem.BAD_TCP_HEADER_LENGTH, o + 12, base);
      p.srcPort = (b[o] << 8) | b[o + 1];
      p.dstPort = (b[o + 2] << 8) | b[o + 3];
      p.seq = ((b[o + 4] << 24) | (b[o + 5] << 16) | (b[o + 6] << 8) | b[o + 7]) >>> 0;
      p.ack = ((b[o + 8] << 24) | (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11]) >>> 0;
      p.tcpFlags = b[o + 13];
      p.window = (b[o + 14] << 8) | b[o + 15];
      p.tcpOptionsLen = doff - 20;
      p.hasTransport = true;
      if (doff > 20) tcpOptions(b, o + 20, Math.min(o + doff, end), p);
      return true;
    }
    case PROTO_UDP:
      if (avail < 8) return truncatedTransport(p, end, base);
      p.srcPort = (b[o] << 8) | b[o + 1];
      p.dstPort = (b[o + 2] << 8) | b[o + 3];
      p.hasTransport = true;
      return true;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      if (avail < 4) return truncatedTransport(p, end, base);
      p.icmpType = b[o];
      p.icmpCode = b[o + 1];
      p.hasTransport = true;
      if (isIcmpError(p.proto, p.icmpType) && avail >= 8) decodeQuote(b, o + 8, end, p);
      return true;
    default:
      return true;
  }
}

function truncatedTransport(p: PacketInfo, end: number, base: number): true {
  // The IP header is sound, so keep addresses and protocol: the packet still counts per protocol.
  p.problem = DecodeProblem.TRUNCATED_TRANSPORT;
  p.problemAt = end - base;
  return true;
}

/** MSS and window scale: what SYN fingerprints look at. Stops quietly at a malformed option. */
function tcpOptions(b: Uint8Array, o: number, end: number, p: PacketInfo): void {
  while (o < end) {
    const kind = b[o];
    if (kind === 0) return;
    if (kind === 1) { o++; continue; }
    if (o + 1 >= end) return;
    const len = b[o + 1];
    if (len < 2 || o + len > end) return;
    if (kind === 2 && len === 4) p.mss = (b[o + 2] << 8) | b[o + 3];
    else if (kind === 3 && len === 3) p.wscale = b[o + 2];
    o += len;
  }
}

/** ICMP destination unreachable, source quench, redirect, time exceeded, parameter problem; ICMPv6 types 1–4. */
export function isIcmpError(proto: number, type: number): boolean {
  return proto === PROTO_ICMP ? type === 3 || type === 4 || type === 5 || type === 11 || type === 12 : type >= 1 && type <= 4;
}

/** The quoted packet: its IP header and the first 8 bytes after it (enough for both ports). */
function decodeQuote(b: Uint8Array, o: number, end: number, p: PacketInfo): void {
  if (end - o < 1) return;
  const version = b[o] >> 4;
  let l4: number;
  if (version === 4) {
    const ihl = (b[o] & 0x0f) << 2;
    if (ihl < 20 || end - o < ihl) return;
    p.qVersion = 4;
    p.qProto = b[o + 9];
    p.qSrc = ((b[o + 12] << 24) | (b[o + 13] << 16) | (b[o + 14] << 8) | b[o + 15]) >>> 0;
    p.qDst = ((b[o + 16] << 24) | (b[o + 17] << 16) | (b[o + 18] << 8) | b[o + 19]) >>> 0;
    l4 = ((b[o + 6] & 0x1f) | b[o + 7]) === 0 ? o + ihl : -1;
  } else if (version === 6) {
    if (end - o < 40) return;
    p.qVersion = 6;
    p.qProto = b[o + 6]; // extension headers in a quote are rare; ports only for a direct TCP/UDP
    p.qSrc6.set(b.subarray(o + 8, o + 24));
    p.qDst6.set(b.subarray(o + 24, o + 40));
    p.qSrc = fnv6(b, o + 8);
    p.qDst = fnv6(b, o + 24);
    l4 = o + 40;
  } else return;
  p.hasQuote = true;
  if (l4 >= 0 && end - l4 >= 4 && (p.qProto === PROTO_TCP || p.qProto === PROTO_UDP)) {
    p.qSrcPort = (b[l4] << 8) | b[l4 + 1];
    p.qDstPort = (b[l4 + 2] << 8) | b[l4 + 3];
    p.qHasPorts = true;
  }
}

/** Decodes and throws a MamoriError (with the frame offset at fault) if the packet is malformed. */
export function decodeOrThrow(b: Uint8Array, off: number, caplen: number, linkType: number, p: PacketInfo, recordOffset = 0): PacketInfo {
  p.reset(p.tsMs, caplen);
  decodeFrame(b, off, caplen, linkType, p);
  if (p.problem !== DecodeProblem.NONE) {
    throw new MamoriError('MAMORI_TELESCOPE_PACKET', {
      offset: recordOffset + p.problemAt, reason: DECODE_PROBLEM_NAMES[p.problem], frameOffset: p.problemAt,
    });
  }
  return p;
}
