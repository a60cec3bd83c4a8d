/**
 * What the decoder learns from one frame. One instance is reused for every packet (the hot
 * path allocates nothing); analyses read it during their `observe` call and copy what they
 * keep. IPv4 addresses are unsigned 32-bit integers; IPv6 addresses are 16 bytes in
 * `src6`/`dst6` plus a 32-bit hash in `src`/`dst`, so rollups can key both families alike.
 */

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Why a frame could not be decoded (0: it could). */
export const DecodeProblem = {
  NONE: 0,
  TRUNCATED_LINK: 1,
  BAD_IP_VERSION: 2,
  BAD_IP_HEADER_LENGTH: 3,
  TRUNCATED_IP: 4,
  BAD_IP_TOTAL_LENGTH: 5,
  EXTENSION_CHAIN_TOO_DEEP: 6,
  TRUNCATED_EXTENSION: 7,
  TRUNCATED_TRANSPORT: 8,
  BAD_TCP_HEADER_LENGTH: 9,
  BAD_IP_OPTIONS: 10,
} as const;
export type DecodeProblemCode = (typeof DecodeProblem)[keyof typeof DecodeProblem];

export const DECODE_PROBLEM_NAMES: Record<DecodeProblemCode, string> = {
  0: 'none',
  1: 'link header truncated',
  2: 'IP version is neither 4 nor 6',
  3: 'IPv4 header length below 20 bytes',
  4: 'IP header truncated',
  5: 'IP total length shorter than its header',
  6: 'IPv6 extension-header chain too deep',
  7: 'IPv6 extension header truncated',
  8: 'transport header truncated',
  9: 'TCP data offset below 20 bytes',
  10: 'IPv4 option overruns the header',
};

export class PacketInfo {
  tsMs = 0;
  /** Length on the wire (the frame's original length). */
  wireLen = 0;
  /** 0 when the frame carries no IP packet (ARP, LLDP, ...) or could not be decoded. */
  ipVersion: 0 | 4 | 6 = 0;
  problem: DecodeProblemCode = 0;
  /** Offset of the problem within the frame. */
  problemAt = 0;

  src = 0;
  dst = 0;
  readonly src6 = new Uint8Array(16);
  readonly dst6 = new Uint8Array(16);
  /** Transport protocol (IPv4 protocol / last IPv6 next-header). */
  proto = 0;
  ttl = 0;
  ipId = 0;
  /** IP total length (IPv4) or 40 + payload length (IPv6). */
  ipLen = 0;
  ipOptionsLen = 0;
  /** Fragment offset in bytes; non-zero means no transport header in this packet. */
  fragOffset = 0;
  moreFragments = false;
  extHeaders = 0;

  /** False for non-first fragments and for protocols without a decoded transport header. */
  hasTransport = false;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  tcpOptionsLen = 0;
  /** MSS option value, -1 when absent. */
  mss = -1;
  /** Window-scale option value, -1 when absent. */
  wscale = -1;
  icmpType = 0;
  icmpCode = 0;

  /** The packet an ICMP error quotes (how backscatter names its victim). */
  hasQuote = false;
  qVersion: 0 | 4 | 6 = 0;
  qSrc = 0;
  qDst = 0;
  readonly qSrc6 = new Uint8Array(16);
  readonly qDst6 = new Uint8Array(16);
  qProto = 0;
  qSrcPort = 0;
  qDstPort = 0;
  qHasPorts = false;

  constructor() {
    // Fields that will hold values of 2^30 and above (times, IPv4 addresses, sequence
    // numbers) start as doubles. A field first holding a small integer changes representation
    // on the first large value, which deprecates this object's map and deoptimises every
    // function that has seen a PacketInfo: the whole hot path, compiled again mid-run.
    this.tsMs = this.src = this.dst = this.seq = this.ack = this.qSrc = this.qDst = 2 ** 32;
    this.tsMs = this.src = this.dst = this.seq = this.ack = this.qSrc = this.qDst = 0;
  }

  reset(tsMs: number, wireLen: number): void {
    this.tsMs = tsMs;
    this.wireLen = wireLen;
    this.ipVersion = 0;
    this.problem = 0;
    this.problemAt = 0;
    this.proto = 0;
    this.ipOptionsLen = 0;
    this.fragOffset = 0;
    this.moreFragments = false;
    this.extHeaders = 0;
    this.hasTransport = false;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.window = 0;
    this.tcpOptionsLen = 0;
    this.mss = -1;
    this.wscale = -1;
    this.icmpType = 0;
    this.icmpCode = 0;
    this.hasQuote = false;
    this.qVersion = 0;
    this.qHasPorts = false;
  }
}
