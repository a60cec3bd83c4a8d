/**
 * RFC 3161 TSA throughput: time-stamp tokens/s from mamori's HTTP TSA under load from a second
 * process, compared with
 *   - OpenSSL's raw ECDSA P-256 signing rate: `openssl speed ecdsap256` (one core) and
 *     `openssl speed -multi <cores>` (the whole machine),
 *   - Node's crypto.sign (the floor of any Node TSA: one signature per token),
 *   - `openssl ts -reply` run once per request (the usual shell-script TSA),
 *   - mamori's TSA in-process without HTTP (the cost of the token itself).
 * Goal: HTTP tokens/s >= 50% of the raw signature rate.
 *
 * The load generator is wrk (C, Debian package `wrk`) with bench/trust-tsa-pipeline.lua, which
 * checks every reply for a granted PKIStatus; it takes far less CPU per request than a Node
 * client, so it steals little from the server on a small machine. A sample reply of every
 * variant is checked by `openssl ts -verify`, and serials are checked distinct across processes.
 * openssl speed is per CPU-second, so besides tokens/s the bench reports tokens per CPU-second
 * of the server processes and the CPU the load generator took. Variants, each in its own
 * process(es) over one SQLite store (serial blocks reserved from it):
 *   http       - POST /tsa on the main server (node:http rawRoute), one request per round trip,
 *   listener   - the TSA listener ([trust] tsa.listen, tsp/http-listener.ts), one request per round trip,
 *   pipelined  - the listener with `depth` requests per write on each keep-alive connection,
 *   cluster    - the same on `workers` processes sharing the port (node:cluster).
 *
 *   npm run bench -- bench/trust-tsa.ts [--seconds 8] [--connections 32] [--depth 16] [--workers 2] [--only pipelined,cluster]
 */
