/**
 * HTTPS against the device farm: a farm mixing plain HTTP and HTTPS devices (self-signed
 * certificates made now by openssl, one TLS port from the defaults and one configured) must
 * yield exactly the weak devices — HTTPS Basic, Digest and open admin pages included — with
 * each HTTPS device's certificate in its fingerprint, while a handshake that never completes
 * costs no finding and nothing outside scope or on the exclusion list is ever dialed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { isWeak, selfSignedCertificate, startFarm, type DeviceSpec, type Farm } from '@mamori/testbed';
import { SurveyScope } from './scope/scope.js';
import { runSurvey, type SurveyResult } from './scheduler.js';
import { defaultDictionary } from './credentials.js';

const dict = defaultDictionary();
const pair = (id: string): { username: string; password: string } => {
  const p = dict.pairs.find((x) => x.id === id)!;
  return { username: p.username, password: p.password };
};
const strong = [{ username: 'admin', password: 'Str0ng-and-unique!' }];
const A = (n: number): string => `127.52.0.${n}`;
const H = 8080;
const S = 8443; // a default TLS port
const C = 9443; // a TLS port only this survey's configuration names
const camera = selfSignedCertificate('IPC-HFW1230S');
const router = selfSignedCertificate('RT-AC66U');
const tls = { key: camera.key, cert: camera.cert };

const devices: DeviceSpec[] = [
  { kind: 'http', address: A(1), port: H, credentials: [pair('mirai-013')], auth: 'basic', realm: 'Router' },
  { kind: 'http', address: A(2), port: H, credentials: strong, auth: 'digest', realm: 'IPCAM' },
  { kind: 'http', address: A(3), port: S, credentials: [pair('mirai-004')], auth: 'basic', realm: 'Camera', server: 'Boa/0.94.14rc21', tls },
  { kind: 'http', address: A(4), port: S, credentials: [pair('mirai-052')], auth: 'digest', algorithm: 'MD5', realm: 'NETSurveillance', tls },
  { kind: 'http', address: A(5), port: S, credentials: [pair('mirai-004')], auth: 'digest', algorithm: 'SHA-256', realm: 'sha', tls: { key: router.key, cert: router.cert } },
  { kind: 'http', address: A(6), port: S, credentials: strong, auth: 'basic', realm: 'Camera', tls },
  { kind: 'http', address: A(7), port: C, credentials: [pair('mirai-060')], auth: 'basic', realm: 'NVR', tls },
  { kind: 'http', address: A(8), port: S, credentials: [], auth: 'none', title: 'IP Camera Admin', tls },
  { kind: 'http', address: A(9), port: S, credentials: [], auth: 'none', title: 'Welcome', tls },
  // Weak, but its handshake never completes: unreachable, so no finding.
  { kind: 'http', address: A(10), port: S, credentials: [pair('mirai-001')], auth: 'basic', tls: { ...tls, stallHandshake: true } },
  { kind: 'hostile', address: A(11), port: S, credentials: [], behaviour: 'tarpit' },
  { kind: 'hostile', address: A(12), port: C, credentials: [], behaviour: 'garbage-http', tls },
  { kind: 'hostile', address: A(13), port: S, credentials: [], behaviour: 'endless-banner', tls },
  { kind: 'hostile', address: A(14), port: C, credentials: [], behaviour: 'megabyte-prompt', tls },
  { kind: 'hostile', address: A(15), port: S, credentials: [], behaviour: 'endless-iac', tls },
  // Weak, but excluded (opt-out) and outside the scope: must never be touched.
  { kind: 'http', address: A(200), port: S, credentials: [pair('mirai-004')], auth: 'basic', tls },
  { kind: 'http', address: '127.52.1.10', port: S, credentials: [pair('mirai-004')], auth: 'basic', tls },
];
const untouchable = new Set([A(200), '127.52.1.10']);

let farm: Farm;
let result: SurveyResult;
const dialed: string[] = [];

beforeAll(async () => {
  farm = await startFarm(devices);
  const scope = SurveyScope.fromText('127.52.0.0/27\n127.52.0.200/32\n', '127.52.0.200 # opt-out\n');
  result = await runSurvey({
    scope,
    ports: [H, S, C],
    pairs: dict.pairs,
    concurrency: 128,
    limits: { globalRate: 5000, perSlash24Rate: 5000, perHostConnections: 2, maxAttemptsPerHost: 100, connectTimeoutMs: 1500, maxRetriesPerHost: 1, tlsPorts: [S, C] },
    timeouts: { bannerMs: 500, replyMs: 3000, connectionMs: 20_000 },
    dial: (o) => { dialed.push(o.host); return net.connect(o); },
  });
}, 120_000);

afterAll(async () => {
  await farm?.close();
});

describe('survey of a farm with HTTPS devices', () => {
  it('finds exactly the weak devices over HTTP and HTTPS, with the right pair ids', () => {
    const expected = devices
      .filter((d) => !untouchable.has(d.address) && isWeak(d, dict.pairs))
      .map((d) => `${d.address}:${d.port}`).sort();
    expect(expected).toHaveLength(6);
    const found = result.findings.map((f) => `${f.address}:${f.port}`).sort();
    expect(found, JSON.stringify({ checked: result.checked, outcomes: result.stats.outcomes })).toEqual(expected);
    const byAddr = new Map(result.findings.map((f) => [f.address, f]));
    expect(byAddr.get(A(3))).toMatchObject({ protocol: 'http', method: 'basic', credentialId: 'mirai-004' });
    expect(byAddr.get(A(4))).toMatchObject({ method: 'digest', credentialId: 'mirai-052' });
    expect(byAddr.get(A(5))).toMatchObject({ method: 'digest', credentialId: 'mirai-004' });
    expect(byAddr.get(A(7))).toMatchObject({ method: 'basic', credentialId: 'mirai-060' });
    expect(byAddr.get(A(8))).toMatchObject({ type: 'no-auth', method: 'none' });
    // The device's password was checked over TLS: the strong HTTPS device got the whole dictionary.
    expect(farm.counters(devices[5]).loginAttempts).toBe(dict.pairs.length);
  });

  it('records each HTTPS certificate (subject, issuer, SHA-256) in the fingerprint', () => {
    const svc = new Map(result.services.map((s) => [`${s.address}:${s.port}`, s]));
    const cameraPrint = new X509Certificate(camera.cert).fingerprint256;
    expect(svc.get(`${A(3)}:${S}`)).toMatchObject({
      protocol: 'http', authScheme: 'basic', realm: 'Camera', httpServer: 'Boa/0.94.14rc21',
      tls: { subjectCN: 'IPC-HFW1230S', issuerCN: 'IPC-HFW1230S', sha256: cameraPrint },
    });
    expect(svc.get(`${A(5)}:${S}`)?.tls?.sha256).toBe(new X509Certificate(router.cert).fingerprint256);
    expect(svc.get(`${A(9)}:${S}`)).toMatchObject({ title: 'Welcome', tls: { subjectCN: 'IPC-HFW1230S' } });
    const finding = result.findings.find((f) => f.address === A(3));
    expect(finding?.banner).toContain(cameraPrint);
    // Plain HTTP devices carry no certificate.
    expect(svc.get(`${A(1)}:${H}`)?.tls).toBeUndefined();
  });

  it('spends no finding on a stalled handshake, a tarpit, or garbage and floods behind TLS, and ends every task', () => {
    for (const n of [10, 11, 12, 13, 14, 15]) expect(result.findings.some((f) => f.address === A(n))).toBe(false);
    expect(farm.counters(devices[9]).connections).toBeGreaterThan(0);
    expect(farm.counters(devices[9]).loginAttempts).toBe(0);
    expect(result.stats.tasksDone).toBe(result.stats.tasksTotal);
    expect(result.stats.failures['tls-timeout']).toBeGreaterThan(0);
    // The floods were read over TLS (and cut off by the probes' byte bounds), not refused at the handshake.
    for (const n of [13, 14, 15]) expect(result.services.some((s) => s.address === A(n)), `service at ${A(n)}`).toBe(true);
  });

  it('never contacts an address outside scope or on the exclusion list', () => {
    expect(dialed.length).toBeGreaterThan(0);
    for (const host of dialed) {
      expect(/^127\.52\.0\.([0-9]|[12][0-9]|3[01])$/.test(host), host).toBe(true);
      expect(untouchable.has(host)).toBe(false);
    }
    for (const d of devices.filter((x) => untouchable.has(x.address))) expect(farm.counters(d).connections).toBe(0);
  });
});
