import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FlowRecord } from '../record.js';
import { decodeDataSet } from './data-set.js';
import { ExporterSession } from './session.js';
import { compileTemplate } from './template.js';

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
      }), { numRuns: 1500 });
  });
});
