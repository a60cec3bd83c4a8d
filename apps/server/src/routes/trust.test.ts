import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { initTrust, runOpenssl, parseTimeStampResp, PKIStatus, requestTimeStamp, trustFiles, trustMigrations, verifyTimeStampToken } from '@mamori/trust';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { trustRoutes } from './trust.js';

const openssl = runOpenssl;

let platform: Platform;
let app: FastifyInstance;
let url: string;
let work: string;

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [trustMigrations] });
  app = await buildServer(platform, { modules: [trustRoutes] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/tsa`;
  work = mkdtempSync(join(tmpdir(), 'mamori-tsa-http-'));
  writeFileSync(join(work, 'data.txt'), 'submitted report\n');
  openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq'], work);
});
afterAll(async () => {
  await app.close();
  await platform.close();
  rmSync(work, { recursive: true, force: true });
});

const post = (body: Buffer, type = 'application/timestamp-query') => fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

describe('POST /tsa', () => {
  it('answers 503 with a systemFailure rejection before `trust init`', async () => {
    const res = await post(readFileSync(join(work, 'q.tsq')));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    expect(parseTimeStampResp(new Uint8Array(await res.arrayBuffer())).failInfo).toBe('systemFailure');
  });

  it('answers an openssl query over HTTP; openssl ts -verify accepts the reply', async () => {
    await initTrust({ dir: join(platform.config.dataDir, 'trust'), organisation: 'HTTP TSA' });
    const res = await post(readFileSync(join(work, 'q.tsq')));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    writeFileSync(join(work, 'r.tsr'), Buffer.from(await res.arrayBuffer()));
    const files = (role: 'root' | 'tsa') => trustFiles(join(platform.config.dataDir, 'trust'), role).cert;
    const v = openssl(['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', files('root'), '-untrusted', files('tsa')], work);
    expect(v.out).toContain('Verification: OK');
  });

  it('serves the mamori client, with serial numbers increasing', async () => {
    const data = Buffer.from('hello');
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(data).digest();
    const t1 = await requestTimeStamp(url, digest);
    const t2 = await requestTimeStamp(url, digest);
    const anchors = [...(await import('@mamori/trust')).loadTrustAnchors(join(platform.config.dataDir, 'trust'))];
    const v1 = verifyTimeStampToken(t1, { data, trustAnchors: anchors });
    const v2 = verifyTimeStampToken(t2, { data, trustAnchors: anchors });
    expect(v1.valid && v2.valid).toBe(true);
    expect(v2.serialNumber! > v1.serialNumber!).toBe(true);
  });

  it('rejects garbage with badDataFormat and an unknown content type with 415', async () => {
    const res = await post(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]));
    expect(res.status).toBe(200);
    const parsed = parseTimeStampResp(new Uint8Array(await res.arrayBuffer()));
    expect(parsed.status).toBe(PKIStatus.rejection);
    expect(parsed.failInfo).toBe('badDataFormat');
    expect((await post(Buffer.from('x'), 'text/plain')).status).toBe(415);
  });

  it('answers the same through Fastify (inject, a query string) as through the raw node:http path', async () => {
    const query = readFileSync(join(work, 'q.tsq'));
    const viaFastify = await app.inject({ method: 'POST', url: '/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: query });
    expect(viaFastify.statusCode).toBe(200);
    expect(parseTimeStampResp(viaFastify.rawPayload).status).toBe(PKIStatus.granted);
    const withQueryString = await fetch(`${url}?via=fastify`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query });
    expect(parseTimeStampResp(new Uint8Array(await withQueryString.arrayBuffer())).status).toBe(PKIStatus.granted);
    expect((await app.inject({ method: 'POST', url: '/tsa', headers: { 'content-type': 'text/plain' }, payload: 'x' })).statusCode).toBe(415);
  });

  it('refuses a query over 64 KiB with 413 on both paths', async () => {
    const huge = Buffer.alloc(65 * 1024, 0x30);
    const raw = await post(huge);
    expect(raw.status).toBe(413);
    expect(((await raw.json()) as { code: string }).code).toBe('MAMORI_TRUST_INPUT');
    const viaFastify = await app.inject({ method: 'POST', url: '/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: huge });
    expect(viaFastify.statusCode).toBe(413);
  });

  it('GET /tsa/certificates returns the TSA chain as PEM', async () => {
    const res = await fetch(`${url}/certificates`);
    expect(res.status).toBe(200);
    expect((await res.text()).match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('[trust] tsa.listen starts the TSA listener with the server (same answers as POST /tsa) and closes it with it', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const withListener: Platform = Object.assign(Object.create(platform) as Platform, { config: { ...platform.config, trust: { tsa: { listen: `127.0.0.1:${free}` } } } });
    const second = await buildServer(withListener, { modules: [trustRoutes] });
    await second.ready();
    const tsaUrl = `http://127.0.0.1:${free}/tsa`;
    const query = readFileSync(join(work, 'q.tsq'));
    const res = await fetch(tsaUrl, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
    writeFileSync(join(work, 'l.tsr'), Buffer.from(await res.arrayBuffer()));
    const files = (role: 'root' | 'tsa') => trustFiles(join(platform.config.dataDir, 'trust'), role).cert;
    expect(openssl(['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'l.tsr', '-CAfile', files('root'), '-untrusted', files('tsa')], work).out).toContain('Verification: OK');
    expect((await fetch(tsaUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
    await second.close();
    await expect(fetch(tsaUrl, { method: 'POST', body: query })).rejects.toThrow();
  });
});
