/**
 * Sensors → work queue → analyzer on both back ends, through the same code the CLI verbs
 * run: the merged store equals a one-process ingest of the same captures, with a batch
 * delivered twice and a merge failing after its rows were written (rolled back, nak'ed,
 * redelivered). Plus the wire format's checks (typed errors, never another exception).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MamoriError, MemoryBus, PrefixSet, testBackends, uniqueName, type WorkQueue } from '@mamori/core';
import { PortTable } from '../analysis/port-table.js';
import { SourceTable } from '../analysis/source-rollup.js';
import { ingestCapture } from '../ingest.js';
import { telescopeMigrations } from '../store/migrations.js';
import { appliedCount, sensorCaptures, storedRollups, type SensorCapture } from '../test/rollups.js';
import { applyBatch, startAnalyzer, untilIdle } from './analyzer.js';
import { MAX_MESSAGE_BYTES, batchId, decodeBatch, encodeInterval, splitInterval, type SensorBatch } from './batch.js';
import { runSensor, type SensorReport } from './sensor.js';

const dir = mkdtempSync(join(tmpdir(), 'telescope-scaleout-'));
const captures = sensorCaptures(dir, 3);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sensor's batches, collected from an array instead of a queue. */
async function sensorBatches(c: SensorCapture, sensorId: string, maxRows?: number): Promise<SensorBatch[]> {
  const parts: SensorBatch[] = [];
  const queue = { name: 'array', push: async (p: unknown) => { parts.push(decodeBatch(new TextEncoder().encode(p as string))); } };
  await runSensor(new MemoryBus(), queue as unknown as WorkQueue, c.path, { sensorId, darknet: new PrefixSet(c.darknet.split(',')), maxRows, publish: false });
  return parts;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const backend of testBackends()) {
  describe(`telescope sensors and analyzer on ${backend.name}`, () => {
    it('stores exactly what one process stores, across a duplicate delivery and a nak mid-merge', async () => {
      const single = await backend.open({ migrations: [telescopeMigrations] });
      const spread = await backend.open({ migrations: [telescopeMigrations] });
      try {
        for (const c of captures) await ingestCapture(single, c.path, { darknet: new PrefixSet(c.darknet.split(',')), publish: false });

        const queue = await spread.bus.queue(uniqueName('tele').toLowerCase(), { ackWaitMs: 5000 });
        const failedOnce = new Set<string>();
        const analyzer = startAnalyzer(spread, queue, {
          concurrency: 2, publish: false, retryDelayMs: 10,
          // Every fifth part fails on its first delivery, after its rows are written.
          beforeCommit: (b, delivery) => {
            if (b.kind === 'interval' && b.part % 5 === 3 && delivery === 1) {
              failedOnce.add(batchId(b));
              throw new Error('injected failure before commit');
            }
          },
        });
        const reports: SensorReport[] = await Promise.all(captures.map((c, i) => runSensor(spread.bus, queue, c.path, {
          sensorId: `sensor-${i}`, darknet: new PrefixSet(c.darknet.split(',')), maxRows: 40, publish: false,
        })));
        expect(reports[0].run).toMatch(/^\d+$/);
        const total = reports.reduce((n, r) => n + r.batches, 0);
        await waitFor(async () => (await appliedCount(spread.store)) === total, `${total} applied batches`);
        await untilIdle(queue, 300);

        // A batch already merged, delivered twice more (no message id, so the queue keeps both).
        const first = await firstBatchOf(reports[0]);
        await queue.push(JSON.stringify(first));
        await queue.push(JSON.stringify(first));
        await waitFor(async () => analyzer.stats.duplicates >= 2, 'the duplicate deliveries');
        await untilIdle(queue, 300);
        await analyzer.stop();
        await queue.destroy();

        expect(failedOnce.size).toBeGreaterThan(0);
        expect(analyzer.stats.failed).toBe(failedOnce.size);
        expect(analyzer.stats.applied).toBe(total);
        expect(analyzer.stats.rejected).toBe(0);
        expect(await appliedCount(spread.store)).toBe(total);
        expect(reports.reduce((n, r) => n + r.frames, 0)).toBe(captures.reduce((n, c) => n + c.packets, 0));

        const want = await storedRollups(single.store);
        expect((want.ports as unknown[]).length).toBeGreaterThan(100);
        expect(await storedRollups(spread.store)).toEqual(want);
      } finally {
        await spread.close();
        await single.close();
      }
    }, 180_000);

    it('applies a batch once however often it is handed over', async () => {
      const platform = await backend.open({ migrations: [telescopeMigrations] });
      try {
        const parts = await sensorBatches(captures[1], 'once');
        for (const b of parts) expect(await applyBatch(platform.store, b)).toBe(true);
        const once = await storedRollups(platform.store);
        for (const b of parts) expect(await applyBatch(platform.store, b)).toBe(false);
        expect(await storedRollups(platform.store)).toEqual(once);
      } finally {
        await platform.close();
      }
    }, 60_000);
  });
}

