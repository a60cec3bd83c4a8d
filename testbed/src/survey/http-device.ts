/**
 * An embedded web server: an admin page behind Basic or Digest (RFC 7616) authentication,
 * or open to anyone. HTTP/1.1 with keep-alive (and in-order answers to pipelined requests)
 * like real devices, so a prober may reuse its connection.
 *
 * It speaks HTTP straight off the socket instead of through node:http, as the small servers
 * in cameras do: the farm is test equipment that shares the machine with the scanner it
 * measures, and node:http's per-request machinery cost as much as the scanner's side of the
 * conversation. Replies to the requests of one read go out in one write.
 */
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { DeviceCounters, HttpDeviceSpec } from './devices.js';

function parseParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) out[m[1].toLowerCase()] = (m[2] ?? m[3]).replace(/\\(.)/g, '$1');
  return out;
}

const HASH: Record<string, string> = { 'MD5': 'md5', 'MD5-sess': 'md5', 'SHA-256': 'sha256' };

export function digestResponse(p: Record<string, string>, password: string, method: string, algorithm: string): string {
  const H = (s: string): string => createHash(HASH[algorithm] ?? 'md5').update(s).digest('hex');
  let ha1 = H(`${p.username}:${p.realm}:${password}`);
  if (algorithm.endsWith('-sess')) ha1 = H(`${ha1}:${p.nonce}:${p.cnonce}`);
  const ha2 = H(`${method}:${p.uri}`);
  return p.qop ? H(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : H(`${ha1}:${p.nonce}:${ha2}`);
}

/** Longest request head the device reads before it answers 431 and hangs up. */
const MAX_HEAD = 8 * 1024;
const KEEP_ALIVE_MS = 5000;

interface Request {
  method: string;
  url: string;
  authorization?: string;
  close: boolean;
}

/** One request head (without its blank line), or null when it is malformed. */
function parseRequest(head: string): Request | null {
  const lines = head.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!m) return null;
  const req: Request = { method: m[1], url: m[2], close: m[3] === '0' };
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) return null;
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    if (name === 'authorization') req.authorization = value;
    else if (name === 'connection') req.close = /close/i.test(value) || (req.close && !/keep-alive/i.test(value));
    else if (name === 'content-length' || name === 'transfer-encoding') return null; // a GET-only device: no bodies
  }
  return req;
}

export function startHttpDevice(spec: HttpDeviceSpec, counters: DeviceCounters): net.Server {
  const realm = spec.realm ?? 'IPCamera Login';
  const algorithm = spec.algorithm ?? 'MD5';
  const nonce = randomBytes(12).toString('hex');
  const page = `<!doctype html><html><head><title>${spec.title ?? 'Web Admin'}</title></head><body>device</body></html>`;
  const denied = '<html><head><title>401 Unauthorized</title></head></html>';
  const server = spec.server ? `Server: ${spec.server}\r\n` : '';
  const challenge = `WWW-Authenticate: ${spec.auth === 'digest'
    ? `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="${nonce.slice(0, 8)}"`
    : `Basic realm="${realm}"`}\r\n`;
  const reply = (status: string, extra: string, body: string, close: boolean): string =>
    `HTTP/1.1 ${status}\r\n${server}${extra}Content-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: ${close ? 'close' : 'keep-alive'}\r\n\r\n${body}`;

  const authorized = (req: Request): boolean => {
    if (spec.auth === 'none') return true;
    const auth = req.authorization;
    if (!auth) return false;
    counters.loginAttempts++;
    let ok = false;
    if (spec.auth === 'basic' && auth.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      ok = spec.credentials.some((c) => c.username === user && c.password === rest.join(':'));
    } else if (spec.auth === 'digest' && auth.startsWith('Digest ')) {
      const p = parseParams(auth.slice(7));
      const cred = spec.credentials.find((c) => c.username === p.username);
      ok = !!cred && p.realm === realm && p.nonce === nonce && p.uri === req.url && p.response === digestResponse(p, cred.password, req.method, algorithm);
    }
    if (ok) counters.successes++;
    return ok;
  };

  return net.createServer((socket) => {
    counters.connections++;
    socket.on('error', () => undefined);
    socket.setTimeout(KEEP_ALIVE_MS, () => socket.destroy());
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let out = '';
      let close = false;
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0 && !close; end = pending.indexOf('\r\n\r\n')) {
        const req = parseRequest(pending.slice(0, end));
        pending = pending.slice(end + 4);
        if (!req) {
          out += reply('400 Bad Request', '', '', true);
          close = true;
        } else if (authorized(req)) {
          out += reply('200 OK', '', req.method === 'HEAD' ? '' : page, req.close);
          close = req.close;
        } else {
          out += reply('401 Unauthorized', challenge, denied, req.close);
          close = req.close;
        }
      }
      if (!close && pending.length > MAX_HEAD) {
        out += reply('431 Request Header Fields Too Large', '', '', true);
        close = true;
      }
      if (close) socket.end(out);
      else if (out) socket.write(out);
    });
  });
}
