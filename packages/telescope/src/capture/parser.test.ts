import { mkdtempSync, writeFileSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { encodeCapture, ethernet, ipv4, tcp, sll, sll2, nullLoopback, type GeneratedFrame } from '@mamori/testbed';
import { readCapture } from './read.js';
import { CaptureParser } from './parser.js';
import { parseAll, readChunked, scenarioFrames, copyFrame, type Collected } from '../test/captures.js';

const { frames } = scenarioFrames({ minutes: 1, seed: 7 });
const dir = mkdtempSync(join(tmpdir(), 'telescope-capture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSame(got: Collected[], want: GeneratedFrame[], tsTolerance = 0.0011): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Buffer.from(got[i].bytes).equals(Buffer.from(want[i].frame))).toBe(true);
    expect(Math.abs(got[i].tsMs - want[i].tsMs)).toBeLessThan(tsTolerance);
    expect(got[i].origLen).toBe(want[i].frame.length);
  }
}

describe('classic pcap', () => {
  for (const bigEndian of [false, true]) {
    for (const nanoseconds of [false, true]) {
      it(`reads ${bigEndian ? 'big' : 'little'}-endian ${nanoseconds ? 'ns' : 'µs'} captures`, () => {
        const got = parseAll(encodeCapture(frames, { format: 'pcap', bigEndian, nanoseconds }));
        expectSame(got, frames);
        expect(got[0].linkType).toBe(1);
        expect(got[0].recordOffset).toBe(24);
      });
    }
  }

  it('gives the same frames however the stream is cut into chunks', async () => {
    const bytes = encodeCapture(frames, { format: 'pcap' });
    const some = encodeCapture(frames.slice(0, 100), { format: 'pcap' });
    for (const chunk of [1, 7, 100, 4096]) expectSame(await readChunked(some, chunk, { chunkSize: 64 }), frames.slice(0, 100));
    expectSame(await readChunked(bytes, 65536, { chunkSize: 4096 }), frames);
  });
});

describe('pcapng', () => {
  it('reads several interfaces with their own timestamp resolution, in either byte order', () => {
    const mixed = frames.map((f, i) => ({ ...f, interfaceId: i % 3 }));
    for (const bigEndian of [false, true]) {
      const got = parseAll(encodeCapture(mixed, {
        format: 'pcapng', bigEndian,
        interfaces: [{ linkType: 1, tsresol: 6 }, { linkType: 1, tsresol: 9 }, { linkType: 1, tsresol: 3 }],
      }));
      expectSame(got.filter((_, i) => i % 3 !== 2), mixed.filter((_, i) => i % 3 !== 2));
      // Millisecond resolution: timestamps within 1 ms.
      expectSame(got.filter((_, i) => i % 3 === 2), mixed.filter((_, i) => i % 3 === 2), 1);
      expect(got.map((g) => g.interfaceId)).toEqual(mixed.map((m) => m.interfaceId));
    }
  });

  it('reads simple packet blocks', () => {
    const got = parseAll(encodeCapture(frames.slice(0, 50), { format: 'pcapng', simple: true }));
    expect(got.map((g) => Buffer.from(g.bytes).toString('hex'))).toEqual(frames.slice(0, 50).map((f) => Buffer.from(f.frame).toString('hex')));
  });

  it('reads several sections one after the other', () => {
    const a = encodeCapture(frames.slice(0, 10), { format: 'pcapng' });
    const b = encodeCapture(frames.slice(10, 20), { format: 'pcapng', bigEndian: true });
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expectSame(parseAll(both), frames.slice(0, 20));
  });
});

describe('link types', () => {
  const ip = ipv4({ src: 0x01020304, dst: 0x0a140001, proto: 6, payload: tcp({ srcPort: 1, dstPort: 23, seq: 5, flags: 2 }) });
  const cases: [string, number, Uint8Array][] = [
    ['Ethernet', 1, ethernet(ip)], ['802.1Q', 1, ethernet(ip, 1)], ['QinQ', 1, ethernet(ip, 2)],
    ['SLL', 113, sll(ip)], ['SLL2', 276, sll2(ip)], ['raw', 101, ip], ['null', 0, nullLoopback(ip)],
  ];
  for (const [name, linkType, frame] of cases) {
    it(`carries ${name} frames through`, () => {
      const got = parseAll(encodeCapture([{ tsMs: 1000, linkType, frame }], { format: 'pcap', linkType }));
      expect(got[0].linkType).toBe(linkType);
      expect(Buffer.from(got[0].bytes).equals(Buffer.from(frame))).toBe(true);
    });
  }
});

describe('files, gzip and follow', () => {
  it('reads plain and gzip-compressed files', async () => {
    const bytes = encodeCapture(frames, { format: 'pcapng' });
    const plain = join(dir, 'a.pcapng');
    const gz = join(dir, 'a.pcapng.gz');
    writeFileSync(plain, bytes);
    writeFileSync(gz, gzipSync(bytes));
    for (const path of [plain, gz]) {
      const got: Collected[] = [];
      const summary = await readCapture(path, (f) => got.push(copyFrame(f)), { chunkSize: 8192 });
      expectSame(got, frames);
      expect(summary.format).toBe('pcapng');
      expect(summary.gzip).toBe(path === gz);
    }
  });

  it('recognises gzip on a stream (stdin) by its first bytes', async () => {
    const bytes = encodeCapture(frames.slice(0, 300), { format: 'pcap', nanoseconds: true });
    const got: Collected[] = [];
    const summary = await readCapture(Readable.from([Buffer.from(gzipSync(bytes)).subarray(0, 10), Buffer.from(gzipSync(bytes)).subarray(10)]), (f) => got.push(copyFrame(f)));
    expect(summary.gzip).toBe(true);
    expectSame(got, frames.slice(0, 300));
  });

  it('follows a file while it grows, then stops when told', async () => {
    const bytes = encodeCapture(frames.slice(0, 200), { format: 'pcap' });
    const path = join(dir, 'growing.pcap');
    writeFileSync(path, bytes.subarray(0, 1000)); // header plus part of a record
    const got: Collected[] = [];
    const stop = new AbortController();
    const done = readCapture(path, (f) => {
      got.push(copyFrame(f));
      if (got.length === 200) stop.abort();
    }, { follow: true, pollMs: 10, signal: stop.signal, chunkSize: 4096 });
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, bytes.subarray(1000, 5000));
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(path, bytes.subarray(5000));
    await done;
    expectSame(got, frames.slice(0, 200));
  });
});

