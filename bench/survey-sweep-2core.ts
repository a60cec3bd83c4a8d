/**
 * The full sweep of bench/survey-sweep.ts (10,000 Telnet and HTTP devices × 60 pairs, the whole
 * 127.61.0.0/18 × {2323, 8080}) with the scanner spread over both cores the way the product
 * does it: `mamori survey run --distributed` (runDistributedSurvey: coordinator, PostgreSQL,
 * NATS work queue, one shared global rate) and N `survey worker` processes, plus the farm in
 * its own process — all sharing this machine's two cores.
 *
 *   npm run bench -- bench/survey-sweep-2core.ts [devices=10000] [pairs=60] [workers=2]
 *
 * Printed: wall time, attempts, findings against the farm's weak devices, and CPU-seconds of
 * every process (workers, coordinator, farm, and the PostgreSQL/NATS servers' growth, which
 * other users of those servers may inflate), with the load average.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { NatsBus, TEST_DATABASE_URL, TEST_NATS_URL, openPostgresStore, type Store } from '@mamori/core';
import { forkReady } from './args.js';
import { planFarm, type FarmPlanOptions } from '@mamori/testbed';
import { defaultDictionary, runDistributedSurvey, startSurveyWorker, surveyMigrations, type CredentialDictionary } from '@mamori/survey';

const here = fileURLToPath(import.meta.url);
const NET = 61;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const cpuOf = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

function dictionaryOf(n: number): CredentialDictionary {
  const d = defaultDictionary();
  return { version: d.version, pairs: d.pairs.slice(0, n) };
}

/** CPU ticks per live process whose command name matches (the database and bus servers). */
function serverTicks(name: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!name.test(/\((.*)\)/.exec(stat)?.[1] ?? '')) continue;
      const f = stat.replace(/^.*\) /, '').split(' ');
      out.set(pid, Number(f[11]) + Number(f[12]));
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/**
 * CPU-seconds the servers used between two readings: growth of processes alive at both, plus
 * all of those started meanwhile (our connections' backends; other users' work counts too, so
 * this is an upper bound). Processes that ended meanwhile are not counted.
 */
const ACK_WAIT_MS = 30_000;

function serverCpuSeconds(before: Map<string, number>, after: Map<string, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / 100;
}

/** A worker process: joins the queue, works until told to stop, then reports its CPU. */
async function workerChild(schema: string, queueName: string, name: string, pairs: number, concurrency: number): Promise<void> {
  const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  const bus = await NatsBus.connect(TEST_NATS_URL, name);
  // The CLI's default ack wait: a block redelivered under load waits on its claim, never runs twice.
  const queue = await bus.queue(queueName, { ackWaitMs: ACK_WAIT_MS });
  const cpu0 = process.cpuUsage();
  const worker = startSurveyWorker({ store, bus }, queue, { dictionary: dictionaryOf(pairs), name, concurrency, blocks: 8, heartbeatMs: ACK_WAIT_MS / 3 });
  process.send!({ ready: true });
  process.once('message', () => {
    const cpu = cpuOf(process.cpuUsage(cpu0));
    void worker.stop().then(async () => {
      process.send!({ cpu, attempts: worker.stats.attempts, items: worker.stats.items, waited: worker.stats.waited });
      await bus.close();
      await store.close();
      process.exit(0);
    });
  });
}

const start = (args: string[], module = here): Promise<ChildProcess> => forkReady(module, args);

const ask = <T>(child: ChildProcess, msg: unknown): Promise<T> => new Promise((r) => { child.once('message', (m) => r(m as T)); child.send(msg as never); });

