/**
 * Distributed survey: 1 and 3 worker processes (NATS JetStream work queue, PostgreSQL) against
 * one emulated farm (its own process), coordinated from this process, which also serves the
 * run's global rate. The peer is the same survey in one process (`runSurvey`, what
 * `mamori survey run` does) on the same farm. Printed per run: attempts/s overall and per
 * worker (its attempts over the span from its first block's start to its last block's end), connects/s against the
 * global rate, and the load average. A last run with a low global rate checks that three
 * workers together stay under it.
 *
 *   npm run bench -- bench/survey-distributed.ts [devices=1000] [pairs=30]
 */
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { NatsBus, TEST_DATABASE_URL, TEST_NATS_URL, openPostgresStore, type Store } from '@mamori/core';
import { forkReady } from './args.js';
import { planFarm, type FarmPlanOptions } from '@mamori/testbed';
import {
  SurveyScope, defaultDictionary, runDistributedSurvey, runSurvey, startSurveyWorker, surveyMigrations, type CredentialDictionary,
} from '@mamori/survey';

const here = fileURLToPath(import.meta.url);
const NET = 62;
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

function dictionaryOf(n: number): CredentialDictionary {
  const d = defaultDictionary();
  return { version: d.version, pairs: d.pairs.slice(0, n) };
}

/** A worker process: joins the queue and works until told to stop. */
async function workerChild(schema: string, queueName: string, name: string, pairs: number): Promise<void> {
  const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  const bus = await NatsBus.connect(TEST_NATS_URL, name);
  const queue = await bus.queue(queueName, { ackWaitMs: 30_000 });
  const worker = startSurveyWorker({ store, bus }, queue, { dictionary: dictionaryOf(pairs), name, concurrency: 1000 });
  process.send!({ ready: true });
  process.once('message', () => {
    void worker.stop().then(async () => {
      await bus.close();
      await store.close();
      process.exit(0);
    });
  });
}

const start = (args: string[], module = here): Promise<ChildProcess> => forkReady(module, args);

async function main(): Promise<void> {
  const nDevices = Number(process.argv[2] ?? 1000);
  const nPairs = Number(process.argv[3] ?? 30);
  const dictionary = dictionaryOf(nPairs);
  const plan: FarmPlanOptions = { net: NET, telnet: Math.floor(nDevices / 2), http: nDevices - Math.floor(nDevices / 2), weakShare: 0.1, dictionary: dictionary.pairs, telnetPort: 2327, httpPort: 8084 };
  const devices = planFarm(plan);
  const last = devices[devices.length - 1].address.split('.').map(Number);
  const scopeText = `127.${NET}.0.0/${32 - Math.ceil(Math.log2((last[2] + 1) * 256))}\n`;
  const weak = devices.filter((d) => d.credentials[0].password !== 'V3ry-l0ng-unguessable').length;
  const farm = await start([JSON.stringify(plan)], fileURLToPath(new URL('./survey-farm-child.ts', import.meta.url)));
  console.log(`farm: ${devices.length} devices (${weak} weak), scope ${scopeText.trim()}, ${nPairs} pairs; load ${load()}`);
  const limits = { globalRate: 50_000, perSlash24Rate: 20_000, perHostConnections: 2, maxAttemptsPerHost: 1000 };
  const timeouts = { bannerMs: 1500, replyMs: 5000 };
  const schema = `bench_survey_dist_${process.pid}`;
  const store: Store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 4 });
  await store.migrate([surveyMigrations]);
  const bus = await NatsBus.connect(TEST_NATS_URL, 'bench-coordinator');
  try {
    const t0 = performance.now();
    const local = await runSurvey({ scope: SurveyScope.fromText(scopeText), ports: [2327, 8084], pairs: dictionary.pairs, concurrency: 1000, limits, timeouts });
    const s0 = (performance.now() - t0) / 1000;
    const peer = local.stats.attempts / s0;
    console.log(`one process (runSurvey): ${s0.toFixed(1)} s, ${local.stats.attempts} attempts (${peer.toFixed(0)}/s), ${local.findings.length} findings; load ${load()}`);

    // The last run caps the global rate at half the connect rate three free workers reached: they must stay under it together.
    const runs: [number, number | 'half'][] = [[1, limits.globalRate], [3, limits.globalRate], [3, 'half']];
    let freeConnectRate = 0;
    for (const [n, asked] of runs) {
      const rate = asked === 'half' ? Math.max(10, Math.round(freeConnectRate / 2)) : asked;
      const queueName = `bench-survey-${process.pid}-${n}-${rate}`;
      const workers = await Promise.all(Array.from({ length: n }, (_, i) => start(['worker', schema, queueName, `w${i}`, String(nPairs)])));
      const queue = await bus.queue(queueName, { ackWaitMs: 30_000 });
      try {
        const r = await runDistributedSurvey({ store, bus }, queue, { scopeText, ports: [2327, 8084], dictionary, limits: { ...limits, globalRate: rate }, timeouts, itemBits: 26, pollMs: 200 });
        const connects = r.progress.statsOfItems.reduce((a, s) => a + s.connects, 0);
        if (n === 3 && asked !== 'half') freeConnectRate = connects / r.seconds;
        const per = Object.entries(r.progress.workers).map(([w, x]) => `${w} ${Math.round((x.attempts * 1000) / x.ms)}/s over ${x.items} blocks`).join(', ');
        console.log(`${n} worker(s), global rate ${rate}/s: ${r.seconds.toFixed(1)} s, ${r.progress.attempts} attempts (${(r.progress.attempts / r.seconds).toFixed(0)}/s overall, ` +
          `${(r.progress.attempts / r.seconds / peer).toFixed(2)}× one process), ${r.progress.findings} findings of ${weak}, connects ${(connects / r.seconds).toFixed(0)}/s (tokens granted ${r.tokensGranted}); per worker: ${per}; load ${load()}`);
      } finally {
        await Promise.all(workers.map((w) => new Promise((res) => { w.once('exit', res); w.send('stop'); })));
        await queue.destroy();
      }
    }
  } finally {
    farm.send({ cmd: 'close' });
    await bus.close();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
    await store.close();
  }
}

if (process.argv[2] === 'worker') await workerChild(process.argv[3], process.argv[4], process.argv[5], Number(process.argv[6]));
else await main();
