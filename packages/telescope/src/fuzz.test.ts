/**
 * Hostile captures: random bytes and mutated real captures go through reader, decoder,
 * classifier and every analysis. The only acceptable outcomes are a result or a
 * MamoriError (with an offset inside the input); never another exception, never a hang.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError } from '@mamori/core';
import { encodeCapture } from '@mamori/testbed';
import { CaptureParser } from './capture/parser.js';
import { TelescopeEngine } from './analysis/engine.js';
import { scenarioFrames } from './test/captures.js';

const { frames } = scenarioFrames({ minutes: 1, seed: 3, scale: 0.2 });
const sample = frames.slice(0, 60);
const seeds = [
  encodeCapture(sample, { format: 'pcap' }),
  encodeCapture(sample, { format: 'pcap', bigEndian: true, nanoseconds: true }),
  encodeCapture(sample, { format: 'pcapng', interfaces: [{ linkType: 1 }, { linkType: 276, tsresol: 9 }] }),
  encodeCapture(sample.map((f) => ({ ...f, frame: f.frame.subarray(14) })), { format: 'pcap', linkType: 101 }),
];

// One engine for every run: its tables are sized for a darknet, too costly to build thousands of times.
const engine = new TelescopeEngine();

function run(bytes: Uint8Array): void {
  engine.pending.length = 0;
  const parser = new CaptureParser(engine.onFrame);
  try {
    // Feed in two windows to exercise the resume path too.
    const half = bytes.length >> 1;
    const a = parser.parse(bytes, 0, half, 0);
    const b = parser.parse(bytes, a, bytes.length, a);
    parser.finish(bytes.length - b, b);
    engine.finish();
    for (const r of engine.pending) expect(r.summary.packets).toBeGreaterThanOrEqual(0);
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    const offset = e.details.offset;
    expect(typeof offset).toBe('number');
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(bytes.length);
  }
}

const mutation = fc.record({
  seed: fc.integer({ min: 0, max: seeds.length - 1 }),
  edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
  cut: fc.option(fc.nat()),
  splice: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 }))),
});

describe('fuzz', () => {
  it('survives random bytes (with and without a valid header in front)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, withHeader) => {
      if (!withHeader) return run(bytes);
      const input = new Uint8Array(24 + bytes.length);
      input.set(seeds[0].subarray(0, 24));
      input.set(bytes, 24);
      run(input);
    }), { numRuns: 600 });
  });

  it('survives mutated captures', () => {
    fc.assert(fc.property(mutation, ({ seed, edits, cut, splice }) => {
      let bytes = seeds[seed].slice();
      for (const [at, v] of edits) bytes[at % bytes.length] = v;
      if (splice) {
        const at = splice[0] % bytes.length;
        const grown = new Uint8Array(bytes.length + splice[1].length);
        grown.set(bytes.subarray(0, at));
        grown.set(splice[1], at);
        grown.set(bytes.subarray(at), at + splice[1].length);
        bytes = grown;
      }
      if (cut !== null) bytes = bytes.subarray(0, cut % (bytes.length + 1));
      run(bytes);
    }), { numRuns: 1500 });
  });

  it('survives mutated packets inside a sound container', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: sample.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(), (i, edits, cut) => {
      const frame = sample[i].frame.slice();
      for (const [at, v] of edits) frame[at % frame.length] = v;
      const linkType = [0, 1, 101, 113, 276][cut % 5];
      run(encodeCapture([{ tsMs: 1, linkType, frame: frame.subarray(0, cut % (frame.length + 1)) }], { format: 'pcap', linkType }));
    }), { numRuns: 1500 });
  });
});
