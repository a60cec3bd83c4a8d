/**
 * RFC 3161 TSA throughput: time-stamp tokens/s from mamori's HTTP TSA (POST /tsa) under load
 * from a second process (autocannon, bench/trust-tsa-load.ts, every reply checked granted),
 * compared with
 *   - OpenSSL's raw ECDSA P-256 signing rate: `openssl speed ecdsap256` (one core) and
 *     `openssl speed -multi <cores>` (the whole machine),
 *   - Node's crypto.sign (the floor of any Node TSA: one signature per token),
 *   - `openssl ts -reply` run once per request (the usual shell-script TSA),
 *   - mamori's TSA in-process without HTTP (the cost of the token itself).
 * Goal: HTTP tokens/s >= 50% of the raw signature rate.
 *
 * openssl speed is per core, so besides tokens/s the bench reports tokens per CPU-second of
 * the server processes (the per-core figure) and how much CPU the load generator took.
 * Server variants, each in its own process(es) over one SQLite store:
 *   echo      - the HTTP floor: node:http answering a fixed reply, no token at all,
 *   fastify   - the route through Fastify (`/tsa?via=fastify` misses the raw route),
 *   raw       - POST /tsa on node:http (the server's rawRoute), signing inline,
 *   pool      - the same, signing on libuv's thread pool (trust.tsa.signOn = thread-pool),
 *   cluster   - `workers` raw processes sharing the port; serial blocks come from the store.
 *
 *   npm run bench -- bench/trust-tsa.ts [--seconds 8] [--connections 32] [--workers 2]
 */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey, sign } from 'node:crypto';
import { loadConfig, openPlatform, testBackends } from '@mamori/core';
import { buildServer, routeModules } from '@mamori/server';
import {
  initTrust, parseSignedData, parseTimeStampResp, parseTstInfo, PKIStatus, trustFiles, trustMigrations, openTrust,
} from '@mamori/trust';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const seconds = arg('seconds', 8);
const connections = arg('connections', 32);
const workers = arg('workers', 2);
const cores = cpus().length;

/**
 * A cluster worker: one TSA server process on the shared port and store, or (BENCH_ECHO) a
 * bare node:http server answering a fixed reply: the HTTP floor, no token. Reports its CPU time.
 */
async function serveWorker(): Promise<void> {
  if (process.env.BENCH_ECHO) {
    const reply = readFileSync(process.env.BENCH_ECHO);
    await new Promise<void>((resolve) => createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': reply.length });
        res.end(reply);
      });
    }).listen(Number(process.env.BENCH_PORT), '127.0.0.1', resolve));
  } else {
    const signOn = process.env.BENCH_SIGN_ON as 'inline' | 'thread-pool';
    const config = loadConfig({ env: {}, overrides: { dataDir: process.env.BENCH_DATA_DIR, log: { level: 'silent' }, trust: { tsa: { signOn } } } });
    const platform = await openPlatform(config, { migrations: [trustMigrations] });
    const trustRoutes = routeModules.find((m) => m.name === 'trust')!;
    const app = await buildServer(platform, { modules: [trustRoutes] });
    await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
  }
  process.on('message', (m) => {
    if (m === 'cpu') {
      const c = process.cpuUsage();
      process.send?.({ cpuMicros: c.user + c.system });
    }
  });
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
const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const work = mkdtempSync(join(tmpdir(), 'mamori-bench-tsa-'));
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });

// 1. the raw signature rate of the peer, one core and every core. openssl speed divides by the
// process's user CPU time (unless -elapsed), so its figure is signatures per CPU-second: compare
// it with tokens per CPU-second of the server, and with tokens/s per core in use.
const opensslSpeed = (multi: number): number => {
  const speed = run('openssl', ['speed', '-seconds', '3', ...(multi > 1 ? ['-multi', String(multi)] : []), 'ecdsap256']);
  // "256 bits ecdsa (nistp256)   0.0000s   0.0001s  27392.8  11979.4": with -multi, the sum over processes
  const line = speed.stdout.split('\n').find((l) => /256 bits ecdsa \(nistp256\)/.test(l)) ?? '';
  return Number(line.trim().split(/\s+/).at(-2));
};
const rawSignPerSec = opensslSpeed(1);
const rawSignAllCores = opensslSpeed(cores);
const speedLoad = loadAverage();

// 2. keys, a query, the store
const platform = await testBackends()[0].open({ migrations: [trustMigrations] });
const dir = join(platform.config.dataDir, 'trust');
await initTrust({ dir, organisation: 'Bench TSA' });
writeFileSync(join(work, 'data.txt'), 'benchmark payload\n');
run('openssl', ['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq']);
const queryFile = join(work, 'q.tsq');
const query = readFileSync(queryFile);

