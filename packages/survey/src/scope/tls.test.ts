import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { isMamoriError } from '@mamori/core';
import { selfSignedCertificate } from '@mamori/testbed';
import { certificateBanner, certificateInfo, secureSocket } from './tls.js';
import { SurveyConnector } from './connector.js';
import { SurveyScope } from './scope.js';

const cert = selfSignedCertificate('DS-2CD2042WD');
const names: (string | false)[] = [];
let server: tls.Server;
let stall: net.Server;
let port = 0;
let stallPort = 0;
const open = new Set<net.Socket>();
const track = (s: net.Socket): void => { open.add(s); s.on('close', () => open.delete(s)); };

const listen = (s: net.Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));
const tcp = (p: number): Promise<net.Socket> => new Promise((resolve, reject) => {
  const s = net.connect({ host: '127.0.0.1', port: p }, () => resolve(s));
  s.once('error', reject);
});

beforeAll(async () => {
  server = tls.createServer({ key: cert.key, cert: cert.cert }, (s) => {
    names.push((s as tls.TLSSocket & { servername: string | false }).servername);
    s.end('hello');
  });
  stall = net.createServer((s) => { s.on('error', () => undefined); });
  server.on('connection', track);
  stall.on('connection', track);
  port = await listen(server);
  stallPort = await listen(stall);
});

afterAll(async () => {
  for (const s of open) s.destroy();
  await new Promise((r) => server.close(r));
  await new Promise((r) => stall.close(r));
});

describe('secureSocket', () => {
  it('accepts a self-signed certificate, sends no SNI for an address, and records the certificate', async () => {
    const s = await secureSocket(await tcp(port), '127.0.0.1', port, 3000);
    const text = await new Promise<string>((resolve) => { let t = ''; s.on('data', (d) => { t += d; }); s.on('close', () => resolve(t)); });
    expect(text).toBe('hello');
    expect(names.at(-1)).toBe(false);
    const info = certificateInfo(s)!;
    expect(info).toEqual({ subjectCN: 'DS-2CD2042WD', issuerCN: 'DS-2CD2042WD', sha256: new X509Certificate(cert.cert).fingerprint256 });
    expect(certificateBanner(info)).toContain('subject CN=DS-2CD2042WD');
  });

  it('sends SNI for a name', async () => {
    const s = await secureSocket(await tcp(port), 'cam.example', port, 3000);
    s.resume();
    await new Promise((r) => s.on('close', r));
    expect(names.at(-1)).toBe('cam.example');
  });

  it('gives up on a handshake that never completes within the budget, destroying the TCP socket', async () => {
    const raw = await tcp(stallPort);
    const err = await secureSocket(raw, '127.0.0.1', stallPort, 200).catch((e: unknown) => e);
    expect(isMamoriError(err, 'MAMORI_SURVEY_CONNECT')).toBe(true);
    expect((err as { details?: { reason?: string } }).details?.reason).toBe('tls-timeout');
    expect(raw.destroyed).toBe(true);
  });

  it('has no certificate for a plain socket', async () => {
    const raw = await tcp(stallPort);
    expect(certificateInfo(raw)).toBeUndefined();
    raw.destroy();
  });
});

describe('the connector on a TLS port', () => {
  const connector = (): SurveyConnector => new SurveyConnector(SurveyScope.fromText('127.0.0.1/32'), {
    globalRate: 1000, perSlash24Rate: 1000, perHostConnections: 1, maxSockets: 1, connectTimeoutMs: 300, tlsPorts: [port, stallPort],
  });

  it('counts a stalled handshake as a failed connect, not a connected one, and gives both slots back', async () => {
    const c = connector();
    const err = await c.connect('127.0.0.1', stallPort).catch((e: unknown) => e);
    expect((err as { details?: { reason?: string } }).details?.reason).toBe('tls-timeout');
    expect(c.stats).toMatchObject({ connects: 1, connected: 0, failed: 1, failures: { 'tls-timeout': 1 } });
    // One host slot and one socket slot: the next connect gets both once the dead socket has closed.
    const s = await c.connect('127.0.0.1', port);
    expect(certificateInfo(s)?.subjectCN).toBe('DS-2CD2042WD');
    expect(c.stats).toMatchObject({ connects: 2, connected: 1, failed: 1 });
    s.destroy();
  });

  it('dials the scan in plain TCP on a TLS port', async () => {
    const s = await connector().connect('127.0.0.1', port, 'scan');
    expect(certificateInfo(s)).toBeUndefined();
    s.destroy();
  });
});
