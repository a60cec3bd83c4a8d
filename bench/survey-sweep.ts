/**
 * Survey sweep speed against an emulated farm of Telnet and HTTP devices (plus SSH, reported
 * apart), and the same targets attacked by hydra, the usual peer tool, with its best task
 * count, always under a timeout. Attempts are counted by the farm itself, for both tools.
 *
 *   npm run bench -- bench/survey-sweep.ts [devices=10000] [pairs=60] [ssh=40] [sweep]
 *
 * With `sweep` only the full sweep runs (no hydra, no SSH).
 *
 * The farm runs in a child process on the second core. Each device listens on its own
 * 127.61.x.y address; the per-process fd limit (ulimit -n, 20000 here) must exceed
 * the farm's listeners plus the sockets in flight: raise it with `ulimit -n` before running
 * a larger farm.
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planFarm, type FarmPlanOptions } from '@mamori/testbed';
import { SurveyScope, defaultDictionary, runSurvey, sshTiming, type SurveyResult } from '@mamori/survey';

const nDevices = Number(process.argv[2] ?? 10_000);
const nPairs = Number(process.argv[3] ?? 60);
const nSsh = Number(process.argv[4] ?? 40);
/** `sweep` runs only the full sweep (no hydra, no SSH): the correctness check of a big run. */
const only = process.argv[5];
const pairs = defaultDictionary().pairs.slice(0, nPairs);
const NET = 61;

interface Totals { connections: number; loginAttempts: number; successes: number; acceptErrors?: Record<string, number>; cpuSeconds: number }

function startFarmChild(plan: FarmPlanOptions): Promise<{ totals(): Promise<Totals>; close(): Promise<void> }> {
  const child = fork(new URL('./survey-farm-child.ts', import.meta.url).pathname, [JSON.stringify(plan)], {
    // BENCH_FARM_PROF=<dir> profiles the farm (node --cpu-prof) to see where its CPU goes.
    execArgv: ['--conditions=@mamori/source', '--import', 'tsx', ...(process.env.BENCH_FARM_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_FARM_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`farm exited ${code}`)));
    child.once('message', () => resolve({
      totals: () => new Promise((r) => { child.once('message', (m: { totals: Totals; acceptErrors: Record<string, number>; cpu: NodeJS.CpuUsage }) => r({ ...m.totals, acceptErrors: m.acceptErrors, cpuSeconds: (m.cpu.user + m.cpu.system) / 1e6 })); child.send({ cmd: 'totals' }); }),
      close: () => new Promise((r) => { child.removeAllListeners('exit'); child.once('exit', () => r()); child.send({ cmd: 'close' }); }),
    }));
  });
}

