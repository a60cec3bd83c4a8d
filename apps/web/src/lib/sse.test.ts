import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse.js';

function parseAll(chunks: string[]): SseEvent[] {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

describe('SseParser', () => {
  it('reads events, multi-line data, ids, comments and all three line endings', () => {
    const stream = ': keep-alive\n\nevent: rate\ndata: {"pps":12}\nid: 7\n\ndata: a\r\ndata: b\r\n\r\ndata:no-space\r\rdata\n\n';
    expect(parseAll([stream])).toEqual([
      { event: 'rate', data: '{"pps":12}', id: '7' },
      { event: 'message', data: 'a\nb', id: '7' },
      { event: 'message', data: 'no-space', id: '7' },
      { event: 'message', data: '', id: '7' },
    ]);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    const line = fc.stringMatching(/^[a-z0-9 :{}"]{0,12}$/);
    const event = fc.record({ name: fc.option(fc.constantFrom('rate', 'alert')), data: fc.array(line, { minLength: 1, maxLength: 3 }), eol: fc.constantFrom('\n', '\r\n', '\r') });
    fc.assert(fc.property(fc.array(event, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
      const text = events.map((e) => (e.name ? `event: ${e.name}${e.eol}` : '') + e.data.map((d) => `data: ${d}${e.eol}`).join('') + e.eol).join('');
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const chunks: string[] = [];
      let at = 0;
      for (const p of points) { chunks.push(text.slice(at, p)); at = p; }
      chunks.push(text.slice(at));
      expect(parseAll(chunks)).toEqual(parseAll([text]));
    }));
  });

  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 40 })), (chunks) => { parseAll(chunks); }));
  });
});
