import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError, MamoriError } from '@mamori/core';
import { encodeIpfix, encodeV5, encodeV9, exportStream, type TestFlow } from '@mamori/testbed';
import { recordToJSON, type FlowRecord } from '../record.js';
import { decodePacket, ExporterSession } from './index.js';
import { decoderFor } from './index.js';

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);

function flows(n: number, v6 = false): TestFlow[] {
  return Array.from({ length: n }, (_, i) => ({
    src: v6 ? `2001:db8::${i + 1}` : `10.0.${i >> 8}.${i & 255}`,
    dst: v6 ? '2001:db8:ffff::53' : '198.51.100.7',
    srcPort: 40000 + i, dstPort: 443, protocol: 6, packets: 3 + i, bytes: 180 + 60 * i,
    start: T0 + i * 1000, end: T0 + i * 1000 + 500, tcpFlags: 0x1b, tos: 0,
  }));
}

function decodeAll(packets: Buffer[], session = new ExporterSession('192.0.2.1:9995')): { records: FlowRecord[]; session: ExporterSession } {
  const records: FlowRecord[] = [];
  for (const p of packets) decodePacket(p, session, records, T0);
  return { records, session };
}

function truth(r: FlowRecord): TestFlow {
  const j = recordToJSON(r);
  return { src: j.src, dst: j.dst, srcPort: r.srcPort, dstPort: r.dstPort, protocol: r.protocol, packets: r.packets, bytes: r.bytes, start: r.start, end: r.end, tcpFlags: r.tcpFlags, tos: r.tos };
}

describe('round trip through independent encoders', () => {
  it.each([5, 9, 10] as const)('v%i decodes every field', (version) => {
    const input = flows(100);
    const { records, session } = decodeAll(exportStream(input, version));
    expect(records.map(truth)).toEqual(input);
    expect(session.counters.errors).toBe(0);
    expect(session.counters.lostRecords + session.counters.lostPackets).toBe(0);
    expect(session.counters.records).toBe(100);
  });

  it.each([9, 10] as const)('v%i carries IPv6 through the second template', (version) => {
    const input = [...flows(5), ...flows(5, true)];
    const p = version === 9 ? encodeV9(input) : encodeIpfix(input);
    const { records } = decodeAll([p]);
    expect(records.map(truth)).toEqual(input);
    expect(records[7].ipVersion).toBe(6);
  });
});

describe('sequence accounting', () => {
  it('counts lost flows (v5), lost packets (v9) and lost records (IPFIX) per exporter', () => {
    const input = flows(300);
    for (const version of [5, 9, 10] as const) {
      const stream = exportStream(input, version, { perPacket: 10, templateEvery: 1 });
      const kept = stream.filter((_, i) => i !== 3 && i !== 4 && i !== 17);
      const { session } = decodeAll(kept);
      if (version === 9) expect(session.counters.lostPackets).toBe(3);
      else expect(session.counters.lostRecords).toBe(30);
    }
  });

  it('treats late packets as reordered and huge jumps as restarts', () => {
    const stream = exportStream(flows(60), 10, { perPacket: 10, templateEvery: 1 });
    const { session } = decodeAll([stream[0], stream[2], stream[1], stream[3]]);
    expect(session.counters.lostRecords).toBe(10); // the gap before stream[2]; stream[1] arrives late
    expect(session.counters.reordered).toBe(1);
    const s2 = new ExporterSession('x');
    decodeAll([encodeIpfix(flows(2), { sequence: 0 }), encodeIpfix(flows(2), { sequence: 50_000_000 })], s2);
    expect(s2.counters.restarts).toBe(1);
    expect(s2.counters.lostRecords).toBe(0);
  });

  it('wraps at 2^32', () => {
    const { session } = decodeAll([encodeIpfix(flows(2), { sequence: 0xffffffff }), encodeIpfix(flows(2), { sequence: 1 })]);
    expect(session.counters.lostRecords).toBe(0);
    expect(session.counters.reordered).toBe(0);
  });
});