// Node's own signing rate on one thread, per CPU-second like openssl speed's
const key = createPrivateKey(readFileSync(trustFiles(dir, 'tsa').key, 'utf8'));
let nodeSigns = 0;
const t0 = performance.now();
const signCpu0 = process.cpuUsage();
while (performance.now() - t0 < 2000) {
  sign('sha256', query, key);
  nodeSigns++;
}
const signCpu = process.cpuUsage(signCpu0);
const nodeSignPerSec = nodeSigns / (signCpu.user / 1e6);

// in-process token rate (no HTTP), signing inline, and its CPU per token
const tsa = await openTrust({ config: platform.config, store: platform.store }).authority();
for (const t = performance.now(); performance.now() - t < 1000;) await Promise.all(Array.from({ length: 64 }, () => tsa.respond(query))); // JIT warm-up
let inProc = 0;
const cpu0 = process.cpuUsage();
const t1 = performance.now();
while (performance.now() - t1 < 2000) {
  await Promise.all(Array.from({ length: 64 }, () => tsa.respond(query)));
  inProc += 64;
}
const inProcCpu = process.cpuUsage(cpu0);
const inProcessPerSec = inProc / ((performance.now() - t1) / 1000);
const inProcessPerCpuSec = inProc / ((inProcCpu.user + inProcCpu.system) / 1e6);
writeFileSync(join(work, 'echo.tsr'), await tsa.respond(query)); // what the HTTP-floor server answers
const inProcLoad = loadAverage();

// 3. the HTTP TSA under load from a second process
interface Load { perSecond: number; total: number; notGranted: number; non2xx: number; errors: number; p50: number; p99: number; loaderCpuSec: number }
const loadFrom = (url: string): Promise<Load> => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'trust-tsa-load.ts'), url, queryFile, String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('error', reject);
  child.on('exit', () => {
    try {
      resolve(JSON.parse(out.trim().split('\n').at(-1)!));
    } catch (e) {
      reject(e);
    }
  });
});

interface Variant { name: string; label: string; processes: number; signOn: 'inline' | 'thread-pool'; path: string; echo?: boolean }
const variants: Variant[] = [
  { name: 'echo', label: 'HTTP floor: node:http, fixed reply, no token', processes: 1, signOn: 'inline', path: '/tsa', echo: true },
  { name: 'fastify', label: 'Fastify route, 1 process, sign inline', processes: 1, signOn: 'inline', path: '/tsa?via=fastify' },
  { name: 'raw', label: 'node:http, 1 process, sign inline', processes: 1, signOn: 'inline', path: '/tsa' },
  { name: 'pool', label: 'node:http, 1 process, sign on thread pool', processes: 1, signOn: 'thread-pool', path: '/tsa' },
  ...(workers > 1 ? [{ name: 'cluster', label: `node:http, ${workers} processes, sign inline`, processes: workers, signOn: 'inline' as const, path: '/tsa' }] : []),
];

interface Measured extends Load { variant: Variant; serverCpuSec: number; perCpuSec: number; load: string; distinctSerials: boolean }
const measured: Measured[] = [];
for (const variant of variants) {
  const port = await freePort();
  const procs = Array.from({ length: variant.processes }, () => cluster.fork({
    BENCH_DATA_DIR: platform.config.dataDir, BENCH_PORT: String(port), BENCH_SIGN_ON: variant.signOn, ...(variant.echo ? { BENCH_ECHO: join(work, 'echo.tsr') } : {}),
  }));
  await Promise.all(procs.map((w) => new Promise((r) => w.once('message', r))));
  const url = `http://127.0.0.1:${port}${variant.path}`;
  const cpuOf = async (): Promise<number> => {
    const all = await Promise.all(procs.map((w) => new Promise<number>((r) => {
      w.once('message', (m: { cpuMicros: number }) => r(m.cpuMicros));
      w.send('cpu');
    })));
    return all.reduce((a, b) => a + b, 0) / 1e6;
  };
  // warm up (JIT, serial block, keys loaded), then measure
  for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 16 }, () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query }).then((res) => res.arrayBuffer())));
  const before = await cpuOf();
  const load = await loadFrom(url);
  const serverCpuSec = (await cpuOf()) - before;
  // serial numbers stay distinct across the processes
  const serials = new Set<bigint>();
  for (let i = 0; i < (variant.echo ? 0 : 20); i++) {
    const reply = parseTimeStampResp(Buffer.from(await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer()));
    if (reply.status !== PKIStatus.granted || !reply.token) throw new Error(`${variant.name}: TSA stopped granting`);
    serials.add(parseTstInfo(parseSignedData(reply.token).content!).serialNumber);
  }
  for (const w of procs) w.kill();
  const granted = load.total - load.notGranted - load.non2xx;
  measured.push({ ...load, variant, serverCpuSec, perCpuSec: granted / serverCpuSec, load: loadAverage(), distinctSerials: variant.echo ? true : serials.size === 20 });
}

