/**
 * A small HTTP/1.1 client over sockets from the connector (so every request obeys scope and
 * rate limits), reusing one keep-alive connection for successive login attempts. Responses
 * are bounded: 16 KiB of head, `maxBody` of body; anything longer ends the connection.
 */
import type net from 'node:net';
import { MamoriError } from '@mamori/core';
import { messageLength, parseHttpHead, type HttpHead } from '../protocol/http-response.js';
import type { ProbeContext } from './context.js';
import { ioTimeout } from '../protocol/io-timer.js';

export interface HttpResponse {
  head: HttpHead;
  body: Buffer;
}

export class HttpConnection {
  private socket: net.Socket | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private waiter: (() => void) | null = null;
  private ended = false;
  /** The headers every request of this connection carries (built once). */
  private readonly fixedHeaders: string;

  constructor(private readonly ctx: ProbeContext, readonly address: string, readonly port: number, private readonly maxBody = 64 * 1024) {
    this.fixedHeaders = `Host: ${address}${port === 80 ? '' : `:${port}`}\r\nUser-Agent: mamori-survey\r\nAccept: */*\r\nConnection: keep-alive\r\n`;
  }

  async request(path: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return (await this.pipeline(path, [headers]))[0];
  }

  /**
   * Sends one GET per header set in a single write (HTTP/1.1 pipelining, RFC 9112 §9.3.2)
   * and reads the responses in order. Returns the responses that arrived before the server
   * hung up, stopped answering or said `Connection: close` — a server that does not pipeline
   * answers only the first — so the caller can send the rest again; throws only when not
   * even the first came back.
   */
  async pipeline(path: string, headerSets: readonly Record<string, string>[]): Promise<HttpResponse[]> {
    // Bytes nobody asked for (a response sent twice, or unprompted) would be read as the
    // answer to this write's first request: such a connection is not used again.
    if (this.socket && this.buf.length) this.close();
    if (!this.socket || this.ended) await this.open();
    let text = '';
    for (const headers of headerSets) {
      text += `GET ${path} HTTP/1.1\r\n${this.fixedHeaders}`;
      for (const k in headers) text += `${k}: ${headers[k]}\r\n`;
      text += '\r\n';
    }
    this.socket!.write(text);
    const out: HttpResponse[] = [];
    for (let i = 0; i < headerSets.length; i++) {
      try {
        out.push(await this.next());
      } catch (e) {
        if (out.length === 0) throw e;
        this.close();
        break;
      }
      if (!this.socket) break; // closed after that response: the rest were never read
    }
    return out;
  }

  /** The next whole response on the connection (bounded by the reply timeout). */
  private async next(): Promise<HttpResponse> {
    const deadline = Date.now() + this.ctx.timeouts.replyMs;
    for (;;) {
      const head = parseHttpHead(this.buf);
      if (head) {
        const length = messageLength(head, this.buf);
        if (length !== null) {
          const whole = this.buf.subarray(0, length);
          this.buf = this.buf.subarray(length);
          if (/close/i.test(head.headers.get('connection')?.[0] ?? '')) this.close();
          return { head, body: whole.subarray(head.headLength) };
        }
        if (this.buf.length > head.headLength + this.maxBody) {
          // Too long to keep: take what we have, drop the connection.
          const body = this.buf.subarray(head.headLength, head.headLength + this.maxBody);
          this.close();
          return { head, body };
        }
        if (this.ended) {
          const body = this.buf.subarray(head.headLength);
          this.close();
          return { head, body };
        }
      } else if (this.ended) {
        throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'connection closed before a response', offset: this.buf.length });
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        this.close();
        throw new MamoriError('MAMORI_SURVEY_HTTP_PROTOCOL', { reason: 'response timed out', offset: this.buf.length });
      }
      await new Promise<void>((resolve) => {
        const cancel = ioTimeout(() => { this.waiter = null; resolve(); }, left);
        this.waiter = () => { cancel(); this.waiter = null; resolve(); };
      });
    }
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
    this.buf = Buffer.alloc(0);
  }

  private async open(): Promise<void> {
    this.close();
    this.ended = false;
    const socket = await this.ctx.connector.connect(this.address, this.port);
    this.socket = socket;
    const deadline = setTimeout(() => socket.destroy(), this.ctx.timeouts.connectionMs);
    deadline.unref();
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      if (this.buf.length > 16 * 1024 + this.maxBody + 1) socket.pause();
      this.waiter?.();
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      if (socket !== this.socket) return;
      this.ended = true;
      this.waiter?.();
    });
  }
}
