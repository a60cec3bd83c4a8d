/**
 * HTTPS against plain HTTP: the same strong Basic-auth devices surveyed once in the clear and
 * once behind TLS (self-signed certificates), whole dictionary each, to show what the TLS
 * handshakes and encryption cost per login attempt. The farm runs in this process (both
 * sides share the CPU, so compare the two figures, not either with other benches).
 *
 *   npm run bench -- bench/survey-https.ts [devices=100] [pairs=60]
 */
import { loadavg } from 'node:os';
import { farmAddress, selfSignedCertificate, startFarm, type DeviceSpec } from '@mamori/testbed';
import { SurveyScope, defaultDictionary, runSurvey } from '@mamori/survey';

const nDevices = Number(process.argv[2] ?? 100);
const pairs = defaultDictionary().pairs.slice(0, Number(process.argv[3] ?? 60));
const NET = 62;
const cert = selfSignedCertificate('IPC-BENCH');
const strong = [{ username: 'admin', password: 'V3ry-l0ng-unguessable' }];

async function one(label: string, port: number, tls: boolean): Promise<void> {
  const devices: DeviceSpec[] = Array.from({ length: nDevices }, (_, i) => ({
    kind: 'http', address: farmAddress(NET, i), port, credentials: strong, auth: 'basic', realm: 'Camera',
    ...(tls ? { tls: { key: cert.key, cert: cert.cert } } : {}),
  }));
  const farm = await startFarm(devices);
  const last = farmAddress(NET, nDevices - 1);
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const result = await runSurvey({
      scope: SurveyScope.fromText(`${devices.map((d) => d.address).join('\n')}\n`),
      ports: [port], pairs, concurrency: 512,
      limits: { globalRate: 20_000, perSlash24Rate: 20_000, maxAttemptsPerHost: 1000, tlsPorts: tls ? [port] : [] },
    });
    const s = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const t = farm.totals();
    console.log(`${label}: ${nDevices} devices (…${last}) × ${pairs.length} pairs: ${t.loginAttempts} attempts in ${s.toFixed(1)} s = ${Math.round(t.loginAttempts / s)} attempts/s, ` +
      `${t.connections} connections, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-s (scanner + farm), outcomes ${JSON.stringify(result.stats.outcomes)}`);
  } finally {
    await farm.close();
  }
}

await one('HTTP ', 8080, false);
await one('HTTPS', 8443, true);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
