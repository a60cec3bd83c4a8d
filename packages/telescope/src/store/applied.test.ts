/**
 * Counting once: a capture file ingested again (same bytes, any path) adds nothing, a run
 * cut short and started again counts every minute once, `force` counts deliberately again;
 * and old sensor-batch markers are pruned while file markers stay. Both back ends.
 */
import { copyFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBus, PrefixSet, testBackends, uniqueName, type Store, type WorkQueue } from '@mamori/core';
import type { IntervalResult } from '../analysis/engine.js';
import { analyseCapture, ingestCapture } from '../ingest.js';
import { applyBatch, startAnalyzer } from '../scaleout/analyzer.js';
import { batchId, decodeBatch, type SensorBatch } from '../scaleout/batch.js';
import { runSensor } from '../scaleout/sensor.js';
import { sensorCaptures, storedRollups } from '../test/rollups.js';
import { captureDigest, fileMarker, ingestedFile, markApplied, pruneApplied } from './applied.js';
import { telescopeMigrations } from './migrations.js';
import { writeIntervalIn } from './sink.js';
import type { TelescopeTables } from './tables.js';

const dir = mkdtempSync(join(tmpdir(), 'telescope-applied-'));
const [capture] = sensorCaptures(dir, 1);
const copy = join(dir, 'renamed.pcap');
copyFileSync(capture.path, copy);
const options = { darknet: new PrefixSet(capture.darknet.split(',')), publish: false };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const markers = async (store: Store, sensor?: string): Promise<number> => {
  let q = store.as<TelescopeTables>().selectFrom('telescope_applied').select((eb) => eb.fn.countAll<number>().as('n'));
  if (sensor) q = q.where('sensor', '=', sensor);
  return Number((await q.executeTakeFirstOrThrow()).n);
};
const runs = async (store: Store): Promise<number> =>
  Number((await store.as<TelescopeTables>().selectFrom('telescope_ingests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

async function sensorBatches(sensorId: string): Promise<SensorBatch[]> {
  const parts: SensorBatch[] = [];
  const queue = { name: 'array', push: async (p: unknown) => { parts.push(decodeBatch(new TextEncoder().encode(p as string))); } };
  await runSensor(new MemoryBus(), queue as unknown as WorkQueue, capture.path, { ...options, sensorId, maxRows: 100 });
  return parts;
}

for (const backend of testBackends()) {
  describe(`telescope counting once on ${backend.name}`, () => {
    it('counts a capture file once, whatever its path, unless forced', async () => {
      const p = await backend.open({ migrations: [telescopeMigrations] });
      try {
        const before = Date.now();
        const first = await ingestCapture(p, capture.path, { ...options, once: true });
        const after = Date.now();
        expect(first).toMatchObject({ digest: await captureDigest(capture.path), alreadyIngested: false, intervalsSkipped: 0, frames: capture.packets });
        expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
        const once = await storedRollups(p.store);
        // The file's row stands for its intervals: no per-interval markers are left behind.
        expect(await markers(p.store)).toBe(0);

        const again = await ingestCapture(p, copy, { ...options, once: true });
        expect(again).toMatchObject({ digest: first.digest, alreadyIngested: true, frames: first.frames, packets: first.packets, source: copy, ingestedAs: capture.path });
        // The first run's time, not this one's.
        expect(again.ingestedMs).toBeGreaterThanOrEqual(before);
        expect(again.ingestedMs).toBeLessThanOrEqual(after);
        expect(await storedRollups(p.store)).toEqual(once);
        expect(await runs(p.store)).toBe(1);

        const forced = await ingestCapture(p, copy, { ...options, once: true, force: true });
        expect(forced).toMatchObject({ alreadyIngested: false, frames: capture.packets });
        expect(await runs(p.store)).toBe(2);
        const twice = await storedRollups(p.store);
        const packets = (r: Record<string, unknown>): number => (r.intervals as { packets: number }[]).reduce((n, i) => n + i.packets, 0);
        expect(packets(twice)).toBe(2 * packets(once));
        expect((await ingestedFile(p.store.as<TelescopeTables>(), first.digest!))?.source).toBe(copy);

        // Stdin cannot be digested before it is read: counted every time, and said so.
        const piped = await ingestCapture(p, createReadStream(capture.path), { ...options, once: true });
        expect(piped).toMatchObject({ digest: null, alreadyIngested: false, frames: capture.packets });
        expect(await runs(p.store)).toBe(3);
      } finally {
        await p.close();
      }
    }, 120_000);

    it('finishes a file whose first run stopped part-way, counting each minute once', async () => {
      const single = await backend.open({ migrations: [telescopeMigrations] });
      const resumed = await backend.open({ migrations: [telescopeMigrations] });
      try {
        await ingestCapture(single, capture.path, options);
        // What a run that crashed after its second interval had committed: rows and markers.
        const intervals: IntervalResult[] = [];
        await analyseCapture(capture.path, { ...options, onInterval: async (r) => { intervals.push(r); } });
        expect(intervals.length).toBeGreaterThan(3);
        const marker = fileMarker(await captureDigest(capture.path));
        for (const r of intervals.slice(0, 2)) {
          await resumed.store.as<TelescopeTables>().transaction().execute(async (tx) => {
            expect(await markApplied(tx, marker, String(r.startMs), 0)).toBe(true);
            await writeIntervalIn(tx, r);
          });
        }
        const report = await ingestCapture(resumed, capture.path, { ...options, once: true });
        expect(report).toMatchObject({ alreadyIngested: false, intervalsSkipped: 2 });
        expect(await storedRollups(resumed.store)).toEqual(await storedRollups(single.store));
        expect(await markers(resumed.store, marker)).toBe(0);
      } finally {
        await resumed.close();
        await single.close();
      }
    }, 120_000);

    it('prunes sensor-batch markers older than the retention, not file markers', async () => {
      const p = await backend.open({ migrations: [telescopeMigrations] });
      try {
        const db = p.store.as<TelescopeTables>();
        const batches = await sensorBatches('s-prune');
        for (const b of batches) expect(await applyBatch(p.store, b)).toBe(true);
        await db.transaction().execute((tx) => markApplied(tx, fileMarker('ab'.repeat(32)), '0', 0));
        const total = batches.length + 1;
        // Half the batches were applied long ago, and so was the file marker.
        const old = Date.now() - 30 * 86_400_000;
        const aged = batches.slice(0, Math.floor(batches.length / 2)).map(batchId);
        await db.updateTable('telescope_applied').set({ applied_ms: old }).where('batch', 'in', aged).execute();
        await db.updateTable('telescope_applied').set({ applied_ms: old }).where('sensor', 'like', '@file:%').execute();

        expect(await pruneApplied(p.store, Date.now() - 7 * 86_400_000)).toBe(aged.length);
        expect(await markers(p.store)).toBe(total - aged.length);
        expect(await markers(p.store, fileMarker('ab'.repeat(32)))).toBe(1);
        expect(await pruneApplied(p.store, Date.now() - 7 * 86_400_000)).toBe(0);

        // The analyzer prunes by itself, on its period.
        await db.updateTable('telescope_applied').set({ applied_ms: old }).where('sensor', '=', 's-prune').execute();
        const queue = await p.bus.queue(uniqueName('prune').toLowerCase());
        const analyzer = startAnalyzer(p, queue, { publish: false, pruneEveryMs: 50, appliedRetentionMs: 86_400_000 });
        const until = Date.now() + 30_000;
        while (analyzer.stats.pruned === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        await analyzer.stop();
        await queue.destroy();
        expect(analyzer.stats.pruned).toBe(total - aged.length - 1);
        expect(await markers(p.store)).toBe(1);
      } finally {
        await p.close();
      }
    }, 120_000);
  });
}