/** The first interval batch a sensor sent, rebuilt from its capture (ids are deterministic). */
async function firstBatchOf(report: SensorReport): Promise<SensorBatch> {
  const parts = await sensorBatches(captures[Number(report.sensor.split('-')[1])], report.sensor, 40);
  const first = parts.find((b) => b.kind === 'interval')!;
  expect(batchId(first)).toBe(`${report.run}.${(first as { startMs: number }).startMs}.0`);
  return first;
}

describe('sensor batches on the wire', () => {
  const c = captures[0];
  let parts: SensorBatch[] = [];
  const sent = sensorBatches(c, 's1', 25).then((p) => { parts = p; });

  it('splits intervals into parts of bounded size with the summary in part 0', async () => {
    await sent;
    const intervals = parts.filter((b) => b.kind === 'interval');
    expect(intervals.length).toBeGreaterThan(8);
    for (const b of intervals) {
      expect(b.ports[0].length + b.sources[0].length + b.infected.length).toBeLessThanOrEqual(25);
      expect(b.summary === null).toBe(b.part !== 0);
    }
    expect(parts.at(-1)!.kind).toBe('run');
    expect(new Set(parts.map(batchId)).size).toBe(parts.length);
  });

  it('rejects what is not a batch with a typed error naming the field', async () => {
    await sent;
    const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
    expect(() => decodeBatch(enc('{nope'))).toThrow(MamoriError);
    const good = parts.find((b) => b.kind === 'interval' && b.sources[0].length > 0)!;
    const bad = JSON.parse(JSON.stringify(good)) as { sources: unknown[][] };
    bad.sources[1].pop();
    try {
      decodeBatch(enc(bad));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MamoriError);
      expect((e as MamoriError).code).toBe('MAMORI_TELESCOPE_INPUT');
      expect(String((e as MamoriError).message)).toContain('sources');
    }
    fc.assert(fc.property(fc.jsonValue(), fc.nat(), (noise, at) => {
      const text = JSON.stringify(good);
      const i = at % text.length;
      for (const input of [JSON.stringify(noise), text.slice(0, i) + JSON.stringify(noise) + text.slice(i + 1)]) {
        try {
          decodeBatch(enc(input));
        } catch (e) {
          if (!(e instanceof MamoriError)) throw e;
        }
      }
    }), { numRuns: 300 });
    // 30,000 IPv6 sources at 20,000 rows per part would be ~2.7 MiB messages: halved until they fit.
    const wide = Array.from({ length: 30_000 }, (_, i) => ({
      bucketMs: 0, src: `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::ffff:1234`, packets: 1e6 + i, bytes: 6e7 + i, synScan: i, tcpOther: 0,
      udpProbe: 0, icmpProbe: 0, backscatter: 0, ports: 3, fingerprint: null, firstMs: 1767225600123.456, lastMs: 1767225659999.999,
    }));
    const big = encodeInterval('s', 'r', { startMs: 0, endMs: 60_000, summary: (parts[0] as { summary: never }).summary, ports: PortTable.empty(0), sources: SourceTable.fromRows(0, wide), victims: [], alerts: [], infected: [] }, 20_000);
    expect(big.length).toBeGreaterThan(2);
    expect(big.every((e) => e.json.length <= MAX_MESSAGE_BYTES)).toBe(true);
    expect(big.reduce((n, e) => n + e.batch.sources[0].length, 0)).toBe(30_000);
    expect(splitInterval('s', 'r', { startMs: 0, endMs: 60_000, summary: (parts[0] as { summary: never }).summary, ports: PortTable.empty(0), sources: SourceTable.empty(0), victims: [], alerts: [], infected: [] })).toHaveLength(1);
  });
});
