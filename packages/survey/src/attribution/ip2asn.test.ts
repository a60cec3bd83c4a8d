import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPrefix, isMamoriError, parseIp } from '@mamori/core';
import { parseIp2Asn, parseIspMap, rangeToPrefixes } from './ip2asn.js';

const TSV = [
  '1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET',
  '1.0.1.0\t1.0.3.255\t0\tNone\tNot routed',
  '127.50.0.0\t127.50.0.127\t64500\tJP\tEXAMPLE-ISP-A Example Telecom',
  '127.50.0.128\t127.50.1.255\t64501\tJP\tEXAMPLE-B',
  '2001:db8::\t2001:db8::ffff\t64502\tJP\tV6NET',
].join('\n');

describe('ip2asn attribution', () => {
  it('splits ranges into CIDR prefixes', () => {
    expect(rangeToPrefixes(parseIp('127.50.0.128'), parseIp('127.50.1.255')).map(formatPrefix)).toEqual(['127.50.0.128/25', '127.50.1.0/24']);
    expect(rangeToPrefixes(parseIp('10.0.0.1'), parseIp('10.0.0.6')).map(formatPrefix)).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
  });

  it('property: the cover is exact', () => {
    fc.assert(fc.property(fc.nat(0xffff), fc.nat(0x3ff), (a, len) => {
      const s = 0x0a000000 + a;
      const prefixes = rangeToPrefixes({ family: 4, value: s }, { family: 4, value: s + len });
      const total = prefixes.reduce((n, p) => n + 2 ** (32 - p.bits), 0);
      expect(total).toBe(len + 1);
      expect(prefixes[0].start).toBe(s);
    }), { numRuns: 300 });
  });

  it('attributes addresses to ASN and ISP, with an ISP map for carriers with several ASes', () => {
    const t = parseIp2Asn(TSV, parseIspMap('AS64501\tExample Telecom\n# comment\n'));
    expect(t.lookup('127.50.0.5')).toEqual({ asn: 64500, isp: 'EXAMPLE-ISP-A Example Telecom', country: 'JP' });
    expect(t.lookup('127.50.1.9')).toEqual({ asn: 64501, isp: 'Example Telecom', country: 'JP' });
    expect(t.lookup('1.0.2.1')).toBeUndefined();
    expect(t.lookup('2001:db8::1')?.asn).toBe(64502);
  });

  it('names the line and field of a bad row; fuzz never crashes', () => {
    try {
      parseIp2Asn('1.0.0.0\t1.0.0.255\t13335\tUS\tX\n1.0.0.0\tnope\t1\tUS\tY');
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_SURVEY_IP2ASN')).toBe(true);
      expect((e as { details: { line: number } }).details.line).toBe(2);
    }
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1.2.3.4', '1.2.3.0', '\t', '13335', '::1')), { maxLength: 12 }), (parts) => {
      try {
        parseIp2Asn(parts.join(''));
      } catch (e) {
        if (!isMamoriError(e)) throw e;
      }
    }), { numRuns: 500 });
  });
});
