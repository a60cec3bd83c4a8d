import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJsonBody } from './json-body.js';

describe('parseJsonBody', () => {
  it('parses ordinary JSON and refuses deep nesting with the offset', () => {
    expect(parseJsonBody('{"a":[1,{"b":"[[[["}]}')).toEqual({ a: [1, { b: '[[[[' }] });
    expect(() => parseJsonBody('['.repeat(100000))).toThrow(/nested deeper than 32 levels \(at byte offset 32\)/);
    expect(() => parseJsonBody('{"__proto__":{"admin":true}}')).toThrow(/__proto__/);
    expect(() => parseJsonBody('{"a":')).toThrow(/malformed JSON/);
  });
  it('answers any input with a value or a MamoriError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)))), (s) => {
      try { parseJsonBody(s); } catch (e) { expect((e as Error).name).toBe('MamoriError'); }
    }), { numRuns: 1000 });
  });
});
