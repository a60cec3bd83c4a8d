/**
 * OCSP responder benchmark: answers per second from mamori's responder in-process and over
 * HTTP (POST /ocsp through the server), against OpenSSL's own HTTP responder
 * (`openssl ocsp -port -index`) driven by the same client, and `openssl ocsp -index -reqin`
 * run once per request. Every HTTP answer is checked to be a successful OCSPResponse; a sample
 * of mamori's is verified by `openssl ocsp -respin` (signature and nonce).
 *
 *   npm run bench -- bench/trust-ocsp.ts [--seconds 5] [--connections 16]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBackends } from '@mamori/core';
import { buildServer, routeModules } from '@mamori/server';
import { OcspResponder, initTrust, parseOcspResponse, trustFiles, trustMigrations } from '@mamori/trust';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const seconds = arg('seconds', 5);
const connections = arg('connections', 16);
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const work = mkdtempSync(join(tmpdir(), 'bench-ocsp-'));
const run = (args: string[]) => spawnSync('openssl', args, { cwd: work, encoding: 'utf8' });

const platform = await testBackends()[0].open({ migrations: [trustMigrations] });
const dir = join(platform.config.dataDir, 'trust');
const ca = await initTrust({ dir, organisation: 'Bench OCSP' });
const cert = (role: 'root' | 'seal' | 'ocsp') => trustFiles(dir, role).cert;
run(['ocsp', '-issuer', cert('root'), '-cert', cert('seal'), '-reqout', 'req.der']);
const request = readFileSync(join(work, 'req.der'));

// 1. in-process
const responder = new OcspResponder({ dir });
let inProcess = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  responder.respond(request);
  inProcess++;
}
const inProcessPerSec = inProcess / ((performance.now() - t0) / 1000);

/** `connections` concurrent sequential POST loops for `seconds`; counts successful OCSPResponses. */
async function load(url: string): Promise<{ perSecond: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request });
        const body = new Uint8Array(await res.arrayBuffer());
        if (parseOcspResponse(body).status === 'successful') ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  }));
  return { perSecond: ok / ((performance.now() - start) / 1000), failed };
}

// 2. mamori over HTTP
const app = await buildServer(platform, { modules: [routeModules.find((m) => m.name === 'trust')!] });
await app.listen({ host: '127.0.0.1', port: 0 });
const mamoriUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/ocsp`;
const mamoriHttp = await load(mamoriUrl);
writeFileSync(join(work, 'resp.der'), Buffer.from(await (await fetch(mamoriUrl, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: request })).arrayBuffer()));
const check = run(['ocsp', '-reqin', 'req.der', '-respin', 'resp.der', '-CAfile', cert('root')]);
const opensslAccepts = `${check.stdout}${check.stderr}`.includes('Response verify OK');
await app.close();

// 3. openssl's HTTP responder, same client
const yymmdd = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
writeFileSync(join(work, 'index.txt'), `V\t${yymmdd(ca.seal.notAfter)}\t\t${ca.seal.serial.toString(16).toUpperCase()}\tunknown\t/CN=seal\n`);
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const opensslServer = spawn('openssl', ['ocsp', '-index', 'index.txt', '-port', String(port), '-CA', cert('root'), '-rsigner', cert('ocsp'), '-rkey', trustFiles(dir, 'ocsp').key, '-ndays', '1'], { cwd: work, stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const opensslHttp = await load(`http://127.0.0.1:${port}/`);
opensslServer.kill();

// 4. openssl ocsp once per request
const n = 30;
const t1 = performance.now();
for (let i = 0; i < n; i++) run(['ocsp', '-index', 'index.txt', '-CA', cert('root'), '-rsigner', cert('ocsp'), '-rkey', trustFiles(dir, 'ocsp').key, '-reqin', 'req.der', '-respout', 'o.der']);
const oneShotPerSec = n / ((performance.now() - t1) / 1000);

console.log(JSON.stringify({
  seconds, connections,
  mamoriInProcessPerSec: Math.round(inProcessPerSec),
  mamoriHttpPerSec: Math.round(mamoriHttp.perSecond), mamoriHttpFailed: mamoriHttp.failed,
  opensslHttpPerSec: Math.round(opensslHttp.perSecond), opensslHttpFailed: opensslHttp.failed,
  opensslOneShotPerSec: Number(oneShotPerSec.toFixed(1)),
  httpRatioMamoriToOpenssl: Number((mamoriHttp.perSecond / opensslHttp.perSecond).toFixed(2)),
  opensslAcceptsMamoriReply: opensslAccepts,
  loadAverage: loadAverage(),
}, null, 2));
await platform.close();
rmSync(work, { recursive: true, force: true });
