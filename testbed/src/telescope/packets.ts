/**
 * Packet builders for the capture generator: Ethernet (optionally VLAN-tagged) frames
 * carrying IPv4 or IPv6 with TCP, UDP or ICMP, written byte by byte from RFC 791/8200/793/768/792
 * so the telescope's decoder is tested against independently built bytes.
 */

export interface Ipv4Spec {
  src: number;
  dst: number;
  proto: number;
  ttl?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8) and the more-fragments flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  /** Raw option bytes (padded to 4 by the builder). */
  options?: Uint8Array;
  payload: Uint8Array;
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  /** MSS option (kind 2) when set. */
  mss?: number;
  payload?: Uint8Array;
}

function checksum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end - 1; i += 2) sum += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) sum += b[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 255;
  b[at + 1] = (v >>> 16) & 255;
  b[at + 2] = (v >>> 8) & 255;
  b[at + 3] = v & 255;
}

export function tcp(spec: TcpSpec): Uint8Array {
  const opt = spec.mss !== undefined ? 4 : 0;
  const payload = spec.payload ?? new Uint8Array(0);
  const b = new Uint8Array(20 + opt + payload.length);
  put16(b, 0, spec.srcPort);
  put16(b, 2, spec.dstPort);
  put32(b, 4, spec.seq >>> 0);
  put32(b, 8, (spec.ack ?? 0) >>> 0);
  b[12] = ((20 + opt) / 4) << 4;
  b[13] = spec.flags;
  put16(b, 14, spec.window ?? 65535);
  if (spec.mss !== undefined) {
    b[20] = 2;
    b[21] = 4;
    put16(b, 22, spec.mss);
  }
  b.set(payload, 20 + opt);
  return b;
}

export function udp(srcPort: number, dstPort: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(8 + payload.length);
  put16(b, 0, srcPort);
  put16(b, 2, dstPort);
  put16(b, 4, b.length);
  b.set(payload, 8);
  return b;
}

/** ICMP (v4) message; errors carry `quoted` (an IP header plus at least 8 bytes). */
export function icmp(type: number, code: number, rest: Uint8Array = new Uint8Array(4)): Uint8Array {
  const b = new Uint8Array(4 + rest.length);
  b[0] = type;
  b[1] = code;
  b.set(rest, 4);
  put16(b, 2, checksum(b, 0, b.length));
  return b;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const optLen = spec.options ? (spec.options.length + 3) & ~3 : 0;
  const ihl = 20 + optLen;
  const b = new Uint8Array(ihl + spec.payload.length);
  b[0] = 0x40 | (ihl >> 2);
  put16(b, 2, b.length);
  put16(b, 4, spec.id ?? 0);
  put16(b, 6, ((spec.fragOffset ?? 0) >> 3) | (spec.moreFragments ? 0x2000 : 0));
  b[8] = spec.ttl ?? 64;
  b[9] = spec.proto;
  put32(b, 12, spec.src);
  put32(b, 16, spec.dst);
  if (spec.options) b.set(spec.options, 20);
  put16(b, 10, checksum(b, 0, ihl));
  b.set(spec.payload, ihl);
  return b;
}

/** IPv6 with an optional chain of destination-options headers (next header 60) before the payload. */
export function ipv6(src: Uint8Array, dst: Uint8Array, proto: number, payload: Uint8Array, extHeaders = 0, hopLimit = 64): Uint8Array {
  const b = new Uint8Array(40 + extHeaders * 8 + payload.length);
  b[0] = 0x60;
  put16(b, 4, b.length - 40);
  b[6] = extHeaders > 0 ? 60 : proto;
  b[7] = hopLimit;
  b.set(src, 8);
  b.set(dst, 24);
  for (let i = 0; i < extHeaders; i++) {
    const at = 40 + i * 8;
    b[at] = i === extHeaders - 1 ? proto : 60;
    b[at + 1] = 0; // 8 bytes: next header, length, PadN of 6
    b[at + 2] = 1;
    b[at + 3] = 4;
  }
  b.set(payload, 40 + extHeaders * 8);
  return b;
}

const MAC_DST = Uint8Array.of(0x02, 0, 0, 0, 0, 1);
const MAC_SRC = Uint8Array.of(0x02, 0, 0, 0, 0, 2);

/** Ethernet II; `vlans` adds that many 802.1Q tags (the first as 802.1ad when two or more: QinQ). */
export function ethernet(ip: Uint8Array, vlans = 0, etherType?: number): Uint8Array {
  const b = new Uint8Array(14 + vlans * 4 + ip.length);
  b.set(MAC_DST, 0);
  b.set(MAC_SRC, 6);
  let at = 12;
  for (let i = 0; i < vlans; i++) {
    put16(b, at, i === 0 && vlans > 1 ? 0x88a8 : 0x8100);
    put16(b, at + 2, 100 + i);
    at += 4;
  }
  put16(b, at, etherType ?? (ip[0] >> 4 === 6 ? 0x86dd : 0x0800));
  b.set(ip, at + 2);
  return b;
}

/** Linux cooked capture v1 (16-byte header) and v2 (20-byte header). */
export function sll(ip: Uint8Array): Uint8Array {
  const b = new Uint8Array(16 + ip.length);
  put16(b, 0, 0); // sent to us
  put16(b, 2, 1); // ARPHRD_ETHER
  put16(b, 4, 6);
  b.set(MAC_SRC, 6);
  put16(b, 14, ip[0] >> 4 === 6 ? 0x86dd : 0x0800);
  b.set(ip, 16);
  return b;
}

export function sll2(ip: Uint8Array): Uint8Array {
  const b = new Uint8Array(20 + ip.length);
  put16(b, 0, ip[0] >> 4 === 6 ? 0x86dd : 0x0800);
  put32(b, 4, 2); // interface index
  put16(b, 8, 1); // ARPHRD_ETHER
  b[10] = 0;
  b[11] = 6;
  b.set(MAC_SRC, 12);
  b.set(ip, 20);
  return b;
}

/** BSD loopback (DLT_NULL): address family in the writer's (here little-endian) byte order. */
export function nullLoopback(ip: Uint8Array): Uint8Array {
  const b = new Uint8Array(4 + ip.length);
  b[0] = ip[0] >> 4 === 6 ? 30 : 2;
  b.set(ip, 4);
  return b;
}

export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
