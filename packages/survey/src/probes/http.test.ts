/**
 * The HTTP login probe's pipelining against servers that pipeline, answer one request per
 * connection, ignore requests past the first of a write, or rotate Digest nonces: every pair
 * is still tried exactly to a verdict, the weak pair is found, and the host's attempt budget
 * holds even with several attempts per write.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createLogger } from '@mamori/core';
import { digestResponse } from '@mamori/testbed';
import { SurveyScope } from '../scope/scope.js';
import { SurveyConnector } from '../scope/connector.js';
import { DEFAULT_TIMEOUTS, type ProbeContext } from './context.js';
import { httpLogin } from './http.js';

const pairs = Array.from({ length: 12 }, (_, i) => ({ id: `p-${i + 1}`, username: 'admin', password: `pw${i + 1}` }));
const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

type Mode = 'pipelines' | 'one-per-connection' | 'first-of-each-read' | 'stale-nonce' | 'answers-twice';

/** A Basic (or, for `stale-nonce`, Digest) server accepting `admin:<good>`; counts the attempts it checked. */
async function server(address: string, mode: Mode, good: string): Promise<{ attempts: () => number; connections: () => number; bare: () => number }> {
  let attempts = 0;
  let bare = 0;
  let connections = 0;
  let nonce = 0;
  let checked = 0;
  const s = net.createServer((socket) => {
    connections++;
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let out = '';
      let firstOfRead = true;
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        if (mode === 'first-of-each-read' && !firstOfRead) continue; // silently dropped
        firstOfRead = false;
        const auth = /\r\nAuthorization: (.*)/i.exec(head)?.[1];
        if (!auth) bare++;
        let ok = false;
        let stale = false;
        if (auth && mode !== 'stale-nonce') {
          attempts++;
          ok = Buffer.from(auth.slice(6), 'base64').toString() === `admin:${good}`;
        } else if (auth) {
          const p = Object.fromEntries([...auth.matchAll(/(\w+)="?([^",]*)"?/g)].map((m) => [m[1], m[2]]));
          // The nonce changes after every third checked attempt; an old one is stale, its password never checked.
          if (p.nonce !== `n${nonce}`) stale = true;
          else {
            attempts++;
            ok = p.response === digestResponse(p, good, 'GET', 'MD5');
            if (++checked % 3 === 0) nonce++;
          }
        }
        const challenge = mode === 'stale-nonce' ? `Digest realm="r", qop="auth", nonce="n${nonce}"${stale ? ', stale=true' : ''}` : 'Basic realm="r"';
        const close = mode === 'one-per-connection' ? 'Connection: close\r\n' : '';
        // A broken device: every 401 is followed by an unprompted 200, which a client that pairs
        // answers with requests by position alone would take for the next pair's success.
        if (mode === 'answers-twice' && !ok) out += `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: ${challenge}\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`;
        else out += ok ? `HTTP/1.1 200 OK\r\n${close}Content-Length: 2\r\n\r\nok` : `HTTP/1.1 401 Unauthorized\r\n${close}WWW-Authenticate: ${challenge}\r\nContent-Length: 0\r\n\r\n`;
        if (mode === 'one-per-connection') break; // the rest of the write is never read
      }
      if (mode === 'one-per-connection') socket.end(out);
      else socket.write(out);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(8080, address, r));
  return { attempts: () => attempts, connections: () => connections, bare: () => bare };
}

function context(maxAttemptsPerHost = 1000, httpPipeline = 4): ProbeContext {
  const connector = new SurveyConnector(SurveyScope.fromText('127.47.0.0/24'), { globalRate: 10_000, perSlash24Rate: 10_000, perHostConnections: 2, maxAttemptsPerHost });
  return { connector, timeouts: { ...DEFAULT_TIMEOUTS, replyMs: 500 }, log: createLogger({ level: 'silent', pretty: false }), telnetAttemptsPerConnection: 3, httpPipeline, onAttempt: () => undefined };
}

describe('HTTP login with pipelined attempts', () => {
  // Depth 16: a lane starts at 4 requests per write and doubles while all are answered.
  it.each<[Mode, number, number]>([
    ['pipelines', 1, 4],
    ['one-per-connection', 3, 4],
    ['first-of-each-read', 5, 4],
    ['stale-nonce', 7, 4],
    ['pipelines', 9, 16],
    ['one-per-connection', 11, 16],
    ['first-of-each-read', 13, 16],
    ['stale-nonce', 15, 16],
  ])('finds the good pair, and against a strong device checks every pair exactly once (%s, device .%i, depth %i)', async (mode, n, depth) => {
    const weak = `127.47.0.${n}`;
    const strong = `127.47.0.${n + 1}`;
    await server(weak, mode, 'pw11');
    const dev = await server(strong, mode, 'not-in-the-dictionary');
    expect((await httpLogin(context(1000, depth), weak, 8080, pairs)).success?.credentialId).toBe('p-11');
    const out = await httpLogin(context(1000, depth), strong, 8080, pairs);
    expect(out.success).toBeUndefined();
    expect(out.stopped).toBeUndefined();
    expect([...(out.refused ?? [])].sort()).toEqual(pairs.map((p) => p.id).sort());
    expect(dev.attempts()).toBe(pairs.length);
    if (mode === 'pipelines') expect(dev.connections()).toBe(2); // one per lane carries all its attempts
    if (mode === 'one-per-connection') expect(dev.connections()).toBeGreaterThan(pairs.length);
  });

  it('starts from a challenge the fingerprint already saw, without asking for it again', async () => {
    const dev = await server('127.47.0.22', 'stale-nonce', 'not-in-the-dictionary');
    // A nonce from an earlier connection: the device calls it stale, and the pairs go again.
    const known = { scheme: 'digest', params: { realm: 'r', qop: 'auth', nonce: 'old' } };
    const out = await httpLogin(context(), '127.47.0.22', 8080, pairs, '/', 2, known);
    expect([...(out.refused ?? [])].sort()).toEqual(pairs.map((p) => p.id).sort());
    expect(dev.bare()).toBe(0);
    expect(dev.attempts()).toBe(pairs.length);
  });

  it('does not take an unprompted 200 for a weak pair, and still finds the real one', async () => {
    await server('127.47.0.23', 'answers-twice', 'not-in-the-dictionary');
    const strong = await httpLogin(context(), '127.47.0.23', 8080, pairs);
    expect(strong.success).toBeUndefined();
    expect([...(strong.refused ?? [])].sort()).toEqual(pairs.map((p) => p.id).sort());
    await server('127.47.0.24', 'answers-twice', 'pw7');
    expect((await httpLogin(context(), '127.47.0.24', 8080, pairs)).success?.credentialId).toBe('p-7');
  });

  it('keeps to the host attempt budget with several attempts per write', async () => {
    const dev = await server('127.47.0.20', 'pipelines', 'never');
    const out = await httpLogin(context(5, 4), '127.47.0.20', 8080, pairs);
    expect(out.stopped).toBe('budget');
    expect(out.attempts).toBe(5);
    expect(dev.attempts()).toBe(5);
  });

  it('sends one attempt per request when pipelining is off', async () => {
    const dev = await server('127.47.0.21', 'first-of-each-read', 'pw12');
    const out = await httpLogin(context(1000, 1), '127.47.0.21', 8080, pairs);
    expect(out.success?.credentialId).toBe('p-12');
    expect(out.attempts).toBe(12);
    expect(dev.attempts()).toBe(12);
  });
});
