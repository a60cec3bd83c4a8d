/**
 * An embedded web server: an admin page behind Basic or Digest (RFC 7616) authentication,
 * or open to anyone. Keep-alive like real devices, so a prober may reuse its connection.
 */
import http from 'node:http';
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

export function startHttpDevice(spec: HttpDeviceSpec, counters: DeviceCounters): http.Server {
  const realm = spec.realm ?? 'IPCamera Login';
  const algorithm = spec.algorithm ?? 'MD5';
  const nonce = randomBytes(12).toString('hex');
  const page = `<!doctype html><html><head><title>${spec.title ?? 'Web Admin'}</title></head><body>device</body></html>`;
  const server = http.createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    if (spec.server) res.setHeader('Server', spec.server);
    const auth = req.headers.authorization;
    let ok = spec.auth === 'none';
    if (!ok && auth) {
      counters.loginAttempts++;
      if (spec.auth === 'basic' && auth.startsWith('Basic ')) {
        const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
        ok = spec.credentials.some((c) => c.username === user && c.password === rest.join(':'));
      } else if (spec.auth === 'digest' && auth.startsWith('Digest ')) {
        const p = parseParams(auth.slice(7));
        const cred = spec.credentials.find((c) => c.username === p.username);
        ok = !!cred && p.realm === realm && p.nonce === nonce && p.uri === req.url && p.response === digestResponse(p, cred.password, req.method ?? 'GET', algorithm);
      }
      if (ok) counters.successes++;
    }
    if (ok) {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
      return;
    }
    res.setHeader('WWW-Authenticate', spec.auth === 'digest'
      ? `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="${nonce.slice(0, 8)}"`
      : `Basic realm="${realm}"`);
    res.writeHead(401, { 'Content-Type': 'text/html' });
    res.end('<html><head><title>401 Unauthorized</title></head></html>');
  });
  server.on('connection', (s) => { counters.connections++; s.on('error', () => undefined); });
  return server;
}