describe('hostile input', () => {
  const good = encodeCapture(frames.slice(0, 20), { format: 'pcap' });

  function errorOf(bytes: Uint8Array): { code: string; offset?: number } {
    try {
      parseAll(bytes);
    } catch (e) {
      if (isMamoriError(e)) return { code: e.code, offset: e.details.offset };
      throw e;
    }
    throw new Error('no error');
  }

  it('names the offset of a truncated record', () => {
    const cut = good.subarray(0, good.length - 5);
    const e = errorOf(cut);
    expect(e.code).toBe('MAMORI_TELESCOPE_TRUNCATED');
    const lastRecord = parseAll(good).at(-1)!.recordOffset;
    expect(e.offset).toBe(lastRecord);
  });

  it('refuses a record length beyond the limit, naming the length field', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(errorOf(bad)).toEqual({ code: 'MAMORI_TELESCOPE_RECORD', offset: 32 });
  });

  it('refuses unknown magic, unknown link types and empty input', () => {
    expect(errorOf(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toEqual({ code: 'MAMORI_TELESCOPE_FORMAT', offset: 0 });
    const usb = good.slice();
    new DataView(usb.buffer).setUint32(20, 189, true);
    expect(errorOf(usb)).toEqual({ code: 'MAMORI_TELESCOPE_LINKTYPE', offset: 20 });
    expect(errorOf(new Uint8Array(0)).code).toBe('MAMORI_TELESCOPE_TRUNCATED');
  });

  it('refuses pcapng blocks whose lengths disagree or overrun', () => {
    const ng = encodeCapture(frames.slice(0, 3), { format: 'pcapng' });
    const bad = ng.slice();
    const firstEpb = 28 + 32;
    new DataView(bad.buffer).setUint32(firstEpb + 4, 13, true);
    expect(errorOf(bad)).toEqual({ code: 'MAMORI_TELESCOPE_RECORD', offset: firstEpb + 4 });
    const caplen = ng.slice();
    new DataView(caplen.buffer).setUint32(firstEpb + 20, 5000, true);
    expect(errorOf(caplen)).toEqual({ code: 'MAMORI_TELESCOPE_RECORD', offset: firstEpb + 20 });
  });

  it('does not call the handler for a record it has not fully seen', () => {
    let n = 0;
    const parser = new CaptureParser(() => n++);
    const used = parser.parse(good, 0, 24 + 16 + 3, 0);
    expect(used).toBe(24);
    expect(n).toBe(0);
  });
});