describe('templates', () => {
  it('keeps templates per observation domain and counts data without a template', () => {
    const session = new ExporterSession('e');
    const out: FlowRecord[] = [];
    decodePacket(encodeIpfix(flows(3), { domain: 1 }), session, out, T0);
    decodePacket(encodeIpfix(flows(3), { domain: 2, withTemplate: false }), session, out, T0);
    expect(out).toHaveLength(3);
    expect(session.counters.missingTemplateSets).toBe(1);
    decodePacket(encodeIpfix(flows(3), { domain: 1, withTemplate: false }), session, out, T0);
    expect(out).toHaveLength(6);
  });

  it('expires templates that are not refreshed, and refresh keeps them', () => {
    const session = new ExporterSession('e', { ...new ExporterSession('x').limits, templateTimeoutMs: 60_000 });
    const out: FlowRecord[] = [];
    decodePacket(encodeV9(flows(2)), session, out, T0);
    decodePacket(encodeV9(flows(2), { withTemplate: true }), session, out, T0 + 50_000);
    decodePacket(encodeV9(flows(2), { withTemplate: false }), session, out, T0 + 100_000);
    expect(out).toHaveLength(6);
    decodePacket(encodeV9(flows(2), { withTemplate: false }), session, out, T0 + 200_000);
    expect(out).toHaveLength(6);
    expect(session.counters.templatesExpired).toBe(1); // 256 dropped lazily when looked up
    expect(session.counters.missingTemplateSets).toBe(1);
    expect(session.expire(T0 + 200_000)).toBe(1); // 257 by the periodic sweep
    expect(session.domain(0).templates.size).toBe(0);
  });

  it('replaces a changed template and withdraws on field count 0', () => {
    const session = new ExporterSession('e');
    const out: FlowRecord[] = [];
    decodePacket(encodeIpfix(flows(1)), session, out, T0);
    // template 256 redefined as just sourceIPv4Address
    decodePacket(ipfixMessage([set(2, u16s(256, 1, 8, 4)), set(256, Buffer.from([10, 9, 8, 7]))]), session, out, T0);
    expect(session.counters.templateChanges).toBe(1);
    expect(recordToJSON(out[1]).src).toBe('10.9.8.7');
    decodePacket(ipfixMessage([set(2, u16s(256, 0)), set(256, Buffer.from([10, 9, 8, 7]))]), session, out, T0);
    expect(session.counters.templatesWithdrawn).toBe(1);
    expect(out).toHaveLength(2);
  });

  it('skips enterprise fields and reads variable-length fields (short and long form)', () => {
    const tmpl = u16s(300, 4, 8, 4, 0x8000 | 1234, 6); // sourceIPv4Address, enterprise 1234 field of 6 bytes
    const ent = Buffer.alloc(4); ent.writeUInt32BE(29305);
    const tmpl2 = Buffer.concat([tmpl, ent, u16s(0x8000 | 7, 65535), ent, u16s(12, 4)]);
    const rec1 = Buffer.concat([Buffer.from([1, 2, 3, 4]), Buffer.alloc(6, 0xee), Buffer.from([3, 9, 9, 9]), Buffer.from([5, 6, 7, 8])]);
    const long = Buffer.alloc(300, 0xaa);
    const rec2 = Buffer.concat([Buffer.from([1, 1, 1, 1]), Buffer.alloc(6), Buffer.from([255, 1, 44]), long, Buffer.from([2, 2, 2, 2])]);
    const rec3 = Buffer.concat([Buffer.from([3, 3, 3, 3]), Buffer.alloc(6), Buffer.from([0]), Buffer.from([4, 4, 4, 4])]); // zero-length value
    const { records, session } = decodeAll([ipfixMessage([set(2, tmpl2), set(300, Buffer.concat([rec1, rec2, rec3]))])]);
    expect(session.counters.errors).toBe(0);
    expect(records.map((r) => [recordToJSON(r).src, recordToJSON(r).dst])).toEqual([
      ['1.2.3.4', '5.6.7.8'], ['1.1.1.1', '2.2.2.2'], ['3.3.3.3', '4.4.4.4'],
    ]);
  });

  it('reads v9 options templates (sampling interval) and IPFIX systemInitTime for sysUpTime fields', () => {
    const session = new ExporterSession('e');
    const out: FlowRecord[] = [];
    // IPFIX options template 400: scope observationDomainId (149, 4), systemInitTimeMilliseconds (160, 8), samplingPacketInterval (305, 4)
    const opt = Buffer.concat([u16s(400, 3, 1, 149, 4, 160, 8, 305, 4)]);
    const init = T0 - 3_600_000;
    const data = Buffer.alloc(16); data.writeUInt32BE(0, 0); data.writeBigUInt64BE(BigInt(init), 4); data.writeUInt32BE(100, 12);
    const tmpl = u16s(256, 3, 8, 4, 22, 4, 21, 4);
    const rec = Buffer.alloc(12); rec.writeUInt32BE(0x0a000001, 0); rec.writeUInt32BE(1000, 4); rec.writeUInt32BE(2500, 8);
    decodePacket(ipfixMessage([set(3, opt), set(400, data), set(2, tmpl), set(256, rec)]), session, out, T0);
    expect(session.counters.optionsRecords).toBe(1);
    expect(session.domain(0).samplingInterval).toBe(100);
    expect(out[0].start).toBe(init + 1000);
    expect(out[0].end).toBe(init + 2500);
  });
});

