import { describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { ethernet, icmp, ipv4, ipv6, tcp, udp, sll2, nullLoopback } from '@mamori/testbed';
import { decodeFrame, decodeOrThrow, MAX_EXTENSION_HEADERS } from './decoder.js';
import { DecodeProblem, PacketInfo } from './packet.js';

function decode(frame: Uint8Array, linkType = 1): PacketInfo {
  const p = new PacketInfo();
  p.reset(0, frame.length);
  decodeFrame(frame, 0, frame.length, linkType, p);
  return p;
}

const SRC = 0xc6336401; // 198.51.100.1
const DST = 0x0a140203; // 10.20.2.3

describe('IPv4 and TCP', () => {
  it('reads addresses, id, ttl, flags, sequence, window and options', () => {
    const p = decode(ethernet(ipv4({ src: SRC, dst: DST, proto: 6, ttl: 64, id: 54321, payload: tcp({ srcPort: 40000, dstPort: 23, seq: DST, flags: 0x02, window: 14600, mss: 1460 }) }), 1));
    expect(p.problem).toBe(0);
    expect([p.ipVersion, p.src, p.dst, p.ttl, p.ipId, p.proto]).toEqual([4, SRC, DST, 64, 54321, 6]);
    expect([p.srcPort, p.dstPort, p.seq, p.tcpFlags, p.window, p.mss, p.tcpOptionsLen]).toEqual([40000, 23, DST, 2, 14600, 1460, 4]);
  });

  it('skips IPv4 options and refuses options that overrun the header', () => {
    const withOpt = ipv4({ src: SRC, dst: DST, proto: 17, options: Uint8Array.of(7, 7, 4, 0, 0, 0, 0), payload: udp(1, 53) });
    const p = decode(withOpt, 101);
    expect([p.ipOptionsLen, p.dstPort]).toEqual([8, 53]);
    const bad = withOpt.slice();
    bad[21] = 40; // option length beyond the 24-byte header
    const q = decode(bad, 101);
    expect(q.problem).toBe(DecodeProblem.BAD_IP_OPTIONS);
    expect(q.problemAt).toBe(20);
  });

  it('reads the transport header of a first fragment only', () => {
    const seg = tcp({ srcPort: 1, dstPort: 8081, seq: 9, flags: 2, payload: new Uint8Array(16) });
    const first = decode(ipv4({ src: SRC, dst: DST, proto: 6, moreFragments: true, payload: seg.subarray(0, 24) }), 101);
    expect([first.hasTransport, first.dstPort, first.moreFragments]).toEqual([true, 8081, true]);
    const later = decode(ipv4({ src: SRC, dst: DST, proto: 6, fragOffset: 24, payload: seg.subarray(24) }), 101);
    expect([later.hasTransport, later.fragOffset, later.problem]).toEqual([false, 24, 0]);
  });

  it('flags a zero-length IP header with its offset', () => {
    const frame = ethernet(ipv4({ src: SRC, dst: DST, proto: 6, payload: new Uint8Array(20) }));
    frame[14] = 0x40; // IHL 0
    const p = decode(frame);
    expect(p.problem).toBe(DecodeProblem.BAD_IP_HEADER_LENGTH);
    expect(p.problemAt).toBe(14);
    try {
      decodeOrThrow(frame, 0, frame.length, 1, new PacketInfo(), 1000);
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_TELESCOPE_PACKET')).toBe(true);
      expect((e as { details: { offset: number } }).details.offset).toBe(1014);
    }
  });

  it('keeps addresses when only the transport header is cut off', () => {
    const ip = ipv4({ src: SRC, dst: DST, proto: 6, payload: tcp({ srcPort: 1, dstPort: 2, seq: 3, flags: 2 }) });
    const p = decode(ip.subarray(0, 30), 101);
    expect([p.ipVersion, p.src, p.hasTransport, p.problem]).toEqual([4, SRC, false, DecodeProblem.TRUNCATED_TRANSPORT]);
  });
});

describe('IPv6', () => {
  const a = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 1 : 0));
  const b = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 2 : 0));

  it('walks extension headers to the transport header', () => {
    const p = decode(sll2(ipv6(a, b, 6, tcp({ srcPort: 5, dstPort: 22, seq: 1, flags: 2 }), 3)), 276);
    expect([p.ipVersion, p.proto, p.extHeaders, p.dstPort]).toEqual([6, 6, 3, 22]);
    expect(Array.from(p.src6)).toEqual(Array.from(a));
  });

  it('stops a chain deeper than the bound with the offset of the header too many', () => {
    const p = decode(ipv6(a, b, 6, tcp({ srcPort: 5, dstPort: 22, seq: 1, flags: 2 }), MAX_EXTENSION_HEADERS + 1), 101);
    expect(p.problem).toBe(DecodeProblem.EXTENSION_CHAIN_TOO_DEEP);
    expect(p.problemAt).toBe(40 + MAX_EXTENSION_HEADERS * 8);
  });

  it('reads the quoted packet of an ICMPv6 error', () => {
    const quoted = ipv6(b, a, 17, udp(999, 53));
    const p = decode(ipv6(a, b, 58, icmp(1, 4, Uint8Array.of(0, 0, 0, 0, ...quoted))), 101);
    expect([p.icmpType, p.hasQuote, p.qVersion, p.qProto, p.qDstPort, p.qHasPorts]).toEqual([1, true, 6, 17, 53, true]);
    expect(Array.from(p.qDst6)).toEqual(Array.from(a));
  });
});

describe('ICMP', () => {
  it('reads the packet an unreachable quotes (the backscatter victim and the attacked port)', () => {
    const victim = 0xcb00710a;
    const quoted = ipv4({ src: DST, dst: victim, proto: 6, payload: tcp({ srcPort: 4444, dstPort: 80, seq: 1, flags: 2 }).subarray(0, 8) });
    const p = decode(nullLoopback(ipv4({ src: 0xcb007101, dst: DST, proto: 1, payload: icmp(3, 1, Uint8Array.of(0, 0, 0, 0, ...quoted)) })), 0);
    expect([p.icmpType, p.icmpCode, p.hasQuote, p.qSrc, p.qDst, p.qProto, p.qSrcPort, p.qDstPort]).toEqual([3, 1, true, DST, victim, 6, 4444, 80]);
  });

  it('does not look for a quote in an echo request', () => {
    const p = decode(ipv4({ src: SRC, dst: DST, proto: 1, payload: icmp(8, 0, new Uint8Array(40).fill(0x45)) }), 101);
    expect([p.icmpType, p.hasQuote]).toEqual([8, false]);
  });
});

describe('link layers', () => {
  it('ignores non-IP frames without calling them malformed', () => {
    const p = decode(ethernet(new Uint8Array(28), 0, 0x0806));
    expect([p.ipVersion, p.problem]).toEqual([0, 0]);
  });
  it('flags frames shorter than their link header', () => {
    expect(decode(new Uint8Array(10)).problem).toBe(DecodeProblem.TRUNCATED_LINK);
  });
});
