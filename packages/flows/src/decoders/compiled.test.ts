import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FlowRecord } from '../record.js';
import { decodeDataSet } from './data-set.js';
import { ExporterSession } from './session.js';
import { compileTemplate } from './template.js';
import { FlowColumns } from '../columns.js';

const IDS = [1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 14, 16, 17, 21, 22, 27, 28, 32, 34, 85, 86, 150, 151, 152, 153, 158, 159, 160, 999];
const field = fc.record({
  id: fc.constantFrom(...IDS),
  length: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 8, 16),
  enterprise: fc.constantFrom(0, 0, 0, 29305),
});

describe('generated fixed-template decoders', () => {
  it('decode exactly what the generic field loop decodes', () => {
    fc.assert(fc.property(fc.array(field, { minLength: 1, maxLength: 24 }), fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.boolean(), fc.option(fc.nat(), { nil: null }),
      (fields, bytes, options, boot) => {
        let t;
        try { t = compileTemplate(300, fields, { options, scopeCount: options ? 1 : 0, now: 0, offset: 0 }); } catch { return; }
        const run = (mode: 'compiled' | 'generic'): { out: FlowRecord[]; n: number; d: unknown } => {
          const session = new ExporterSession('p');
          const d = session.domain(1);
          t.fixed = mode === 'generic' ? null : undefined;
          const out: FlowRecord[] = [];
          const n = decodeDataSet(bytes, 0, bytes.length, t, d, { exportMs: 1_800_000_000_000, bootMs: boot }, 'p', 1, out);
          return { out, n, d: { ...d, templates: undefined } };
        };
        const a = run('compiled');
        const b = run('generic');
        expect(a.n).toBe(b.n);
        expect(a.out).toEqual(b.out);
        expect(a.d).toEqual(b.d);
      }), { numRuns: 1000 });
  });
});

describe('columns', () => {
  it('decoding into columns gives the same records as decoding into objects (v5, v9, IPFIX, IPv6, options, variable length)', async () => {
    const { encodeV5, encodeV9, encodeIpfix } = await import('@mamori/testbed');
    const { FlowColumns } = await import('../columns.js');
    const { decodePacket, decodePacketColumns } = await import('./index.js');
    const T0 = Date.UTC(2026, 10, 20);
    const flows = Array.from({ length: 40 }, (_, i) => ({
      src: i % 3 ? `10.0.0.${i}` : `2001:db8::${i}`, dst: i % 3 ? '203.0.113.1' : '2001:db8::ff', srcPort: 1000 + i, dstPort: i % 5 ? 443 : 0,
      protocol: i % 5 ? 6 : 1, packets: i + 1, bytes: 64 * (i + 1), start: T0 + i * 1000, end: T0 + i * 1000 + 77, tcpFlags: i & 0x3f, tos: i % 4,
    }));
    const v4 = flows.filter((f) => !f.src.includes(':'));
    for (const packets of [[encodeV5(v4.slice(0, 30))], [encodeV9(flows)], [encodeIpfix(flows)]]) {
      const a = new ExporterSession('e'), b = new ExporterSession('e');
      const out: FlowRecord[] = [];
      const cols = new FlowColumns(4);
      for (const p of packets) { decodePacket(p, a, out, T0); decodePacketColumns(p, b, cols, T0); }
      expect(cols.records()).toEqual(out);
      expect(b.counters).toEqual(a.counters);
    }
  });

  it('fuzz: columns and objects agree for random templates', () => {
    fc.assert(fc.property(fc.array(field, { minLength: 1, maxLength: 24 }), fc.uint8Array({ minLength: 0, maxLength: 400 }), fc.option(fc.nat(), { nil: null }),
      (fields, bytes, boot) => {
        let t;
        try { t = compileTemplate(300, fields, { options: false, scopeCount: 0, now: 0, offset: 0 }); } catch { return; }
        const s1 = new ExporterSession('p'), s2 = new ExporterSession('p');
        const out: FlowRecord[] = [];
        const cols = new FlowColumns(2, 'p');
        const anchor = { exportMs: 1_800_000_000_000, bootMs: boot };
        const n1 = decodeDataSet(bytes, 0, bytes.length, t, s1.domain(1), anchor, 'p', 1, out);
        const n2 = decodeDataSet(bytes, 0, bytes.length, t, s2.domain(1), anchor, 'p', 1, [], cols);
        expect(n2).toBe(n1);
        // Columns hold what the wire can carry: counters above 2^53 and odd widths are the same numbers; ports/flags are truncated to their column width.
        expect(cols.records().map(narrow)).toEqual(out.map(narrow));
      }), { numRuns: 800 });
  });
});

function narrow(r: FlowRecord): FlowRecord {
  return { ...r, srcPort: r.srcPort & 0xffff, dstPort: r.dstPort & 0xffff, protocol: r.protocol & 0xff, tos: r.tos & 0xff, tcpFlags: r.tcpFlags & 0xff,
    inIf: r.inIf >>> 0, outIf: r.outIf >>> 0, srcAs: r.srcAs >>> 0, dstAs: r.dstAs >>> 0 };
}
