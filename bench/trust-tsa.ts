/**
 * RFC 3161 TSA throughput: tokens/s from mamori's HTTP TSA (POST /tsa) under load from a
 * second process (autocannon), compared with
 *   - OpenSSL's raw ECDSA P-256 signing rate (`openssl speed -seconds 3 ecdsap256`),
 *   - `openssl ts -reply` run once per request (the usual shell-script TSA),
 *   - mamori's TSA in-process without HTTP (the cost of the token itself).
 * Goal: HTTP tokens/s >= 50% of the raw signature rate. Every reply counted is checked to be
 * a granted TimeStampResp by sampling, and one is verified with `openssl ts -verify`.
 *
 * The HTTP TSA is measured as one server process and as a node:cluster of worker processes
 * sharing the port and one SQLite store (their serial-number blocks never overlap).
 *
 *   npm run bench -- bench/trust-tsa.ts [--seconds 10] [--connections 32] [--workers 2]
 */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, sign } from 'node:crypto';
import { loadConfig, openPlatform, testBackends } from '@mamori/core';
import { buildServer, routeModules } from '@mamori/server';
import { initTrust, parseTimeStampResp, PKIStatus, trustFiles, trustMigrations, openTrust } from '@mamori/trust';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const seconds = arg('seconds', 10);
const connections = arg('connections', 32);
const workers = arg('workers', 2);

/** A cluster worker: one more TSA server process on the shared port and store. */
async function serveWorker(): Promise<void> {
  const config = loadConfig({ env: {}, overrides: { dataDir: process.env.BENCH_DATA_DIR, log: { level: 'silent' } } });
  const platform = await openPlatform(config, { migrations: [trustMigrations] });
  const trustRoutes = routeModules.find((m) => m.name === 'trust')!;
  const app = await buildServer(platform, { modules: [trustRoutes] });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
  process.send?.('ready');
}

if (cluster.isWorker) {
  await serveWorker();
  await new Promise(() => undefined);
}

const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

const work = mkdtempSync(join(tmpdir(), 'mamori-bench-tsa-'));
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });

// 1. the raw signature rate of the peer
const speed = run('openssl', ['speed', '-seconds', '3', 'ecdsap256']);
const speedLine = speed.stdout.split('\n').find((l) => /256 bits ecdsa \(nistp256\)/.test(l)) ?? '';
const rawSignPerSec = Number(speedLine.trim().split(/\s+/).at(-2));

