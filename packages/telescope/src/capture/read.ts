/**
 * The edges of the capture reader: files (read in large chunks into one reusable buffer),
 * gzip-compressed files, stdin and other streams, and files still being written
 * (`follow`). Every source goes through the same window buffer and the same parser, so
 * memory stays at one window however long the capture is.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { MamoriError } from '@mamori/core';
import { CaptureParser, type FrameHandler } from './parser.js';
import type { CaptureFormat } from './formats.js';

export interface ReadOptions {
  /** Window size in bytes (default 4 MiB); grows only if one record is larger. */
  chunkSize?: number;
  /** Keep reading a plain file as it grows, until `signal` aborts. */
  follow?: boolean;
  /** How often to look for new bytes when following (ms). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called after every window with the bytes consumed so far (of the decompressed stream). */
  onChunk?: (bytesRead: number) => void | Promise<void>;
}

export interface ReadSummary {
  format: CaptureFormat;
  linkType: number;
  frames: number;
  bytes: number;
  gzip: boolean;
}

/** A window over the stream: bytes [start, end) of `buf` are unparsed, `offset` is buf[start]'s stream offset. */
class Window {
  buf: Uint8Array;
  start = 0;
  end = 0;
  offset = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  /** Moves the unparsed tail to the front and makes sure `need` more bytes fit. */
  compact(need: number): void {
    const pending = this.end - this.start;
    if (pending + need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, pending + need));
      bigger.set(this.buf.subarray(this.start, this.end));
      this.buf = bigger;
    } else if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.start = 0;
    this.end = pending;
  }
  parse(parser: CaptureParser): void {
    const next = parser.parse(this.buf, this.start, this.end, this.offset);
    this.offset += next - this.start;
    this.start = next;
  }
}

const GZIP_MAGIC0 = 0x1f;
const GZIP_MAGIC1 = 0x8b;

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC0 && head[1] === GZIP_MAGIC1;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Reads a capture from a file path, `-` (stdin) or a readable stream, calling `onFrame` per packet. */
export async function readCapture(source: string | Readable, onFrame: FrameHandler, options: ReadOptions = {}): Promise<ReadSummary> {
  const parser = new CaptureParser(onFrame);
  const win = new Window(options.chunkSize ?? 4 * 1024 * 1024);
  let gzip = false;
  if (typeof source === 'string' && source !== '-') {
    const head = readHead(source);
    if (isGzip(head)) {
      if (options.follow) throw new MamoriError('MAMORI_USAGE', { reason: '--follow cannot follow a gzip-compressed file' });
      gzip = true;
      await readStream(createReadStream(source).pipe(createGunzip()), parser, win, options);
    } else {
      await readFile(source, parser, win, options);
    }
  } else {
    const stream = typeof source === 'string' ? process.stdin : source;
    gzip = await readStream(stream, parser, win, options, true);
  }
  parser.finish(win.end - win.start, win.offset);
  return { format: parser.format!, linkType: parser.linkType, frames: parser.frames, bytes: win.offset + (win.end - win.start), gzip };
}

function openOrThrow(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    throw new MamoriError('MAMORI_TELESCOPE_INPUT', { reason: `cannot open ${path}: ${(e as Error).message}` }, { cause: e });
  }
}

function readHead(path: string): Uint8Array {
  const fd = openOrThrow(path);
  try {
    const head = new Uint8Array(2);
    return head.subarray(0, readSync(fd, head, 0, 2, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Plain files are read synchronously into the window: from the page cache that is a memcpy,
 * and a thread-pool round trip per window would cost more than it saves. The event loop
 * still turns between windows (at `onChunk` and while following).
 */
async function readFile(path: string, parser: CaptureParser, win: Window, options: ReadOptions): Promise<void> {
  const fd = openOrThrow(path);
  const chunk = options.chunkSize ?? 4 * 1024 * 1024;
  let position = 0;
  try {
    for (;;) {
      win.compact(chunk);
      const bytesRead = readSync(fd, win.buf, win.end, win.buf.length - win.end, position);
      if (bytesRead === 0) {
        if (!options.follow || options.signal?.aborted) break;
        await sleep(options.pollMs ?? 250, options.signal);
        if (options.signal?.aborted) break;
        continue;
      }
      position += bytesRead;
      win.end += bytesRead;
      win.parse(parser);
      await options.onChunk?.(win.offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** Streams (stdin, gunzip): copies each chunk behind the unparsed tail. Detects gzip on the first bytes when asked. */
async function readStream(stream: Readable, parser: CaptureParser, win: Window, options: ReadOptions, sniffGzip = false): Promise<boolean> {
  let input: AsyncIterable<Buffer> = stream;
  let gzip = false;
  if (sniffGzip) {
    const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    if (first.done) return false;
    const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => iterator };
    if (isGzip(first.value)) {
      gzip = true;
      const gunzip = createGunzip();
      (async () => {
        gunzip.write(first.value);
        for await (const c of rest) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
        gunzip.end();
      })().catch((e: unknown) => gunzip.destroy(e as Error));
      input = gunzip;
    } else {
      input = (async function* () { yield first.value; yield* rest; })();
    }
  }
  let pendingBytes = 0;
  const flushAt = options.chunkSize ?? 4 * 1024 * 1024;
  try {
    for await (const chunk of input) {
      win.compact(chunk.length);
      win.buf.set(chunk, win.end);
      win.end += chunk.length;
      pendingBytes += chunk.length;
      // Parse in large batches: small pipe chunks would otherwise dominate with per-call overhead.
      if (pendingBytes >= flushAt / 4) {
        win.parse(parser);
        pendingBytes = 0;
        await options.onChunk?.(win.offset);
      }
      if (options.signal?.aborted) break;
    }
  } catch (e) {
    if (e instanceof MamoriError) throw e;
    throw new MamoriError('MAMORI_TELESCOPE_FORMAT', { offset: win.offset + (win.end - win.start), reason: `stream failed: ${(e as Error).message}` }, { cause: e });
  }
  win.parse(parser);
  await options.onChunk?.(win.offset);
  return gzip;
}
