/**
 * A listener of its own for the RFC 3161 TSA (POST <path> with application/timestamp-query),
 * beside the main server's POST /tsa. Why: on node:http a request costs more CPU than the
 * ECDSA signature it carries (objects per request, one write syscall per reply even when the
 * client pipelines); see "Fourth session" in docs/notes/issue-6.md. This listener understands
 * exactly what a time-stamp client sends — HTTP/1.1 (or 1.0) POST with a Content-Length body,
 * keep-alive, pipelining — and writes the replies to everything one read brought in one write,
 * in request order. Anything else gets a plain error status and the connection is closed.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface TsaAnswer {
  status: number;
  type: string;
  body: Buffer | string;
}

/** Answers one query body; the listener has checked nothing but the HTTP framing. */
export type TsaQueryHandler = (query: Buffer, contentType: string | undefined) => Promise<TsaAnswer>;

export interface TsaListenerOptions {
  /** The request target answered (default `/tsa`); a query string is ignored. */
  path?: string;
  /** Largest body accepted (default 64 KiB, as the main server's route); larger gets 413. */
  maxQuery?: number;
  /** Largest request line + header block (default 8 KiB); larger gets 431. */
  maxHeader?: number;
  /** A connection with nothing to read or write for this long is closed (default 30 s). */
  idleMs?: number;
  /** Requests read but not yet answered on one connection before reading pauses (default 256). */
  maxInFlight?: number;
}

const REASON: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 411: 'Length Required', 413: 'Content Too Large',
  415: 'Unsupported Media Type', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 501: 'Not Implemented',
  503: 'Service Unavailable', 505: 'HTTP Version Not Supported',
};

const HEADER_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The IMF-fixdate for the Date header (RFC 9110 §6.6.1), recomputed once a second. */
let dateSecond = 0;
let dateValue = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

interface Head {
  method: string;
  target: string;
  minor: number;
  headers: Map<string, string>;
}

/** The request line and header fields, or the status that refuses them. */
function parseHead(text: string): Head | number {
  const lines = text.split('\r\n');
  const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/(\d)\.(\d)$/.exec(lines[0]);
  if (!line) return 400;
  if (line[3] !== '1') return 505;
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) return 400; // also obs-fold (a line starting with whitespace): RFC 9112 §5.2 allows refusing it
    const name = lines[i].slice(0, colon);
    if (!TOKEN.test(name)) return 400;
    const key = name.toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    const seen = headers.get(key);
    if (seen !== undefined && key === 'content-length' && seen !== value) return 400;
    headers.set(key, seen !== undefined && key !== 'content-length' ? `${seen}, ${value}` : value);
  }
  return { method: line[1], target: line[2], minor: Number(line[4]), headers };
}

function replyHead(status: number, type: string | undefined, length: number, close: boolean, keepAlive10: boolean): string {
  return `HTTP/1.1 ${status} ${REASON[status] ?? 'Error'}\r\nDate: ${httpDate()}\r\n`
    + (type ? `Content-Type: ${type}\r\n` : '')
    + `Content-Length: ${length}\r\n`
    + (close ? 'Connection: close\r\n' : keepAlive10 ? 'Connection: keep-alive\r\n' : '')
    + '\r\n';
}

interface Pending {
  answer: Promise<TsaAnswer> | TsaAnswer;
  close: boolean;
  keepAlive10: boolean;
  head: boolean;
}

class TsaConnection {
  private buffered: Buffer | null = null;
  /** The previous batch's write; batches go out in order. */
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private paused = false;
  private closing = false;
  /** The last header block and its parse: a pipelining client repeats the same one. */
  private lastHeadBytes: Buffer | null = null;
  private lastHead: Head | null = null;