// a sample reply (raw path) checked by openssl
const sampleServer = await buildServer(platform, { modules: [routeModules.find((m) => m.name === 'trust')!] });
await sampleServer.listen({ host: '127.0.0.1', port: 0 });
const sampleUrl = `http://127.0.0.1:${(sampleServer.server.address() as { port: number }).port}/tsa`;
writeFileSync(join(work, 'r.tsr'), Buffer.from(await (await fetch(sampleUrl, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer()));
const verified = run('openssl', ['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', trustFiles(dir, 'root').cert, '-untrusted', trustFiles(dir, 'tsa').cert]);
const opensslAccepts = `${verified.stdout}${verified.stderr}`.includes('Verification: OK');
await sampleServer.close();

// 4. openssl ts -reply once per request
writeFileSync(join(work, 'tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${join(work, 'serial')}\nsigner_cert = ${trustFiles(dir, 'tsa').cert}\nsigner_key = ${trustFiles(dir, 'tsa').key}\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\ness_cert_id_alg = sha256\n`);
writeFileSync(join(work, 'serial'), '01\n');
const n = 50;
const t2 = performance.now();
for (let i = 0; i < n; i++) run('openssl', ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', 'q.tsq', '-out', 'o.tsr']);
const opensslReplyPerSec = n / ((performance.now() - t2) / 1000);

await platform.close();
rmSync(work, { recursive: true, force: true });

const r = (x: number): string => x.toFixed(0);
const pct = (x: number, of: number): string => `${(x / of * 100).toFixed(1)}%`;
console.log(`mamori TSA benchmark (${seconds} s per run, ${connections} connections from a second process, ${process.arch}, ${cores} cores, Node ${process.version})`);
console.log(`  openssl speed ecdsap256 (sign per CPU-s, 1 core):   ${r(rawSignPerSec)}   [load ${speedLoad}]`);
console.log(`  openssl speed -multi ${cores} ecdsap256, all cores:  ${r(rawSignAllCores)}`);
console.log(`  Node crypto.sign P-256 (sign per CPU-s, 1 thread):  ${r(nodeSignPerSec)}  (${pct(nodeSignPerSec, rawSignPerSec)} of openssl)`);
console.log(`  mamori TSA in-process, inline (tokens/s):          ${r(inProcessPerSec)}  (${r(inProcessPerCpuSec)} per CPU-s = ${pct(inProcessPerCpuSec, rawSignPerSec)} of openssl per core)   [load ${inProcLoad}]`);
console.log('  over HTTP from a second process (every reply checked granted):');
for (const m of measured) {
  console.log(`    ${m.variant.label.padEnd(44)} ${r(m.perSecond).padStart(6)} tokens/s = ${pct(m.perSecond, rawSignPerSec).padStart(6)} of openssl 1 core, ${pct(m.perSecond, rawSignAllCores).padStart(6)} of all cores;`
    + ` ${r(m.perCpuSec)} per server CPU-s = ${pct(m.perCpuSec, rawSignPerSec)} of openssl per core; server CPU ${(m.serverCpuSec / seconds).toFixed(2)} cores, load generator ${(m.loaderCpuSec / seconds).toFixed(2)} cores;`
    + ` p50 ${m.p50} ms p99 ${m.p99} ms; not granted ${m.notGranted}, non-2xx ${m.non2xx}, errors ${m.errors}; serials distinct ${m.distinctSerials}   [load ${m.load}]`);
}
console.log(`  openssl ts -reply once per request (tokens/s):     ${opensslReplyPerSec.toFixed(1)}`);
console.log(`  sample reply accepted by openssl ts -verify:       ${opensslAccepts}`);
const echo = measured.find((m) => m.variant.echo);
const raw = measured.find((m) => m.variant.name === 'raw');
if (echo && raw) {
  const us = (perCpuSec: number): string => (1e6 / perCpuSec).toFixed(0);
  console.log(`  CPU per token (raw, 1 process): ${us(raw.perCpuSec)} us = HTTP floor ${us(echo.perCpuSec)} us + token ${us(inProcessPerCpuSec)} us (in-process) + rest; one openssl signature: ${us(rawSignPerSec)} us, one Node signature: ${us(nodeSignPerSec)} us`);
}
const best = measured.filter((m) => !m.variant.echo).reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
console.log(`  best end to end: ${best.variant.label}: ${pct(best.perSecond, rawSignPerSec)} of openssl's 1-core sign rate (goal >= 50%), ${pct(best.perSecond, rawSignAllCores)} of its ${cores}-core rate; ${(best.perSecond / opensslReplyPerSec).toFixed(0)}x openssl ts -reply`);