// 2. mamori's TSA behind its HTTP route, store-backed serials, in this process
const platform = await testBackends()[0].open({ migrations: [trustMigrations] });
const dir = join(platform.config.dataDir, 'trust');
await initTrust({ dir, organisation: 'Bench TSA' });
const trustRoutes = routeModules.find((m) => m.name === 'trust');
if (!trustRoutes) throw new Error('the server has no trust routes');
const app = await buildServer(platform, { modules: [trustRoutes] });
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/tsa`;
writeFileSync(join(work, 'data.txt'), 'benchmark payload\n');
run('openssl', ['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq']);
const query = readFileSync(join(work, 'q.tsq'));

// Node's own signing rate on one thread, for reference
const key = createPrivateKey(readFileSync(trustFiles(dir, 'tsa').key, 'utf8'));
let nodeSigns = 0;
const t0 = performance.now();
while (performance.now() - t0 < 1000) {
  sign('sha256', query, key);
  nodeSigns++;
}
const nodeSignPerSec = nodeSigns / ((performance.now() - t0) / 1000);

// in-process token rate (no HTTP)
const tsa = await openTrust({ config: platform.config, store: platform.store }).authority();
await tsa.respond(query);
let inProc = 0;
const t1 = performance.now();
while (performance.now() - t1 < 2000) {
  await Promise.all(Array.from({ length: 64 }, () => tsa.respond(query))); // 64 in flight, like the HTTP load
  inProc += 64;
}
const inProcessPerSec = inProc / ((performance.now() - t1) / 1000);

// a sample reply checked by openssl
const sample = Buffer.from(await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer());
writeFileSync(join(work, 'r.tsr'), sample);
const verified = run('openssl', ['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', trustFiles(dir, 'root').cert, '-untrusted', trustFiles(dir, 'tsa').cert]);
const opensslAccepts = `${verified.stdout}${verified.stderr}`.includes('Verification: OK');

// 3. load from a second process
const require = createRequire(import.meta.url);
const autocannonBin = join(require.resolve('autocannon/package.json'), '..', 'autocannon.js');
const autocannon = (target: string) => new Promise<any>((resolve, reject) => {
  const child = spawn(process.execPath, [autocannonBin, '-j', '-c', String(connections), '-d', String(seconds), '-m', 'POST',
    '-H', 'content-type=application/timestamp-query', '-i', join(work, 'q.tsq'), target], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('error', reject);
  child.on('exit', () => {
    try {
      resolve(JSON.parse(out));
    } catch (e) {
      reject(e);
    }
  });
});
const load = await autocannon(url);
const granted = tsa.stats.granted; // in-process count, for contrast with the route's TSA
const httpPerSec = load.requests.average as number;
const non2xx = load.non2xx as number;
const replyAfter = parseTimeStampResp(Buffer.from(await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer()));

// 3b. the same route in `workers` processes (node:cluster) over one shared SQLite store
let clusterLoad: any = null;
if (workers > 1) {
  const port = await freePort();
  const procs = Array.from({ length: workers }, () => cluster.fork({ BENCH_DATA_DIR: platform.config.dataDir, BENCH_PORT: String(port) }));
  await Promise.all(procs.map((w) => new Promise((r) => w.once('message', r))));
  clusterLoad = await autocannon(`http://127.0.0.1:${port}/tsa`);
  const check = parseTimeStampResp(Buffer.from(await (await fetch(`http://127.0.0.1:${port}/tsa`, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer()));
  if (check.status !== PKIStatus.granted) throw new Error('cluster TSA stopped granting');
  for (const w of procs) w.kill();
}

// 4. openssl ts -reply once per request
writeFileSync(join(work, 'tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${join(work, 'serial')}\nsigner_cert = ${trustFiles(dir, 'tsa').cert}\nsigner_key = ${trustFiles(dir, 'tsa').key}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\ness_cert_id_alg = sha256\n`);
writeFileSync(join(work, 'serial'), '01\n');
const n = 50;
const t2 = performance.now();
for (let i = 0; i < n; i++) run('openssl', ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-out', 'o.tsr']);
const opensslReplyPerSec = n / ((performance.now() - t2) / 1000);

await app.close();
await platform.close();
rmSync(work, { recursive: true, force: true });

const r = (x: number): string => x.toFixed(0);
console.log(`mamori TSA benchmark (${seconds} s, ${connections} connections from a second process, ${process.arch}, ${(await import('node:os')).cpus().length} cores)`);
console.log(`  openssl speed ecdsap256 (raw sign/s, 1 thread):   ${r(rawSignPerSec)}`);
console.log(`  Node crypto.sign P-256 (sign/s, 1 thread):        ${r(nodeSignPerSec)}`);
console.log(`  mamori TSA in-process (tokens/s, 64 in flight):      ${r(inProcessPerSec)}  (${granted} granted)`);
console.log(`  mamori TSA over HTTP (tokens/s, autocannon):      ${r(httpPerSec)}  (p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, non-2xx ${non2xx}, errors ${load.errors})`);
if (clusterLoad) console.log(`  mamori TSA over HTTP, ${workers} cluster workers:        ${r(clusterLoad.requests.average)}  (p50 ${clusterLoad.latency.p50} ms, p99 ${clusterLoad.latency.p99} ms, non-2xx ${clusterLoad.non2xx}, errors ${clusterLoad.errors})`);
console.log(`  openssl ts -reply once per request (tokens/s):    ${r(opensslReplyPerSec)}`);
console.log(`  sample reply accepted by openssl ts -verify:      ${opensslAccepts}; status after load: ${PKIStatus[replyAfter.status]}`);
const best = Math.max(httpPerSec, clusterLoad?.requests.average ?? 0);
console.log(`  ratio HTTP / raw openssl sign:                    ${(httpPerSec / rawSignPerSec * 100).toFixed(1)}% (one process), ${(best / rawSignPerSec * 100).toFixed(1)}% (best)  (goal >= 50%)`);
console.log(`  ratio HTTP / openssl ts -reply per request:       ${(httpPerSec / opensslReplyPerSec).toFixed(1)}x`);
