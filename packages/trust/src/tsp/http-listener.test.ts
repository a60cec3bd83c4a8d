import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTrust, runOpenssl, type TestTrust } from '../testing.js';
import { trustFiles } from '../pki/keys.js';
import { parseSignedData } from '../cms/parse.js';
import { createTsaListener, type TsaListener } from './http-listener.js';
import { encodeTimeStampReq } from './request.js';
import { parseTimeStampResp, PKIStatus } from './response.js';
import { parseTstInfo } from './tst-info.js';
import { requestTimeStamp } from './client.js';

let trust: TestTrust;
let listener: TsaListener;
let port: number;
let work: string;

beforeAll(async () => {
  trust = await createTestTrust();
  const tsa = trust.authority();
  listener = createTsaListener(async (query, type) => (type?.startsWith('application/timestamp-query')
    ? { status: 200, type: 'application/timestamp-reply', body: await tsa.respond(query) }
    : { status: 415, type: 'text/plain', body: 'not a time-stamp query' }), { idleMs: 5000 });
  await listener.listen(0, '127.0.0.1');
  port = (listener.server.address() as { port: number }).port;
  work = mkdtempSync(join(tmpdir(), 'mamori-tsa-listener-'));
});
afterAll(async () => {
  await listener.close();
  trust.remove();
  rmSync(work, { recursive: true, force: true });
});

interface HttpReply { status: number; headers: Record<string, string>; body: Buffer }

/** Parses the replies in `raw` (what the listener wrote on one connection). */
function replies(raw: Buffer): HttpReply[] {
  const out: HttpReply[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`incomplete reply head at ${at}`);
    const [line, ...fields] = raw.toString('latin1', at, end).split('\r\n');
    const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    out.push({ status: Number(line.split(' ')[1]), headers, body: raw.subarray(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return out;
}

/** Writes `parts` (with a pause between them) and collects everything until the listener closes or `count` replies are in. */
function exchange(parts: (Buffer | string)[], count = Infinity): Promise<{ replies: HttpReply[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = (closed: boolean) => {
      socket.destroy();
      resolve({ replies: replies(Buffer.concat(chunks)), closed });
    };
    socket.on('data', (d) => {
      chunks.push(d);
      try {
        if (replies(Buffer.concat(chunks)).length >= count) done(false);
      } catch {
        // a reply still incomplete
      }
    });
    socket.on('end', () => done(true));
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const p of parts) {
        socket.write(p);
        await new Promise((r) => setTimeout(r, 10));
      }
    });
  });
}

const post = (body: Buffer, extra = '', type = 'application/timestamp-query'): Buffer => Buffer.concat([
  Buffer.from(`POST /tsa HTTP/1.1\r\nHost: tsa\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n${extra}\r\n`),
  body,
]);
const digest = createHash('sha256').update('pipelined').digest();