async function main(): Promise<void> {
  const nDevices = Number(process.argv[2] ?? 10_000);
  const nPairs = Number(process.argv[3] ?? 60);
  const nWorkers = Number(process.argv[4] ?? 2);
  const dictionary = dictionaryOf(nPairs);
  const plan: FarmPlanOptions = {
    net: NET, telnet: Math.floor(nDevices / 2), http: nDevices - Math.floor(nDevices / 2), ssh: 0, weakShare: 0.1,
    dictionary: dictionary.pairs, telnetPort: 2323, httpPort: 8080, sshPort: 2222,
  };
  const devices = planFarm(plan);
  const weak = devices.filter((d) => d.credentials[0].password !== 'V3ry-l0ng-unguessable').length;
  const last = devices[devices.length - 1].address.split('.').map(Number);
  const scopeText = `127.${NET}.0.0/${last[2] < 64 ? 18 : 16}\n`;
  const farm = await start([JSON.stringify(plan)], fileURLToPath(new URL('./survey-farm-child.ts', import.meta.url)));
  console.log(`farm: ${devices.length} devices (${weak} weak), scope ${scopeText.trim()} × {2323, 8080}, ${nPairs} pairs, ${nWorkers} worker process(es); load ${load()}`);
  // The same limits as the one-process sweep in bench/survey-sweep.ts.
  const limits = { globalRate: 50_000, perSlash24Rate: 20_000, perHostConnections: 2, maxAttemptsPerHost: 1000 };
  const timeouts = { bannerMs: 1500, replyMs: 5000, connectionMs: 60_000 };
  const schema = `bench_survey_2core_${process.pid}`;
  const store: Store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 4 });
  await store.migrate([surveyMigrations]);
  const bus = await NatsBus.connect(TEST_NATS_URL, 'bench-coordinator');
  const queueName = `bench-survey-2core-${process.pid}`;
  const workers = await Promise.all(Array.from({ length: nWorkers }, (_, i) => start(['worker', schema, queueName, `w${i}`, String(nPairs), String(Math.ceil(4000 / nWorkers))])));
  const queue = await bus.queue(queueName, { ackWaitMs: ACK_WAIT_MS });
  try {
    const farm0 = await ask<{ cpu: NodeJS.CpuUsage; totals: { loginAttempts: number } }>(farm, { cmd: 'totals' });
    const servers0 = serverTicks(/^(postgres|nats-server)/);
    const cpu0 = process.cpuUsage();
    const r = await runDistributedSurvey({ store, bus }, queue, { scopeText, ports: [2323, 8080], dictionary, limits, timeouts, itemBits: 24, pollMs: 1000 });
    const coordinator = cpuOf(process.cpuUsage(cpu0));
    const servers = serverCpuSeconds(servers0, serverTicks(/^(postgres|nats-server)/));
    const farm1 = await ask<{ cpu: NodeJS.CpuUsage; totals: { loginAttempts: number } }>(farm, { cmd: 'totals' });
    const farmCpu = cpuOf(farm1.cpu) - cpuOf(farm0.cpu);
    const attempts = farm1.totals.loginAttempts - farm0.totals.loginAttempts;
    const ws = await Promise.all(workers.map((w) => ask<{ cpu: number; attempts: number; items: number; waited: number }>(w, 'stop')));
    const workerCpu = ws.reduce((a, w) => a + w.cpu, 0);
    const all = workerCpu + coordinator + farmCpu + servers;
    console.log(`${nWorkers} worker(s): ${r.seconds.toFixed(1)} s wall, ${attempts} login attempts at the farm (${(attempts / r.seconds).toFixed(0)}/s), ` +
      `${r.progress.findings} findings of ${weak} weak, ${r.progress.items} blocks; outcomes ${JSON.stringify(r.progress.statsOfItems.reduce<Record<string, number>>((a, s) => { for (const [k, v] of Object.entries(s.outcomes ?? {})) a[k] = (a[k] ?? 0) + v; return a; }, {}))}; load ${load()}`);
    // Blocks run per worker: more than the run's blocks in all means some block ran twice (a redelivery).
    console.log(`  blocks run per worker ${ws.map((w) => w.items).join(' + ')} (run has ${r.progress.items}); second deliveries that waited on a claim ${ws.map((w) => w.waited).join(' + ')}`);
    console.log(`  CPU-seconds: workers ${ws.map((w) => w.cpu.toFixed(1)).join(' + ')} (${(1e6 * workerCpu / Math.max(1, attempts)).toFixed(0)} µs/attempt), coordinator ${coordinator.toFixed(1)}, ` +
      `farm ${farmCpu.toFixed(1)} (${(1e6 * farmCpu / Math.max(1, attempts)).toFixed(0)} µs/attempt), PostgreSQL+NATS ≤ ${servers.toFixed(1)} (shared servers: an upper bound); ` +
      `all ${all.toFixed(1)} CPU-s = ${(all / 2).toFixed(1)} s on two idle cores if spread evenly`);
  } finally {
    await queue.destroy().catch(() => undefined);
    farm.send({ cmd: 'close' });
    await bus.close();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
    await store.close();
  }
}

if (process.argv[2] === 'worker') await workerChild(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]), Number(process.argv[7]));
else await main();
