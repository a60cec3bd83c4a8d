/**
 * The analyzer merges batches in whatever order they commit: several merges run at once,
 * a failed one comes back later, sensors race each other. So the stored rows must not
 * depend on that order. Here the same batches of three sensors (overlapping minutes, and
 * per sensor the cumulative victim restatements and per-interval infected ports that once
 * went last-writer-wins) are applied in sensor order, in reverse, and shuffled four at a
 * time; every store must equal a one-process ingest, on both back ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, PrefixSet, testBackends, type Store, type WorkQueue } from '@mamori/core';
import { ingestCapture } from '../ingest.js';
import { telescopeMigrations } from '../store/migrations.js';
import { sensorCaptures, storedRollups, type SensorCapture } from '../test/rollups.js';
import { applyBatch } from './analyzer.js';
import { decodeBatch, type SensorBatch } from './batch.js';
import { runSensor } from './sensor.js';

const dir = mkdtempSync(join(tmpdir(), 'telescope-merge-order-'));
const captures = sensorCaptures(dir, 3);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sensorBatches(c: SensorCapture, sensorId: string): Promise<SensorBatch[]> {
  const parts: SensorBatch[] = [];
  const queue = { name: 'array', push: async (p: unknown) => { parts.push(decodeBatch(new TextEncoder().encode(p as string))); } };
  await runSensor(new MemoryBus(), queue as unknown as WorkQueue, c.path, { sensorId, darknet: new PrefixSet(c.darknet.split(',')), maxRows: 40, publish: false });
  return parts;
}

/** A seeded Fisher–Yates shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Applies every batch with `lanes` merges in flight at once (1: one after another). */
async function applyAll(store: Store, batches: SensorBatch[], lanes: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < batches.length) expect(await applyBatch(store, batches[next++])).toBe(true);
  }));
}

let batches: SensorBatch[] = [];
beforeAll(async () => {
  batches = (await Promise.all(captures.map((c, i) => sensorBatches(c, `sensor-${i}`)))).flat();
}, 60_000);

for (const backend of testBackends()) {
  describe(`telescope merges on ${backend.name}`, () => {
    it('store the same rows whatever order the batches of several sensors commit in', async () => {
      const single = await backend.open({ migrations: [telescopeMigrations] });
      const orders = { forward: batches, reverse: [...batches].reverse(), shuffled: shuffled(batches, 8) };
      try {
        for (const c of captures) await ingestCapture(single, c.path, { darknet: new PrefixSet(c.darknet.split(',')), publish: false });
        const want = await storedRollups(single.store);
        // The captures carry what used to depend on order: infected hosts over several
        // minutes and victims restated as their attacks went on.
        expect((want.infected as unknown[]).length).toBeGreaterThan(0);
        expect((want.victims as unknown[]).length).toBeGreaterThan(0);
        for (const [name, list] of Object.entries(orders)) {
          const spread = await backend.open({ migrations: [telescopeMigrations] });
          try {
            await applyAll(spread.store, list, name === 'shuffled' ? 4 : 1);
            expect(await storedRollups(spread.store), `${name} order`).toEqual(want);
          } finally {
            await spread.close();
          }
        }
      } finally {
        await single.close();
      }
    }, 180_000);
  });
}