async function ours(label: string, farm: { totals(): Promise<Totals> }, opts: Parameters<typeof runSurvey>[0]): Promise<{ result: SurveyResult; seconds: number; attempts: number }> {
  const before = await farm.totals();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await runSurvey(opts);
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const seconds = (performance.now() - t0) / 1000;
  const after = await farm.totals();
  const attempts = after.loginAttempts - before.loginAttempts;
  const farmCpu = after.cpuSeconds - before.cpuSeconds;
  console.log(`${label}: ${seconds.toFixed(1)} s, ${attempts} login attempts (${(attempts / seconds).toFixed(0)}/s; ${(attempts / cpuSeconds).toFixed(0)} per scanner CPU-second), ` +
    `CPU scanner ${cpuSeconds.toFixed(1)} s + farm ${farmCpu.toFixed(1)} s = ${(attempts / (cpuSeconds + farmCpu)).toFixed(0)} attempts per CPU-second of both, ` +
    `${result.stats.openPorts} services, ${(result.stats.openPorts / seconds).toFixed(0)} devices/s, ${result.findings.length} findings, peak sockets in flight ${result.stats.peakInFlight} ` +
    `(limit ${opts.concurrency}); load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // On a shared machine wall time says more about the neighbours than about us: with each
  // process on a core of its own, the run would take about as long as the busier one's CPU.
  console.log(`  CPU-seconds: scanner ${cpuSeconds.toFixed(1)} s (${(1e6 * cpuSeconds / Math.max(1, attempts)).toFixed(0)} µs/attempt), farm ${farmCpu.toFixed(1)} s; ` +
    `on two idle cores ≈ ${Math.max(cpuSeconds, farmCpu).toFixed(1)} s (${(attempts / Math.max(cpuSeconds, farmCpu)).toFixed(0)} attempts/s)`);
  // Where every address×port ended and why connects failed: the first thing to read when a sweep finds too little.
  console.log(`  outcomes ${JSON.stringify(result.stats.outcomes)}; connect failures ${JSON.stringify(result.stats.failures)}; local retries ${result.stats.localRetries}; farm accept errors so far ${JSON.stringify((await farm.totals()).acceptErrors)}`);
  return { result, seconds, attempts };
}

/** CPU-seconds used so far by a process group: its live members and the children they reaped. */
function groupCpuSeconds(pgid: number): number {
  const tick = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Fields after the parenthesised command: state ppid pgrp … utime(14) stime(15) cutime(16) cstime(17).
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch { /* exited meanwhile */ }
  }
  return ticks / tick;
}

/** Runs hydra under a timeout; returns attempts the farm saw per second. */
async function hydra(label: string, farm: { totals(): Promise<Totals> }, args: string[], timeoutS: number): Promise<{ rate: number; seconds: number; attempts: number; timedOut: boolean }> {
  const before = await farm.totals();
  const t0 = performance.now();
  let cpuSeconds = NaN;
  const timedOut = await new Promise<boolean>((resolve) => {
    // GNU time reports hydra's CPU (its children included) on stderr: "cpu <user> <system>".
    const p = spawn('/usr/bin/time', ['-f', 'cpu %U %S', 'hydra', ...args], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let killed = false;
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); const m = /cpu ([\d.]+) ([\d.]+)/.exec(err); if (m) cpuSeconds = Number(m[1]) + Number(m[2]); });
    // Kill hydra's whole process group (time, hydra and its task children) at the deadline,
    // reading the group's CPU from /proc first (GNU time dies with it and reports nothing).
    const timer = setTimeout(() => { killed = true; cpuSeconds = groupCpuSeconds(p.pid!); try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutS * 1000);
    p.once('close', () => { clearTimeout(timer); resolve(killed); });
    p.once('error', () => { clearTimeout(timer); resolve(false); });
  });
  const seconds = (performance.now() - t0) / 1000;
  const attempts = (await farm.totals()).loginAttempts - before.loginAttempts;
  const rate = attempts / seconds;
  console.log(`${label}: ${seconds.toFixed(1)} s${timedOut ? ' (timed out, killed)' : ''}, ${attempts} login attempts (${rate.toFixed(0)}/s; ${Number.isFinite(cpuSeconds) ? `${(attempts / cpuSeconds).toFixed(0)} per hydra CPU-second` : 'CPU not measured'})`);
  return { rate, seconds, attempts, timedOut };
}

const plan: FarmPlanOptions = {
  net: NET, telnet: Math.floor(nDevices / 2), http: nDevices - Math.floor(nDevices / 2), ssh: nSsh, weakShare: 0.1,
  dictionary: pairs, telnetPort: 2323, httpPort: 8080, sshPort: 2222,
};
const devices = planFarm(plan);
const telnetDevices = devices.filter((d) => d.kind === 'telnet');
const httpDevices = devices.filter((d) => d.kind === 'http');
const sshDevices = devices.filter((d) => d.kind === 'ssh');
const last = devices[devices.length - 1].address.split('.').map(Number);
const scopeText = `127.${NET}.0.0/${last[2] < 64 ? 18 : 16}`;
const work = mkdtempSync(join(tmpdir(), 'mamori-survey-bench-'));
const pairsFile = join(work, 'pairs.txt');
writeFileSync(pairsFile, pairs.map((p) => `${p.username}:${p.password}`).join('\n') + '\n');

console.log(`farm: ${telnetDevices.length} Telnet + ${httpDevices.length} HTTP + ${sshDevices.length} SSH devices, ${pairs.length} pairs, ${Math.round(devices.filter((d) => d.credentials[0].password !== 'V3ry-l0ng-unguessable').length)} weak`);
const tStart = performance.now();
const farm = await startFarmChild(plan);
console.log(`farm up in ${((performance.now() - tStart) / 1000).toFixed(1)} s`);

const limits = { globalRate: 50_000, perSlash24Rate: 20_000, perHostConnections: 2, maxAttemptsPerHost: 1000 };
const timeouts = { bannerMs: 1500, replyMs: 5000, connectionMs: 60_000 };
const scope = SurveyScope.fromText(scopeText);
try {
  if (only !== 'sweep') await peers(farm);
  // 2. The full sweep: every address of the scope, ports 2323 and 8080, the whole dictionary.
  const sweep = await ours(`mamori  full sweep ${scopeText} × {2323, 8080}`, farm, { scope, ports: [2323, 8080], pairs, concurrency: 4000, limits, timeouts });
  const weakExpected = [...telnetDevices, ...httpDevices].filter((d) => d.credentials[0].password !== 'V3ry-l0ng-unguessable').length;
  console.log(`full sweep: ${sweep.result.findings.length} findings (farm has ${weakExpected} weak Telnet/HTTP devices), ${sweep.result.stats.addresses} addresses, ${(sweep.result.stats.addresses / sweep.seconds).toFixed(0)} addresses/s`);

  if (only !== 'sweep') await ssh(farm);
} finally {
  await farm.close();
  rmSync(work, { recursive: true, force: true });
}

/** 1. Same targets as hydra: a subset of the HTTP devices (Basic), then Telnet. */
async function peers(farm: { totals(): Promise<Totals> }): Promise<void> {
  const basic = httpDevices.filter((d) => d.kind === 'http' && d.auth === 'basic');
  const httpSubset = basic.slice(0, 300);
  const httpTargets = httpSubset.map((d) => ({ address: d.address, port: d.port }));
  const telnetSubset = telnetDevices.slice(0, 100);
  // Warm-up on 300 other devices, so neither the farm's nor the scanner's code is measured
  // cold (hydra, run after, meets a warm farm too); printed, not compared.
  const warm = basic.slice(300, 600).map((d) => ({ address: d.address, port: d.port }));
  if (warm.length) await ours('mamori  http Basic warm-up (other devices, not compared)', farm, { scope, ports: [8080], pairs, targets: warm, concurrency: 2000, limits, timeouts });
  const o1 = await ours('mamori  http Basic, 300 devices', farm, { scope, ports: [8080], pairs, targets: httpTargets, concurrency: 2000, limits, timeouts });
  const hostsFile = join(work, 'http-hosts.txt');
  writeFileSync(hostsFile, httpSubset.map((d) => `${d.address}:${d.port}`).join('\n') + '\n');
  let bestHydra = { rate: 0, tasks: '' };
  for (const [T, t] of [[64, 4], [256, 16], [1024, 16]] as const) {
    const h = await hydra(`hydra   http-get Basic, 300 devices, -T ${T} -t ${t}`, farm, ['-C', pairsFile, '-M', hostsFile, '-T', String(T), '-t', String(t), '-f', '-w', '5', 'http-get', '/'], 60);
    if (h.rate > bestHydra.rate) bestHydra = { rate: h.rate, tasks: `-T ${T} -t ${t}` };
  }
  console.log(`ratio mamori/hydra on http-get Basic: ${(o1.attempts / o1.seconds / bestHydra.rate).toFixed(1)}× (hydra best ${bestHydra.tasks})`);

  const o2 = await ours('mamori  telnet, 100 devices', farm, { scope, ports: [2323], pairs, targets: telnetSubset.map((d) => ({ address: d.address, port: d.port })), concurrency: 2000, limits, timeouts });
  const telnetHosts = join(work, 'telnet-hosts.txt');
  writeFileSync(telnetHosts, telnetSubset.map((d) => `${d.address}:${d.port}`).join('\n') + '\n');
  const ht = await hydra('hydra   telnet, 100 devices, -T 256 -t 4', farm, ['-C', pairsFile, '-M', telnetHosts, '-T', '256', '-t', '4', '-f', '-w', '5', 'telnet'], 60);
  console.log(`ratio mamori/hydra on telnet: ${ht.rate > 0 ? `${(o2.attempts / o2.seconds / ht.rate).toFixed(1)}×` : 'hydra made no attempts'}`);
}

/** 3. SSH, apart: key exchange dominates. */
async function ssh(farm: { totals(): Promise<Totals> }): Promise<void> {
  if (sshDevices.length) {
    sshTiming.kexMs = 0; sshTiming.totalMs = 0; sshTiming.connections = 0;
    const s = await ours(`mamori  ssh, ${sshDevices.length} devices`, farm, { scope, ports: [2222], pairs, targets: sshDevices.map((d) => ({ address: d.address, port: d.port })), concurrency: 2000, limits, timeouts });
    console.log(`ssh: ${sshTiming.connections} connections, key exchange ${((100 * sshTiming.kexMs) / sshTiming.totalMs).toFixed(0)}% of connection time, ${(s.attempts / s.seconds).toFixed(0)} attempts/s`);
    const sshHosts = join(work, 'ssh-hosts.txt');
    writeFileSync(sshHosts, sshDevices.map((d) => `${d.address}:${d.port}`).join('\n') + '\n');
    const hs = await hydra(`hydra   ssh, ${sshDevices.length} devices, -T 64 -t 4`, farm, ['-C', pairsFile, '-M', sshHosts, '-T', '64', '-t', '4', '-f', '-w', '5', 'ssh'], 60);
    console.log(`ratio mamori/hydra on ssh: ${hs.rate > 0 ? `${(s.attempts / s.seconds / hs.rate).toFixed(1)}×` : 'hydra made no attempts'}`);
  }
}