describe('hostile input', () => {
  it('names the offset of a truncated packet and keeps counting per exporter', () => {
    const p = encodeV5(flows(3)).subarray(0, 24 + 48 * 2 + 10);
    const session = new ExporterSession('e');
    expect(decodePacket(p, session, [], T0)).toBeNull();
    expect(session.counters.errorsByCode.MAMORI_FLOWS_TRUNCATED).toBe(1);
    expect(session.counters.lastError?.offset).toBe(24);
    expect(() => decoderFor(Buffer.from([0, 7, 0, 0]))).toThrow(MamoriError);
  });

  it('rejects templates that lie about lengths', () => {
    // field count says 50 fields but the set holds 2
    const lie = ipfixMessage([set(2, u16s(256, 50, 8, 4, 12, 4))]);
    const session = new ExporterSession('e');
    decodePacket(lie, session, [], T0);
    expect(session.counters.errorsByCode.MAMORI_FLOWS_TRUNCATED).toBe(1);
    // set length beyond the message
    const bad = ipfixMessage([set(2, u16s(256, 1, 8, 4))]);
    bad.writeUInt16BE(400, 18);
    decodePacket(bad, session, [], T0);
    expect(session.counters.errorsByCode.MAMORI_FLOWS_TRUNCATED).toBe(2);
    // a data record whose variable-length field claims more than the set holds
    const v = ipfixMessage([set(2, u16s(256, 1, 82, 65535)), set(256, Buffer.from([200, 1, 2]))]);
    decodePacket(v, session, [], T0);
    expect(session.counters.errorsByCode.MAMORI_FLOWS_TRUNCATED).toBe(3);
  });

  it('rejects templates of zero-length records instead of looping', () => {
    const session = new ExporterSession('e');
    decodePacket(ipfixMessage([set(2, u16s(256, 2, 8, 0, 12, 0)), set(256, Buffer.alloc(100))]), session, [], T0);
    expect(session.counters.errorsByCode.MAMORI_FLOWS_TEMPLATE).toBe(1);
    // zero-length fields beside real ones are fine
    const out: FlowRecord[] = [];
    decodePacket(ipfixMessage([set(2, u16s(257, 2, 8, 0, 12, 4)), set(257, Buffer.from([9, 9, 9, 9]))]), session, out, T0);
    expect(recordToJSON(out[0]).dst).toBe('9.9.9.9');
  });

  it('bounds memory under a template flood', () => {
    const session = new ExporterSession('e');
    for (let k = 0; k < 100; k++) {
      const body = Buffer.concat(Array.from({ length: 60 }, (_, i) => u16s(256 + k * 60 + i, 1, 8, 4)));
      decodePacket(ipfixMessage([set(2, body)]), session, [], T0);
      decodePacket(ipfixMessage([set(2, u16s(256, 1, 8, 4))], 1000 + k), session, [], T0); // new domains too
    }
    expect(session.domain(0).templates.size).toBeLessThanOrEqual(session.limits.maxTemplatesPerDomain);
    expect(session.domains.size).toBeLessThanOrEqual(session.limits.maxDomains);
    expect(session.counters.errorsByCode.MAMORI_FLOWS_LIMIT).toBeGreaterThan(0);
  });

  it('fuzz: random bytes give a result or a MamoriError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(5, 9, 10), (bytes, version) => {
      const b = Buffer.from(bytes);
      if (b.length >= 2) b.writeUInt16BE(version, 0);
      const session = new ExporterSession('f');
      try {
        decoderFor(b).decode(b, { session, now: T0, out: [] });
      } catch (e) {
        if (!isMamoriError(e)) throw e;
      }
    }), { numRuns: 2000 });
  });

  it('fuzz: mutated real packets (after their templates) never throw past decodePacket', () => {
    const seeds = [encodeV5(flows(5)), encodeV9([...flows(3), ...flows(2, true)]), encodeIpfix([...flows(3), ...flows(2, true)])];
    fc.assert(fc.property(
      fc.constantFrom(0, 1, 2), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }), fc.nat(),
      (which, edits, cut) => {
        const b = Buffer.from(seeds[which]);
        for (const [at, v] of edits) b[at % b.length] = v;
        const session = new ExporterSession('f');
        decodePacket(seeds[which], session, [], T0);
        const out: FlowRecord[] = [];
        decodePacket(b.subarray(0, b.length - (cut % 8)), session, out, T0);
        try {
          decoderFor(b).decode(b, { session, now: T0, out: [] });
        } catch (e) {
          if (!isMamoriError(e)) throw e;
        }
        expect(session.counters.errorsByCode.OTHER).toBeUndefined();
      },
    ), { numRuns: 1500 });
  });
});

function u16s(...v: number[]): Buffer {
  const b = Buffer.alloc(v.length * 2);
  v.forEach((x, i) => b.writeUInt16BE(x, i * 2));
  return b;
}

function set(id: number, body: Buffer): Buffer {
  return Buffer.concat([u16s(id, body.length + 4), body]);
}

function ipfixMessage(sets: Buffer[], domain = 0): Buffer {
  const body = Buffer.concat(sets);
  const h = Buffer.alloc(16);
  h.writeUInt16BE(10, 0);
  h.writeUInt16BE(16 + body.length, 2);
  h.writeUInt32BE(Math.floor(T0 / 1000), 4);
  h.writeUInt32BE(domain, 12);
  return Buffer.concat([h, body]);
}