import cluster from 'node:cluster';
import { createServer } from 'node:net';
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
const depth = arg('depth', 16);
const workers = arg('workers', 2);
const cores = cpus().length;
/** `--only pipelined,cluster`: run just these HTTP variants. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;

/** A cluster worker: the server with the trust routes and the TSA listener, on shared ports and store. Reports its CPU time. */
async function serveWorker(): Promise<void> {
  const config = loadConfig({ env: {}, overrides: {
    dataDir: process.env.BENCH_DATA_DIR, log: { level: 'silent' },
    trust: { tsa: { listen: `127.0.0.1:${process.env.BENCH_TSA_PORT}` } },
  } });
  const platform = await openPlatform(config, { migrations: [trustMigrations] });
  const app = await buildServer(platform, { modules: [routeModules.find((m) => m.name === 'trust')!] });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
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

if (spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error) {
  console.error('bench/trust-tsa.ts needs wrk (Debian: apt-get install wrk; listed in .ci/apt-packages.txt)');
  process.exit(1);
}

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
const speedLoad = loadAverage();
const rawSignPerSec = opensslSpeed(1);
const rawSignAllCores = opensslSpeed(cores);

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
const nodeSignPerSec = nodeSigns / ((signCpu.user + signCpu.system) / 1e6);

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
const inProcLoad = loadAverage();

// 3. the HTTP TSA under load from a second process: wrk, its CPU read from the shell that waited for it
interface Load { granted: number; other: number; seconds: number; errors: number; p50: number; p99: number; loaderCpuSec: number }
const tick = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const loadFrom = (url: string, pipelineDepth: number): Promise<Load> => new Promise((resolve, reject) => {
  const wrk = `wrk -t1 -c${connections} -d${seconds}s -T10s -s '${join(import.meta.dirname, 'trust-tsa-pipeline.lua')}' '${url}' -- '${queryFile}' ${pipelineDepth}`;
  // fields 16/17 of the shell's /proc stat: CPU of the children it waited for (wrk), in clock ticks
  const child = spawn('sh', ['-c', `${wrk}; read s < /proc/$$/stat; echo "CHILDSTAT $s"`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('error', reject);
  child.on('exit', () => {
    try {
      const result = JSON.parse(/RESULT (\{.*\})/.exec(out)![1]) as Omit<Load, 'loaderCpuSec'>;
      const stat = /CHILDSTAT .*\) (.*)/.exec(out)![1].split(' '); // fields from 3 on, after "pid (comm)"
      resolve({ ...result, loaderCpuSec: (Number(stat[13]) + Number(stat[14])) / tick });
    } catch (e) {
      reject(new Error(`wrk output not understood: ${out}`, { cause: e }));
    }
  });
});

interface Variant { name: string; label: string; processes: number; via: 'node:http' | 'listener'; depth: number }
const variants: Variant[] = [
  { name: 'http', label: 'node:http POST /tsa, 1 process', processes: 1, via: 'node:http', depth: 1 },
  { name: 'listener', label: 'TSA listener, 1 process', processes: 1, via: 'listener', depth: 1 },
  { name: 'pipelined', label: `TSA listener, 1 process, pipelining ${depth}`, processes: 1, via: 'listener', depth },
  ...(workers > 1 ? [{ name: 'cluster', label: `TSA listener, ${workers} processes, pipelining ${depth}`, processes: workers, via: 'listener' as const, depth }] : []),
].filter((v) => !only || only.includes(v.name));

interface Measured extends Load { variant: Variant; perSecond: number; serverCpuSec: number; perCpuSec: number; load: string; distinctSerials: boolean; opensslAccepts: boolean }
const measured: Measured[] = [];
const postQuery = async (url: string): Promise<Buffer> => Buffer.from(await (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query })).arrayBuffer());
for (const variant of variants) {
  const [port, tsaPort] = [await freePort(), await freePort()];
  const procs = Array.from({ length: variant.processes }, () => cluster.fork({
    BENCH_DATA_DIR: platform.config.dataDir, BENCH_PORT: String(port), BENCH_TSA_PORT: String(tsaPort),
  }));
  await Promise.all(procs.map((w) => new Promise((r) => w.once('message', r))));
  const url = `http://127.0.0.1:${variant.via === 'listener' ? tsaPort : port}/tsa`;
  const cpuOf = async (): Promise<number> => {
    const all = await Promise.all(procs.map((w) => new Promise<number>((r) => {
      w.once('message', (m: { cpuMicros: number }) => r(m.cpuMicros));
      w.send('cpu');
    })));
    return all.reduce((a, b) => a + b, 0) / 1e6;
  };
  // warm up (JIT, serial block, keys loaded), then measure
  for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 16 }, () => postQuery(url)));
  const before = await cpuOf();
  const load = await loadFrom(url, variant.depth);
  const serverCpuSec = (await cpuOf()) - before;
  // serial numbers stay distinct across the processes; one reply checked by openssl
  const serials = new Set<bigint>();
  let opensslAccepts = false;
  for (let i = 0; i < 20; i++) {
    const body = await postQuery(url);
    const reply = parseTimeStampResp(body);
    if (reply.status !== PKIStatus.granted || !reply.token) throw new Error(`${variant.name}: TSA stopped granting`);
    serials.add(parseTstInfo(parseSignedData(reply.token).content!).serialNumber);
    if (i === 0) {
      writeFileSync(join(work, 'r.tsr'), body);
      const verified = run('openssl', ['ts', '-verify', '-queryfile', 'q.tsq', '-in', 'r.tsr', '-CAfile', trustFiles(dir, 'root').cert, '-untrusted', trustFiles(dir, 'tsa').cert]);
      opensslAccepts = `${verified.stdout}${verified.stderr}`.includes('Verification: OK');
    }
  }
  for (const w of procs) w.kill();
  measured.push({
    ...load, variant, serverCpuSec, perSecond: load.granted / load.seconds, perCpuSec: load.granted / serverCpuSec,
    load: loadAverage(), distinctSerials: serials.size === 20, opensslAccepts,
  });
}

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
console.log(`mamori TSA benchmark (${seconds} s per run, ${connections} connections from wrk in a second process, ${process.arch}, ${cores} cores, Node ${process.version})`);
console.log(`  openssl speed ecdsap256 (sign per CPU-s, 1 core):   ${r(rawSignPerSec)}   [load ${speedLoad}]`);
console.log(`  openssl speed -multi ${cores} ecdsap256, all cores:  ${r(rawSignAllCores)}`);
console.log(`  Node crypto.sign P-256 (sign per CPU-s, 1 thread):  ${r(nodeSignPerSec)}  (${pct(nodeSignPerSec, rawSignPerSec)} of openssl)`);
console.log(`  mamori TSA in-process, inline (tokens/s):          ${r(inProcessPerSec)}  (${r(inProcessPerCpuSec)} per CPU-s = ${pct(inProcessPerCpuSec, rawSignPerSec)} of openssl per core)   [load ${inProcLoad}]`);
console.log('  over HTTP from a second process (every reply checked granted by wrk):');
for (const m of measured) {
  console.log(`    ${m.variant.label.padEnd(44)} ${r(m.perSecond).padStart(6)} tokens/s = ${pct(m.perSecond, rawSignPerSec).padStart(6)} of openssl 1 core, ${pct(m.perSecond, rawSignAllCores).padStart(6)} of all cores;`
    + ` ${r(m.perCpuSec)} per server CPU-s = ${pct(m.perCpuSec, rawSignPerSec)} of openssl per core (${(1e6 / m.perCpuSec).toFixed(0)} us/token); server CPU ${(m.serverCpuSec / seconds).toFixed(2)} cores, wrk ${(m.loaderCpuSec / seconds).toFixed(2)} cores;`
    + ` p50 ${m.p50.toFixed(1)} ms p99 ${m.p99.toFixed(1)} ms; not granted ${m.other}, socket errors ${m.errors}; serials distinct ${m.distinctSerials}; openssl ts -verify ${m.opensslAccepts ? 'OK' : 'FAILED'}   [load ${m.load}]`);
}
console.log(`  openssl ts -reply once per request (tokens/s):     ${opensslReplyPerSec.toFixed(1)}`);
console.log(`  CPU per token: one openssl signature ${(1e6 / rawSignPerSec).toFixed(0)} us, one Node signature ${(1e6 / nodeSignPerSec).toFixed(0)} us, in-process token ${(1e6 / inProcessPerCpuSec).toFixed(0)} us`);
const best = measured.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
console.log(`  best end to end: ${best.variant.label}: ${pct(best.perSecond, rawSignPerSec)} of openssl's 1-core sign rate (goal >= 50%), ${pct(best.perSecond, rawSignAllCores)} of its ${cores}-core rate; ${(best.perSecond / opensslReplyPerSec).toFixed(0)}x openssl ts -reply`);
if (measured.some((m) => !m.opensslAccepts || !m.distinctSerials || m.other > 0)) process.exitCode = 1;
