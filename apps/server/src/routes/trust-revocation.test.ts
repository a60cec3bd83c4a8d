/**
 * The CA's revocation endpoints against the real peer: `openssl ocsp -url` (POST) gets
 * good, then revoked after `issueCrl --revoke`, nonce checked and signature verified by
 * openssl; the certificates point at these URLs; GET /crl is a DER CRL `openssl crl` and
 * `openssl verify -crl_check` accept; the GET form of OCSP answers the same.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { certIdOf, encodeOcspRequest, initTrust, issueCrl, parseOcspResponse, runOpenssl, runOpensslAsync, trustFiles, trustMigrations, type InitResult } from '@mamori/trust';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { trustRoutes } from './trust.js';

let platform: Platform;
let app: FastifyInstance;
let base: string;
let work: string;
let ca: InitResult;
const dir = (): string => join(platform.config.dataDir, 'trust');
const cert = (role: 'root' | 'seal' | 'tsa'): string => trustFiles(dir(), role).cert;

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [trustMigrations] });
  app = await buildServer(platform, { modules: [trustRoutes] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  work = mkdtempSync(join(tmpdir(), 'mamori-ocsp-http-'));
});
afterAll(async () => {
  await app.close();
  await platform.close();
  rmSync(work, { recursive: true, force: true });
});

// async: the server answering openssl runs in this process
const opensslOcsp = (role: 'seal' | 'tsa', url: string) =>
  runOpensslAsync(['ocsp', '-issuer', cert('root'), '-cert', cert(role), '-url', url, '-CAfile', cert('root'), '-resp_text'], work);

describe('CRL and OCSP over HTTP', () => {
  it('before `trust init`: no CRL (404) and OCSP tryLater (503)', async () => {
    expect((await fetch(`${base}/crl`)).status).toBe(404);
    const res = await fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('3000', 'hex') });
    expect(res.status).toBe(503);
    expect(parseOcspResponse(new Uint8Array(await res.arrayBuffer())).status).toBe('tryLater');
  });

  it('openssl ocsp -url (taken from the certificate) gets good, verified, nonce echoed', async () => {
    ca = await initTrust({ dir: dir(), organisation: 'HTTP OCSP', baseUrl: base });
    const uri = runOpenssl(['x509', '-in', cert('seal'), '-noout', '-ocsp_uri'], work).out.trim();
    expect(uri).toBe(`${base}/ocsp`);
    const r = await opensslOcsp('seal', uri);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toMatch(/seal\.cert\.pem: good/);
    expect(r.out).not.toMatch(/WARNING: no nonce|Nonce Verify error/);
  });

  it('after a revocation openssl sees revoked with reason; the TSA stays good', async () => {
    await issueCrl({ dir: dir(), revoke: [{ serial: ca.seal.serial, reason: 'cessationOfOperation' }] });
    const r = await opensslOcsp('seal', `${base}/ocsp`);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toMatch(/seal\.cert\.pem: revoked/);
    expect(r.out).toContain('Reason: cessationOfOperation');
    expect((await opensslOcsp('tsa', `${base}/ocsp`)).out).toMatch(/tsa\.cert\.pem: good/);
  });

  it('GET /crl is the DER CRL: openssl crl verifies it, openssl verify -crl_check applies it', async () => {
    const crlUrl = runOpenssl(['x509', '-in', cert('seal'), '-noout', '-ext', 'crlDistributionPoints'], work).out;
    expect(crlUrl).toContain(`URI:${base}/crl`);
    const res = await fetch(`${base}/crl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pkix-crl');
    writeFileSync(join(work, 'root.crl'), Buffer.from(await res.arrayBuffer()));
    const c = runOpenssl(['crl', '-inform', 'DER', '-in', 'root.crl', '-CAfile', cert('root'), '-noout', '-text'], work);
    expect(c.out).toContain('verify OK');
    expect(c.out).toContain('Cessation Of Operation');
    runOpenssl(['crl', '-inform', 'DER', '-in', 'root.crl', '-out', 'root.crl.pem'], work);
    const v = runOpenssl(['verify', '-crl_check', '-CRLfile', 'root.crl.pem', '-CAfile', cert('root'), cert('seal'), cert('tsa')], work);
    expect(v.out).toMatch(/certificate revoked/);
    expect(v.out).toContain('tsa.cert.pem: OK');
  });

  it('GET /ocsp/<base64> answers like POST; bad input gets malformedRequest or 415', async () => {
    const req = encodeOcspRequest([certIdOf(ca.tsa, ca.root)]);
    const res = await fetch(`${base}/ocsp/${encodeURIComponent(req.der.toString('base64'))}`);
    expect(res.status).toBe(200);
    const parsed = parseOcspResponse(new Uint8Array(await res.arrayBuffer()));
    expect(parsed.responses[0].status).toBe('good');
    expect(Buffer.from(parsed.nonce!).equals(req.nonce!)).toBe(true);
    expect(parseOcspResponse(new Uint8Array(await (await fetch(`${base}/ocsp/not-base64!`)).arrayBuffer())).status).toBe('malformedRequest');
    expect(parseOcspResponse(new Uint8Array(await (await fetch(`${base}/ocsp/MAA=`)).arrayBuffer())).status).toBe('malformedRequest');
    expect((await fetch(`${base}/ocsp/%E0%A4%A`)).status).toBe(400); // Fastify refuses a malformed escape
    const junk = await fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.from('junk') });
    expect(parseOcspResponse(new Uint8Array(await junk.arrayBuffer())).status).toBe('malformedRequest');
    expect((await fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
  });
});
