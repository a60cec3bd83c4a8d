/**
 * Reads a socket into a bounded window so no device can hold the scanner's memory or time:
 * only the last `windowBytes` are kept for matching, the connection is cut after
 * `maxBytes` in total or at `deadline`, and every wait has its own timeout.
 */
import type net from 'node:net';
import { ioTimeout } from './io-timer.js';

export type WaitResult<T> = { kind: 'match'; value: T } | { kind: 'timeout' } | { kind: 'closed' } | { kind: 'overflow' };

export interface BoundedReaderOptions {
  windowBytes?: number;
  maxBytes?: number;
  /** Absolute time (Date.now()) after which the connection is cut. */
  deadline?: number;
  /** Turns raw bytes into data (Telnet strips IAC here); may throw to abort. */
  transform?: (chunk: Buffer) => Buffer;
}

export class BoundedReader {
  private text = '';
  private total = 0;
  private ended = false;
  private overflowed = false;
  private failure: unknown = null;
  private notify: (() => void) | null = null;
  private readonly windowBytes: number;
  private readonly maxBytes: number;
  private readonly deadlineTimer: NodeJS.Timeout | null;

  constructor(readonly socket: net.Socket, options: BoundedReaderOptions = {}) {
    this.windowBytes = options.windowBytes ?? 4096;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    const transform = options.transform;
    socket.on('data', (chunk: Buffer) => {
      this.total += chunk.length;
      if (this.total > this.maxBytes) {
        this.overflowed = true;
        socket.destroy();
        this.wake();
        return;
      }
      try {
        const data = transform ? transform(chunk) : chunk;
        if (data.length) {
          this.text += data.toString('latin1');
          if (this.text.length > this.windowBytes) this.text = this.text.slice(this.text.length - this.windowBytes);
        }
      } catch (e) {
        this.failure = e;
        socket.destroy();
      }
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
      this.wake();
    });
    socket.on('end', () => socket.end());
    this.deadlineTimer = options.deadline ? setTimeout(() => socket.destroy(), Math.max(0, options.deadline - Date.now())) : null;
    this.deadlineTimer?.unref();
  }

  /** Text received since the last `clear()` (latin1, at most `windowBytes`). */
  get window(): string {
    return this.text;
  }

  get bytesReceived(): number {
    return this.total;
  }

  get closed(): boolean {
    return this.ended;
  }

  get error(): unknown {
    return this.failure;
  }

  clear(): void {
    this.text = '';
  }

  /** Resolves when `test(window)` returns a value, the timeout passes, or the connection ends. */
  async waitFor<T>(test: (window: string) => T | undefined, timeoutMs: number): Promise<WaitResult<T>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = test(this.text);
      if (v !== undefined) return { kind: 'match', value: v };
      if (this.overflowed) return { kind: 'overflow' };
      if (this.ended) return { kind: 'closed' };
      const left = end - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const cancel = ioTimeout(() => { this.notify = null; resolve(); }, left);
        this.notify = () => { cancel(); this.notify = null; resolve(); };
      });
    }
  }

  write(data: string | Uint8Array): void {
    if (!this.ended && !this.socket.destroyed) this.socket.write(data);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    this.notify?.();
  }
}
