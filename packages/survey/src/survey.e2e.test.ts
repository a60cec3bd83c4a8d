/**
 * End to end against the testbed's device farm: the survey must find exactly the weak
 * devices (no more, no less), never contact anything outside scope or on the exclusion list
 * (watched at both ends: every dial, and every device's own connection counter), and come
 * through the hostile devices intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startFarm, isWeak, type DeviceSpec, type Farm } from '@mamori/testbed';
import { SurveyScope } from './scope/scope.js';
import { runSurvey, type SurveyResult } from './scheduler.js';
import { defaultDictionary } from './credentials.js';

const dict = defaultDictionary();
const pair = (id: string): { username: string; password: string } => {
  const p = dict.pairs.find((x) => x.id === id)!;
  return { username: p.username, password: p.password };
};
const strong = [{ username: 'admin', password: 'Str0ng-and-unique!' }];
const A = (n: number): string => `127.41.0.${n}`;
const T = 2323;
const S = 2222;
const H = 8080;

const devices: DeviceSpec[] = [
  { kind: 'telnet', address: A(1), port: T, credentials: [pair('mirai-001')], iac: true, banner: 'HiSilicon DVR' },
  { kind: 'telnet', address: A(2), port: T, credentials: [pair('mirai-060')], loginPrompt: 'Username: ', passwordPrompt: 'Password: ' },
  { kind: 'telnet', address: A(3), port: T, credentials: strong, iac: true },
  { kind: 'telnet', address: A(4), port: T, credentials: [], noAuth: true },
  { kind: 'telnet', address: A(5), port: T, credentials: [pair('mirai-004')], bannerDelayMs: 2500, loginPrompt: 'User Name:', passwordPrompt: 'Password:' },
  { kind: 'telnet', address: A(6), port: T, credentials: strong, lockoutAfter: 5 },
  { kind: 'telnet', address: A(7), port: T, credentials: [pair('mirai-003')], attemptsPerConnection: 1, shellPrompt: '$ ' },
  { kind: 'ssh', address: A(8), port: S, credentials: [pair('mirai-014')], methods: ['password'] },
  { kind: 'ssh', address: A(9), port: S, credentials: [pair('mirai-004')], methods: ['keyboard-interactive'] },
  { kind: 'ssh', address: A(10), port: S, credentials: strong, methods: ['password', 'keyboard-interactive'] },
  { kind: 'http', address: A(11), port: H, credentials: [pair('mirai-013')], auth: 'basic', realm: 'Router', server: 'mini_httpd/1.19' },
  { kind: 'http', address: A(12), port: H, credentials: [pair('mirai-004')], auth: 'digest', algorithm: 'MD5', realm: 'NETSurveillance' },
  { kind: 'http', address: A(13), port: H, credentials: [pair('mirai-052')], auth: 'digest', algorithm: 'SHA-256', realm: 'IPCAM' },
  { kind: 'http', address: A(14), port: H, credentials: strong, auth: 'basic', realm: 'Router' },
  { kind: 'http', address: A(15), port: H, credentials: [], auth: 'none', title: 'IP Camera Admin' },
  { kind: 'http', address: A(16), port: H, credentials: [], auth: 'none', title: 'Welcome' },
  { kind: 'http', address: A(17), port: H, credentials: [pair('mirai-004')], auth: 'digest', algorithm: 'MD5-sess', realm: 'sess' },
  { kind: 'hostile', address: A(30), port: T, credentials: [], behaviour: 'tarpit' },
  { kind: 'hostile', address: A(31), port: T, credentials: [], behaviour: 'reset' },
  { kind: 'hostile', address: A(32), port: T, credentials: [], behaviour: 'endless-banner' },
  { kind: 'hostile', address: A(33), port: T, credentials: [], behaviour: 'megabyte-prompt' },
  { kind: 'hostile', address: A(34), port: T, credentials: [], behaviour: 'endless-iac' },
  { kind: 'hostile', address: A(35), port: T, credentials: [], behaviour: 'half-open' },
  { kind: 'hostile', address: A(36), port: H, credentials: [], behaviour: 'garbage-http' },
  { kind: 'hostile', address: A(37), port: H, credentials: [], behaviour: 'endless-banner' },
  // Weak, but excluded (opt-out) and outside the scope: must never be touched.
  { kind: 'telnet', address: A(200), port: T, credentials: [pair('mirai-001')] },
  { kind: 'http', address: A(201), port: H, credentials: [pair('mirai-004')], auth: 'basic' },
  { kind: 'telnet', address: '127.41.1.10', port: T, credentials: [pair('mirai-001')] },
];
const untouchable = new Set([A(200), A(201), '127.41.1.10']);

let farm: Farm;
let result: SurveyResult;
const dialed: string[] = [];

beforeAll(async () => {
  farm = await startFarm(devices);
  const scope = SurveyScope.fromText('# authorised\n127.41.0.0/24\n', '127.41.0.200/31 # opt-out\n');
  result = await runSurvey({
    scope,
    ports: [T, S, H],
    pairs: dict.pairs,
    concurrency: 256,
    limits: { globalRate: 5000, perSlash24Rate: 5000, perHostConnections: 2, maxAttemptsPerHost: 100 },
    timeouts: { bannerMs: 1500, replyMs: 4000, connectionMs: 20_000 },
    dial: (o) => { dialed.push(o.host); return net.connect(o); },
  });
}, 120_000);

afterAll(async () => {
  await farm?.close();
});

describe('survey of the device farm', () => {
  it('finds exactly the weak devices, with the right pair ids', () => {
    const expected = devices
      .filter((d) => !untouchable.has(d.address) && isWeak(d, dict.pairs))
      .map((d) => `${d.address}:${d.port}`).sort();
    const found = result.findings.map((f) => `${f.address}:${f.port}`).sort();
    expect(found, JSON.stringify(result.checked)).toEqual(expected);
    const byAddr = new Map(result.findings.map((f) => [f.address, f]));
    expect(byAddr.get(A(1))).toMatchObject({ type: 'weak-credential', protocol: 'telnet', credentialId: 'mirai-001' });
    expect(byAddr.get(A(2))).toMatchObject({ credentialId: 'mirai-060' });
    expect(byAddr.get(A(4))).toMatchObject({ type: 'no-auth', protocol: 'telnet' });
    expect(byAddr.get(A(5))).toMatchObject({ credentialId: 'mirai-004' });
    expect(byAddr.get(A(8))).toMatchObject({ protocol: 'ssh', method: 'password', credentialId: 'mirai-014' });
    expect(byAddr.get(A(9))).toMatchObject({ protocol: 'ssh', method: 'keyboard-interactive' });
    expect(byAddr.get(A(11))).toMatchObject({ protocol: 'http', method: 'basic', credentialId: 'mirai-013' });
    expect(byAddr.get(A(12))).toMatchObject({ method: 'digest', credentialId: 'mirai-004' });
    expect(byAddr.get(A(13))).toMatchObject({ method: 'digest', credentialId: 'mirai-052' });
    expect(byAddr.get(A(15))).toMatchObject({ type: 'no-auth', protocol: 'http' });
  });

  it('never stores a password in a finding', () => {
    for (const f of result.findings) {
      expect(Object.keys(f)).not.toContain('password');
      if (!f.credentialId) continue;
      const p = dict.pairs.find((x) => x.id === f.credentialId)!;
      // `method` may legitimately be the word "password" (the SSH auth method's name).
      expect(JSON.stringify({ ...f, method: undefined })).not.toContain(`"${p.password}"`);
    }
  });

  it('never contacts an address outside scope or on the exclusion list', () => {
    expect(dialed.length).toBeGreaterThan(0);
    for (const host of dialed) {
      expect(host.startsWith('127.41.0.')).toBe(true);
      expect(untouchable.has(host)).toBe(false);
    }
    for (const d of devices.filter((x) => untouchable.has(x.address))) expect(farm.counters(d).connections).toBe(0);
  });

  it('captures fingerprints: telnet banner, SSH version, HTTP server and realm', () => {
    const svc = new Map(result.services.map((s) => [`${s.address}:${s.port}`, s]));
    expect(svc.get(`${A(1)}:${T}`)?.banner).toContain('HiSilicon DVR');
    expect(svc.get(`${A(8)}:${S}`)?.sshVersion).toBe('SSH-2.0-dropbear_2014.63');
    expect(svc.get(`${A(11)}:${H}`)).toMatchObject({ protocol: 'http', httpServer: 'mini_httpd/1.19', authScheme: 'basic', realm: 'Router' });
    expect(svc.get(`${A(12)}:${H}`)).toMatchObject({ authScheme: 'digest', realm: 'NETSurveillance' });
    expect(svc.get(`${A(16)}:${H}`)).toMatchObject({ title: 'Welcome' });
  });

  it('respects lockouts and the per-host attempt budget; tries the whole dictionary on strong devices', () => {
    // Locked after 5 failures; the second parallel connection may have one attempt in flight.
    expect(farm.counters(devices[5]).loginAttempts).toBeLessThanOrEqual(5 + 1);
    expect(farm.counters(devices[2]).loginAttempts).toBe(dict.pairs.length);
    expect(farm.counters(devices[13]).loginAttempts).toBe(dict.pairs.length);
    expect(farm.counters(devices[9]).loginAttempts).toBeGreaterThanOrEqual(dict.pairs.length);
  });

  it('comes through the hostile devices', () => {
    for (const d of devices.filter((x) => x.kind === 'hostile')) {
      expect(result.findings.some((f) => f.address === d.address)).toBe(false);
    }
    expect(result.stats.tasksDone).toBe(result.stats.addresses * 3);
    expect(result.stats.addresses).toBe(254);
  });
});
