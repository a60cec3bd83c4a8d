import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatIpv4, formatIpv6, parseIpv4, parseIpv6, parsePrefix, formatPrefix, tryParseIpv4, tryParseIpv6,
  PrefixTable, PrefixSet, parseIp, prefixContains, ipv4Slash24, isMamoriError,
} from '../index.js';

describe('IPv4', () => {
  it('round-trips every address shape', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
      expect(parseIpv4(formatIpv4(v))).toBe(v);
    }));
  });

  it('rejects malformed text without throwing on the hot path', () => {
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.-4']) {
      expect(tryParseIpv4(bad), bad).toBe(-1);
    }
    expect(() => parseIpv4('300.1.1.1')).toThrowError(/not a valid IP/);
  });

  it('computes /24s', () => {
    expect(formatIpv4(ipv4Slash24(parseIpv4('192.0.2.200')))).toBe('192.0.2.0');
  });
});

describe('IPv6', () => {
  it('parses and formats RFC 5952 forms', () => {
    expect(formatIpv6(parseIpv6('2001:DB8:0:0:0:0:0:1'))).toBe('2001:db8::1');
    expect(formatIpv6(parseIpv6('::'))).toBe('::');
    expect(formatIpv6(parseIpv6('::1'))).toBe('::1');
    expect(formatIpv6(parseIpv6('2001:db8:0:1:1:1:1:1'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(parseIpv6('::ffff:192.0.2.1'))).toBe('::ffff:c000:201');
    expect(parseIpv6('64:ff9b::192.0.2.33')).toBe((0x64ff9bn << 96n) | 0xc0000221n);
  });

  it('rejects malformed text', () => {
    for (const bad of ['1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7', '::ffff:1.2.3']) {
      expect(tryParseIpv6(bad), bad).toBeNull();
    }
  });

  it('round-trips random addresses', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (v) => {
      expect(parseIpv6(formatIpv6(v))).toBe(v);
    }));
  });
});

describe('prefixes', () => {
  it('parses, clears host bits, and is strict on request', () => {
    expect(formatPrefix(parsePrefix('192.0.2.77/24'))).toBe('192.0.2.0/24');
    expect(formatPrefix(parsePrefix('2001:db8::1/32'))).toBe('2001:db8::/32');
    expect(() => parsePrefix('192.0.2.77/24', { strict: true })).toThrow();
    expect(() => parsePrefix('192.0.2.0/33')).toThrow();
    try {
      parsePrefix('nope/8');
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_IP_INVALID')).toBe(true);
    }
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parseIp('10.200.1.1'))).toBe(true);
    expect(prefixContains(parsePrefix('10.0.0.0/8'), parseIp('11.0.0.1'))).toBe(false);
  });
});

/** Reference longest-prefix match: scan every prefix. */
function naiveLookup(prefixes: [string, number][], ip: string): number | undefined {
  let best: { bits: number; value: number } | undefined;
  const addr = parseIp(ip);
  for (const [p, value] of prefixes) {
    const pre = parsePrefix(p);
    if (prefixContains(pre, addr) && (!best || pre.bits >= best.bits)) best = { bits: pre.bits, value };
  }
  return best?.value;
}

describe('PrefixTable', () => {
  it('finds the most specific prefix', () => {
    const t = new PrefixTable<string>()
      .set('0.0.0.0/0', 'default')
      .set('10.0.0.0/8', 'ten')
      .set('10.1.0.0/16', 'ten-one')
      .set('10.1.2.0/24', 'ten-one-two')
      .set('2001:db8::/32', 'doc6')
      .set('2001:db8:1::/48', 'doc6-1');
    expect(t.lookup(parseIp('10.1.2.3'))).toBe('ten-one-two');
    expect(t.lookup(parseIp('10.1.3.3'))).toBe('ten-one');
    expect(t.lookup(parseIp('10.2.0.0'))).toBe('ten');
    expect(t.lookup(parseIp('11.0.0.0'))).toBe('default');
    expect(t.lookup(parseIp('255.255.255.255'))).toBe('default');
    expect(t.lookup(parseIp('2001:db8:1::5'))).toBe('doc6-1');
    expect(t.lookup(parseIp('2001:db8:2::5'))).toBe('doc6');
    expect(t.lookup(parseIp('2001:db9::'))).toBeUndefined();
    t.set('10.1.2.0/24', 'replaced');
    expect(t.lookup(parseIp('10.1.2.3'))).toBe('replaced');
    expect(t.size).toBe(6);
  });

  it('agrees with a naive scan on random nested tables', () => {
    const prefix = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([a, b]) => formatPrefix(parsePrefix(`${formatIpv4(a)}/${b}`)));
    fc.assert(fc.property(
      fc.array(fc.tuple(prefix, fc.integer()), { maxLength: 40 }),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }),
      (entries, probes) => {
        const t = new PrefixTable<number>();
        const last = new Map<string, number>();
        for (const [p, v] of entries) { t.set(p, v); last.set(p, v); }
        const dedup = [...last.entries()];
        // Probe both random addresses and the edges of every prefix.
        const edges = dedup.flatMap(([p]) => { const x = parsePrefix(p); return x.family === 4 ? [x.start, (x.start + 2 ** (32 - x.bits) - 1) >>> 0, (x.start - 1) >>> 0, (x.start + 2 ** (32 - x.bits)) >>> 0] : []; });
        for (const ip of [...probes, ...edges]) {
          expect(t.lookupV4(ip)).toBe(naiveLookup(dedup, formatIpv4(ip)));
        }
      },
    ), { numRuns: 300 });
  });

  it('PrefixSet answers membership', () => {
    const s = new PrefixSet(['198.51.100.0/24', '203.0.113.128/25']);
    expect(s.hasV4(parseIpv4('198.51.100.9'))).toBe(true);
    expect(s.hasV4(parseIpv4('203.0.113.127'))).toBe(false);
    expect(s.hasV4(parseIpv4('203.0.113.200'))).toBe(true);
    expect(s.size).toBe(2);
  });

  // The per-packet matcher compares under masks for small sets and falls back to the table
  // for large ones: both must agree with the table for every address.
  it('PrefixSet.matcherV4 agrees with hasV4, for small and large sets', () => {
    // Host bits may be set: the set keeps the network of each prefix.
    const prefix = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }))
      .map(([ip, bits]) => `${formatIpv4(ip)}/${bits}`);
    fc.assert(fc.property(
      fc.array(prefix, { minLength: 0, maxLength: 24 }),
      fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 50 }),
      (prefixes, ips) => {
        const set = new PrefixSet(prefixes);
        const matches = set.matcherV4();
        // A member of a prefix, besides a random address, so hits are tested too.
        const probes = [...ips, ...set.prefixes().flatMap((p) => (p.family === 4 ? [Number(p.start)] : []))];
        for (const ip of probes) expect(matches(ip >>> 0)).toBe(set.hasV4(ip >>> 0));
      },
    ), { numRuns: 200 });
  });
});
