/**
 * A distributed run in one process, on both back ends: a coordinator and two workers share
 * the queue, the store and the global rate; every weak device of the farm is found exactly
 * once, nothing outside the scope or on an opt-out list (the run's or a worker's own) is
 * contacted, and committing an item twice (a redelivery after the commit) adds nothing.
 * The same with real processes and a worker killed mid-run: processes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { testBackends, uniqueName } from '@mamori/core';
import { isWeak, planFarm, startFarm, type DeviceSpec, type Farm } from '@mamori/testbed';
import { defaultDictionary } from '../credentials.js';
import { surveyMigrations, type SurveyTables } from '../store/migrations.js';
import { listFindings } from '../store/survey-store.js';
import { runDistributedSurvey } from './coordinator.js';
import { startSurveyWorker, type SurveyWorker } from './worker.js';
import { commitItem, distributedFindings, type ItemStats } from './dist-store.js';

const dictionary = { ...defaultDictionary(), pairs: defaultDictionary().pairs.slice(0, 10) };
const NET = 48;
// 127.48.0.0/23 is the scope; 127.48.1.128/26 the run's opt-out; 127.48.1.64/27 one worker's own.
const devices: DeviceSpec[] = planFarm({ net: NET, telnet: 120, http: 120, weakShare: 0.25, dictionary: dictionary.pairs, telnetPort: 2325, httpPort: 8082 })
  .concat([{ kind: 'telnet', address: `127.${NET}.2.1`, port: 2325, credentials: [dictionary.pairs[0]] }]); // outside the scope
const runExcluded = (a: string): boolean => a.startsWith(`127.${NET}.1.`) && Number(a.split('.')[3]) >= 128 && Number(a.split('.')[3]) < 192;
const workerExcluded = (a: string): boolean => a.startsWith(`127.${NET}.1.`) && Number(a.split('.')[3]) >= 64 && Number(a.split('.')[3]) < 96;
const outside = (a: string): boolean => !a.startsWith(`127.${NET}.0.`) && !a.startsWith(`127.${NET}.1.`);
const untouchable = (a: string): boolean => outside(a) || runExcluded(a) || workerExcluded(a);
const expected = devices.filter((d) => !untouchable(d.address) && isWeak(d, dictionary.pairs)).map((d) => `${d.address}:${d.port}`).sort();

let farm: Farm;
beforeAll(async () => { farm = await startFarm(devices); });
afterAll(async () => { await farm?.close(); });

describe.each(testBackends())('distributed survey on $name', (backend) => {
  it('finds every weak device once, under one rate, within the scope', async () => {
    const platform = await backend.open({ migrations: [surveyMigrations] });
    const queue = await platform.bus.queue(uniqueName('survey').toLowerCase().replace(/_/g, '-'), { ackWaitMs: 10_000 });
    const dialed: string[][] = [[], []];
    const dial = (i: number) => (o: { host: string; port: number }): net.Socket => { dialed[i].push(o.host); return net.connect(o); };
    const workers = [
      startSurveyWorker(platform, queue, { dictionary, name: 'w1', concurrency: 64, dial: dial(0) }),
      startSurveyWorker(platform, queue, { dictionary, name: 'w2', concurrency: 64, dial: dial(1), exclude: `127.${NET}.1.64/27\n` }),
    ];
    try {
      const r = await runDistributedSurvey(platform, queue, {
        scopeText: `127.${NET}.0.0/23\n`, excludeText: `127.${NET}.1.128/26\n`, ports: [2325, 8082], dictionary, itemBits: 26,
        limits: { globalRate: 3000, perSlash24Rate: 3000, maxAttemptsPerHost: 100 }, timeouts: { bannerMs: 1000, replyMs: 3000 },
      });
      // The worker with its own opt-out may have taken that block; the other may not have: such
      // devices are found or not, but never by the worker that opted out. Compare the rest exactly.
      const found = (await distributedFindings(platform.store, r.runId)).map((f) => `${f.address}:${f.port}`);
      expect(new Set(found).size).toBe(found.length);
      const comparable = (k: string): boolean => !workerExcluded(k.split(':')[0]);
      expect(found.filter(comparable).sort()).toEqual(expected.filter(comparable));
      expect(r.progress.itemsDone).toBe(r.progress.items);
      expect(r.stored.newFindings).toBe(found.length);
      expect((await listFindings(platform.store)).length).toBe(found.length);
      // The leader granted at least one token per connect the workers made.
      expect(r.tokensGranted).toBeGreaterThanOrEqual(dialed[0].length + dialed[1].length);
      for (const host of dialed.flat()) expect(outside(host) || runExcluded(host), host).toBe(false);
      for (const host of dialed[1]) expect(workerExcluded(host), host).toBe(false);
      for (const d of devices.filter((x) => outside(x.address) || runExcluded(x.address))) expect(farm.counters(d).connections, d.address).toBe(0);
      expect(workers[1].stats.items + workers[0].stats.items).toBe(r.progress.items);

      // A redelivered item whose findings were already committed adds nothing.
      const again = await distributedFindings(platform.store, r.runId);
      const added = await commitItem(platform.store, r.runId, `127.${NET}.0.0/26`, again, { worker: 'w9', delivery: 2, startedAt: Date.now(), stats: { ms: 0 } as ItemStats });
      expect(added).toBe(0);
      expect(await distributedFindings(platform.store, r.runId)).toHaveLength(again.length);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await queue.destroy();
      await platform.close();
    }
  }, 240_000);

  // JetStream delivers at least once: a message that waited past its ack wait reaches a second
  // worker while the first may still run it. Two deliveries of every item, all in flight at
  // once, must still survey each item once (per-host budgets hold per run, not per worker).
  it('surveys an item once when the queue hands it out twice at the same time', async () => {
    const platform = await backend.open({ migrations: [surveyMigrations] });
    const queue = await platform.bus.queue(uniqueName('survey').toLowerCase().replace(/_/g, '-'), { ackWaitMs: 10_000 });
    const runId = uniqueName('dup');
    const starts = new Map<string, number>();
    const workers: SurveyWorker[] = [];
    let duplicated: Promise<void> | undefined;
    try {
      const r = await runDistributedSurvey(platform, queue, {
        runId, scopeText: `127.${NET}.0.0/23\n`, ports: [2325, 8082], dictionary, itemBits: 26,
        limits: { globalRate: 3000, perSlash24Rate: 3000, maxAttemptsPerHost: 100 }, timeouts: { bannerMs: 1000, replyMs: 3000 },
        // Once the coordinator has queued the items: a second copy of each, then the workers, with a slot for every copy.
        onProgress: () => {
          duplicated ??= (async () => {
            for (let i = 0; i < 8; i++) await queue.push({ runId, block: `127.${NET}.${i >> 2}.${(i & 3) * 64}/26` }, { id: `again:${i}` });
            for (const name of ['w1', 'w2']) {
              workers.push(startSurveyWorker(platform, queue, {
                dictionary, name, concurrency: 512, blocks: 16, heartbeatMs: 200,
                onItem: (e) => { if (e.phase === 'start') starts.set(e.block, (starts.get(e.block) ?? 0) + 1); },
              }));
            }
          })();
        },
      });
      await duplicated;
      expect(r.progress.items).toBe(8);
      expect([...starts.values()]).toEqual(Array(8).fill(1));
      const found = (await distributedFindings(platform.store, r.runId)).map((f) => `${f.address}:${f.port}`).sort();
      expect(found).toEqual(devices.filter((d) => !outside(d.address) && isWeak(d, dictionary.pairs)).map((d) => `${d.address}:${d.port}`).sort());
      // Every second copy ends once its item is done, without surveying it.
      await expect.poll(() => workers.reduce((n, w) => n + w.stats.skipped, 0), { timeout: 30_000 }).toBe(8);
      expect(workers.reduce((n, w) => n + w.stats.items, 0)).toBe(8);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await queue.destroy();
      await platform.close();
    }
  }, 240_000);

  // A worker that froze past its lease has had its item taken over: it must stop dialling and
  // not commit its partial run; the redelivery waits until the new holder is done or gone.
  it('stops an item whose claim was taken over, and resumes it once that holder is gone', async () => {
    const platform = await backend.open({ migrations: [surveyMigrations] });
    const queue = await platform.bus.queue(uniqueName('survey').toLowerCase().replace(/_/g, '-'), { ackWaitMs: 10_000 });
    const db = platform.store.as<SurveyTables>();
    const phases: string[] = [];
    let worker: SurveyWorker | undefined;
    try {
      const r = await runDistributedSurvey(platform, queue, {
        scopeText: `127.${NET}.0.0/26\n`, ports: [2325, 8082], dictionary, itemBits: 26,
        limits: { globalRate: 3000, perSlash24Rate: 3000, maxAttemptsPerHost: 100 }, timeouts: { bannerMs: 1000, replyMs: 3000 },
        onProgress: () => {
          worker ??= startSurveyWorker(platform, queue, {
            dictionary, name: 'w1', concurrency: 16, heartbeatMs: 100,
            onItem: (e) => {
              phases.push(e.phase);
              // The first run's claim goes to a "thief" (as if w1 had frozen past its lease) ...
              if (phases.length === 1) void db.updateTable('survey_dist_claim').set({ holder: 'thief', lease_until: Date.now() + 600_000 }).execute();
              // ... which later dies: its lease lapses, and w1's waiting redelivery takes over.
              if (e.phase === 'waiting') setTimeout(() => void db.updateTable('survey_dist_claim').set({ lease_until: 0 }).execute(), 500);
            },
          });
        },
      });
      expect(phases).toEqual(['start', 'lost', 'waiting', 'start', 'done']);
      expect(worker!.stats).toMatchObject({ items: 1, failed: 1, waited: 1 });
      const found = (await distributedFindings(platform.store, r.runId)).map((f) => `${f.address}:${f.port}`).sort();
      expect(found).toEqual(devices.filter((d) => d.address.startsWith(`127.${NET}.0.`) && Number(d.address.split('.')[3]) < 64 && isWeak(d, dictionary.pairs)).map((d) => `${d.address}:${d.port}`).sort());
    } finally {
      await worker?.stop();
      await queue.destroy();
      await platform.close();
    }
  }, 120_000);
});