describe('TSA listener', () => {
  it('answers pipelined queries in order in one connection; serials increase; openssl accepts a reply', async () => {
    const queries = Array.from({ length: 6 }, (_, i) => encodeTimeStampReq(digest, { nonce: BigInt(1000 + i), certReq: true }));
    const { replies: got, closed } = await exchange([Buffer.concat(queries.map((q) => post(q.der)))], queries.length);
    expect(closed).toBe(false);
    expect(got.map((r) => r.status)).toEqual(queries.map(() => 200));
    const infos = got.map((r) => {
      expect(r.headers['content-type']).toBe('application/timestamp-reply');
      const resp = parseTimeStampResp(r.body);
      expect(resp.status).toBe(PKIStatus.granted);
      return parseTstInfo(parseSignedData(resp.token!).content!);
    });
    expect(infos.map((t) => t.nonce)).toEqual(queries.map((q) => q.nonce));
    for (let i = 1; i < infos.length; i++) expect(infos[i].serialNumber).toBeGreaterThan(infos[i - 1].serialNumber);

    writeFileSync(join(work, 'data.txt'), 'pipelined');
    writeFileSync(join(work, 'r.tsr'), got[3].body);
    const v = runOpenssl(['ts', '-verify', '-data', 'data.txt', '-in', 'r.tsr', '-CAfile', trustFiles(trust.dir, 'root').cert], work);
    expect(v.out).toContain('Verification: OK');
  });

  it('reassembles a request split anywhere, and serves the mamori HTTP client (keep-alive fetch)', async () => {
    const one = post(encodeTimeStampReq(digest).der);
    const split = [one.subarray(0, 5), one.subarray(5, 40), one.subarray(40, one.length - 3), one.subarray(one.length - 3)];
    const { replies: got } = await exchange(split, 1);
    expect(parseTimeStampResp(got[0].body).status).toBe(PKIStatus.granted);
    const token = await requestTimeStamp(`http://127.0.0.1:${port}/tsa`, digest);
    expect(token.length).toBeGreaterThan(100);
  });

  it('answers a client that half-closes right after its query', async () => {
    const got = await new Promise<HttpReply[]>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      s.on('data', (d) => chunks.push(d));
      s.on('end', () => resolve(replies(Buffer.concat(chunks))));
      s.on('error', reject);
      s.end(post(encodeTimeStampReq(digest).der));
    });
    expect(got.map((r) => r.status)).toEqual([200]);
  });

  it('keeps the connection after a 415, answering the next query', async () => {
    const q = encodeTimeStampReq(digest).der;
    const { replies: got, closed } = await exchange([Buffer.concat([post(q, '', 'text/plain'), post(q)])], 2);
    expect(closed).toBe(false);
    expect(got.map((r) => r.status)).toEqual([415, 200]);
  });

  it('closes after Connection: close and after an HTTP/1.0 request without keep-alive', async () => {
    const q = encodeTimeStampReq(digest).der;
    const a = await exchange([Buffer.concat([post(q, 'Connection: close\r\n'), post(q)])]);
    expect(a.closed).toBe(true);
    expect(a.replies.map((r) => r.status)).toEqual([200]);
    expect(a.replies[0].headers.connection).toBe('close');
    const b = await exchange([post(q).toString('latin1').replace('HTTP/1.1', 'HTTP/1.0')]);
    expect(b.closed).toBe(true);
    expect(b.replies.map((r) => r.status)).toEqual([200]);
  });

  const q = encodeTimeStampReq(digest).der;
  const refusals: [string, string | Buffer, number][] = [
    ['another path', post(q).toString('latin1').replace('/tsa', '/other'), 404],
    ['another method', 'GET /tsa HTTP/1.1\r\nHost: tsa\r\n\r\n', 405],
    ['no Content-Length', 'POST /tsa HTTP/1.1\r\nHost: tsa\r\nContent-Type: application/timestamp-query\r\n\r\n', 411],
    ['chunked', 'POST /tsa HTTP/1.1\r\nHost: tsa\r\nTransfer-Encoding: chunked\r\nContent-Type: application/timestamp-query\r\n\r\n5\r\nabcde\r\n0\r\n\r\n', 411],
    ['a bad Content-Length', 'POST /tsa HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n', 400],
    ['two Content-Lengths that differ', 'POST /tsa HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400],
    ['a body over 64 KiB', 'POST /tsa HTTP/1.1\r\nContent-Length: 65537\r\n\r\n', 413],
    ['a header block over 8 KiB', `POST /tsa HTTP/1.1\r\nX-Pad: ${'a'.repeat(9000)}\r\n`, 431],
    ['an unreadable request line', 'HELLO\r\n\r\n', 400],
    ['a folded header', 'POST /tsa HTTP/1.1\r\nContent-Type: application/timestamp-query\r\n  folded\r\nContent-Length: 0\r\n\r\n', 400],
    ['HTTP/2.0', 'POST /tsa HTTP/2.0\r\nContent-Length: 0\r\n\r\n', 505],
  ];
  for (const [name, request, status] of refusals) {
    it(`refuses ${name} with ${status} and closes, after answering what came before`, async () => {
      const { replies: got, closed } = await exchange([post(q), request]);
      expect(closed).toBe(true);
      expect(got.map((r) => r.status)).toEqual([200, status]);
    });
  }

  it('survives random bytes on many connections and keeps serving', async () => {
    for (let i = 0; i < 30; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + ((i * 97) % 300) }, (_, j) => (i * 31 + j * 17) & 0xff));
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      s.end(i % 2 ? junk : Buffer.concat([Buffer.from('POST /tsa HTTP/1.1\r\nContent-Length: 20\r\n\r\n'), junk]));
    }
    const { replies: got } = await exchange([post(q)], 1);
    expect(parseTimeStampResp(got[0].body).status).toBe(PKIStatus.granted);
  });
});