  constructor(private readonly socket: Socket, private readonly handler: TsaQueryHandler, private readonly o: Required<TsaListenerOptions>) {
    socket.setNoDelay(true);
    socket.setTimeout(o.idleMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('drain', () => this.resumeIfRoom());
    // A client may half-close after its last query (allowHalfOpen): answer what it sent, then end.
    socket.on('end', () => {
      this.closing = true;
      void this.chain.then(() => socket.end());
    });
    socket.on('error', () => socket.destroy());
  }

  private read(chunk: Buffer): void {
    if (this.closing) return;
    let buf = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    const batch: Pending[] = [];
    while (!this.closing) {
      const end = buf.indexOf(HEADER_END);
      if (end < 0) {
        if (buf.length > this.o.maxHeader) this.refuse(batch, 431);
        break;
      }
      if (end > this.o.maxHeader) {
        this.refuse(batch, 431);
        break;
      }
      const head = this.headOf(buf, end);
      if (typeof head === 'number') {
        this.refuse(batch, head);
        break;
      }
      const status = this.check(head);
      if (status) {
        this.refuse(batch, status, head.method === 'HEAD');
        break;
      }
      const length = Number(head.headers.get('content-length'));
      if (buf.length < end + 4 + length) {
        // A client waiting for 100 Continue sends the body only after it (RFC 9110 §10.1.1).
        if (/100-continue/i.test(head.headers.get('expect') ?? '') && this.socket.writable && batch.length === 0 && this.inFlight === 0) {
          this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        }
        break;
      }
      const body = buf.subarray(end + 4, end + 4 + length);
      buf = buf.subarray(end + 4 + length);
      const connection = (head.headers.get('connection') ?? '').toLowerCase();
      const close = head.minor === 0 ? !/\bkeep-alive\b/.test(connection) : /\bclose\b/.test(connection);
      batch.push({ answer: this.answer(body, head.headers.get('content-type')), close, keepAlive10: head.minor === 0 && !close, head: false });
      if (close) this.closing = true;
    }
    this.buffered = buf.length && !this.closing ? buf : null;
    if (batch.length) this.send(batch);
  }

  private headOf(buf: Buffer, end: number): Head | number {
    const last = this.lastHeadBytes;
    if (last && last.length === end && buf.compare(last, 0, end, 0, end) === 0) return this.lastHead!;
    const head = parseHead(buf.toString('latin1', 0, end));
    if (typeof head !== 'number') {
      this.lastHeadBytes = Buffer.from(buf.subarray(0, end));
      this.lastHead = head;
    }
    return head;
  }

  /** Framing and routing: 0 when the request may be answered. */
  private check(head: Head): number {
    const q = head.target.indexOf('?');
    const path = q < 0 ? head.target : head.target.slice(0, q);
    if (path !== this.o.path) return 404;
    if (head.method !== 'POST') return 405;
    // Only Content-Length framing: a chunked query would need a second parser for no client that sends one.
    if (head.headers.has('transfer-encoding')) return 411;
    const length = head.headers.get('content-length');
    if (length === undefined || !/^\d{1,10}$/.test(length)) return length === undefined ? 411 : 400;
    if (Number(length) > this.o.maxQuery) return 413;
    return 0;
  }

  private answer(body: Buffer, contentType: string | undefined): Promise<TsaAnswer> {
    try {
      return this.handler(body, contentType).catch(() => ({ status: 500, type: 'text/plain', body: 'internal error' }));
    } catch {
      return Promise.resolve({ status: 500, type: 'text/plain', body: 'internal error' });
    }
  }

  /** Answers `status` after what is already queued, then closes: after a framing error the byte stream cannot be trusted. */
  private refuse(batch: Pending[], status: number, head = false): void {
    batch.push({ answer: { status, type: 'text/plain', body: REASON[status] ?? 'Error' }, close: true, keepAlive10: false, head });
    this.closing = true;
  }

  private send(batch: Pending[]): void {
    this.inFlight += batch.length;
    if (this.inFlight >= this.o.maxInFlight) this.pause();
    const answers = Promise.all(batch.map((p) => p.answer));
    this.chain = this.chain.then(() => answers).then((replies) => {
      this.inFlight -= batch.length;
      if (this.socket.destroyed) return;
      const parts: Buffer[] = [];
      let close = false;
      for (let i = 0; i < replies.length; i++) {
        const r = replies[i];
        const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
        close ||= batch[i].close;
        parts.push(Buffer.from(replyHead(r.status, r.type, body.length, batch[i].close, batch[i].keepAlive10), 'latin1'));
        if (!batch[i].head) parts.push(body);
      }
      const room = this.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
      if (close) this.socket.end();
      else if (room) this.resumeIfRoom();
      else this.pause(); // until 'drain'
    });
  }

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resumeIfRoom(): void {
    if (this.paused && this.inFlight < this.o.maxInFlight && !this.socket.writableNeedDrain) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

export interface TsaListener {
  readonly server: Server;
  listen(port: number, host?: string): Promise<void>;
  /** Stops listening and drops open connections (keep-alive clients would otherwise hold it open). */
  close(): Promise<void>;
}

/** A listener answering time-stamp queries with `handler`. */
export function createTsaListener(handler: TsaQueryHandler, options: TsaListenerOptions = {}): TsaListener {
  const o: Required<TsaListenerOptions> = {
    path: options.path ?? '/tsa',
    maxQuery: options.maxQuery ?? 64 * 1024,
    maxHeader: options.maxHeader ?? 8 * 1024,
    idleMs: options.idleMs ?? 30_000,
    maxInFlight: options.maxInFlight ?? 256,
  };
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    new TsaConnection(socket, handler, o);
  });
  return {
    server,
    listen: (port, host) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: () => new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
