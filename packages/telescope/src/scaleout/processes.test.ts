/**
 * The scale-out telescope as it is deployed: real `mamori telescope sensor` and
 * `mamori telescope analyzer` processes on loopback, PostgreSQL (one schema per test) and
 * NATS JetStream (one stream per test). What the analyzer stores must equal what one
 * process stores ingesting the same captures: nothing lost, nothing counted twice, also
 * when the analyzer is killed (SIGKILL) mid-run and another takes over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
  NatsBus, PrefixSet, TEST_DATABASE_URL, TEST_NATS_URL, openPostgresStore, testBackends, uniqueName, type Platform, type Store,
} from '@mamori/core';
import { runMamori, startMamori, type MamoriProcess } from '@mamori/testbed';
import { ingestCapture } from '../ingest.js';
import { telescopeMigrations } from '../store/migrations.js';
import { appliedCount, sensorCaptures, storedRollups } from '../test/rollups.js';
import type { SensorReport } from './sensor.js';

const dir = mkdtempSync(join(tmpdir(), 'telescope-processes-'));
const captures = sensorCaptures(dir, 3, { minutes: 5 });
let reference: Platform;
let want: Record<string, unknown>;

beforeAll(async () => {
  reference = await testBackends().find((b) => b.name === 'postgres+nats')!.open({ migrations: [telescopeMigrations] });
  for (const c of captures) await ingestCapture(reference, c.path, { darknet: new PrefixSet(c.darknet.split(',')), publish: false });
  want = await storedRollups(reference.store);
}, 120_000);
afterAll(async () => {
  await reference?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A PostgreSQL schema and a JetStream stream of the test's own, removed afterwards. */
async function deployment(): Promise<{ env: Record<string, string>; queue: string; store: Store; close(): Promise<void> }> {
  const schema = uniqueName('tele').toLowerCase();
  const queue = uniqueName('tele').toLowerCase().replace(/_/g, '-');
  const env = { MAMORI_DATABASE_URL: TEST_DATABASE_URL, MAMORI_DATABASE_SCHEMA: schema, MAMORI_NATS_URL: TEST_NATS_URL, MAMORI_DATA_DIR: join(dir, schema) };
  const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
  return {
    env, queue, store,
    async close() {
      const bus = await NatsBus.connect(TEST_NATS_URL);
      await (await bus.queue(queue)).destroy();
      await bus.close();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
      await store.close();
    },
  };
}

async function sensors(env: Record<string, string>, queue: string, rows: number): Promise<SensorReport[]> {
  return Promise.all(captures.map(async (c, i) => {
    const r = await runMamori(['--json', '--quiet', 'telescope', 'sensor', '--sensor-id', `sensor-${i}`, '--queue', queue,
      '--darknet', c.darknet, '--rows-per-message', String(rows), c.path], env, 240_000);
    if (r.code !== 0) throw new Error(`sensor ${i} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as SensorReport;
  }));
}

function analyzer(env: Record<string, string>, queue: string, ...extra: string[]): MamoriProcess {
  return startMamori(['--json', 'telescope', 'analyzer', '--queue', queue, '--ack-wait', '3s', ...extra], env);
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('telescope sensor and analyzer processes (PostgreSQL + NATS JetStream)', () => {
  it('explain themselves and exit 0 for help, 2 for usage errors, 1 for failures', async () => {
    // Seven CLI starts at once on a loaded 2-core CI machine can take minutes: the default
    // 120 s kill (exit 1) once failed the help check.
    const SLOW = 300_000;
    const noNats = { MAMORI_NATS_URL: undefined, MAMORI_DATA_DIR: join(dir, 'usage') };
    const nats = { MAMORI_NATS_URL: TEST_NATS_URL, MAMORI_DATA_DIR: join(dir, 'usage') };
    const [help, missing, withoutNats, badRows, noFile, analyzerWithoutNats, shortRetention] = await Promise.all([
      runMamori(['telescope', 'sensor', '--help'], {}, SLOW),
      runMamori(['telescope', 'sensor'], nats, SLOW),
      runMamori(['telescope', 'sensor', captures[0].path], noNats, SLOW),
      runMamori(['telescope', 'sensor', '--rows-per-message', '0', captures[0].path], nats, SLOW),
      runMamori(['telescope', 'sensor', '--queue', 'tele-usage', join(dir, 'absent.pcap')], nats, SLOW),
      runMamori(['telescope', 'analyzer', '--until-idle', '1s'], noNats, SLOW),
      runMamori(['telescope', 'analyzer', '--ack-wait', '30s', '--applied-retention', '45s'], nats, SLOW),
    ]);
    expect(help.code).toBe(0);
    for (const text of ['--sensor-id <id>', '--queue <name>', '--follow', '--darknet <prefixes>', '--rows-per-message <n>', 'Exit codes', 'Example']) expect(help.stdout).toContain(text);
    expect(missing.code).toBe(2);
    expect(withoutNats.code).toBe(2);
    expect(withoutNats.stderr).toContain('MAMORI_NATS_URL');
    expect(badRows.code).toBe(2);
    expect(badRows.stderr).toContain('--rows-per-message');
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain('absent.pcap');
    expect(analyzerWithoutNats.code).toBe(2);
    expect(shortRetention.code).toBe(2);
    expect(shortRetention.stderr).toContain('--applied-retention');
    const bus = await NatsBus.connect(TEST_NATS_URL);
    await (await bus.queue('tele-usage')).destroy();
    await bus.close();
  }, 420_000);

  it('3 sensors into 1 analyzer store what one process stores', async () => {
    const d = await deployment();
    const a = analyzer(d.env, d.queue);
    try {
      const reports = await sensors(d.env, d.queue, 500);
      expect(reports.map((r) => r.frames)).toEqual(captures.map((c) => c.packets));
      const total = reports.reduce((n, r) => n + r.batches, 0);
      await a.waitFor(/consuming queue/, 240_000);
      await waitFor(async () => (await appliedCount(d.store)) === total, `${total} applied batches`);
      a.kill('SIGTERM');
      expect(await a.exited()).toBe(0);
      expect(JSON.parse(a.output().stdout)).toMatchObject({ queue: d.queue, applied: total, rejected: 0 });
      expect(await storedRollups(d.store)).toEqual(want);
    } finally {
      a.kill('SIGKILL');
      await d.close();
    }
  }, 600_000);

  it('an analyzer killed mid-run (SIGKILL) is replaced and the totals stay exact', async () => {
    const d = await deployment();
    let first: MamoriProcess | undefined;
    let second: MamoriProcess | undefined;
    try {
      // Small messages, so there are many and the first analyzer dies with work left.
      const reports = await sensors(d.env, d.queue, 8);
      const total = reports.reduce((n, r) => n + r.batches, 0);
      first = analyzer(d.env, d.queue, '--concurrency', '1');
      await first.waitFor(/consuming queue/, 240_000);
      await waitFor(async () => (await appliedCount(d.store)) >= 20, 'the first analyzer to merge some batches');
      first.kill('SIGKILL');
      await first.exited();
      const atKill = await appliedCount(d.store);
      expect(atKill).toBeLessThan(total);

      second = analyzer(d.env, d.queue, '--until-idle', '5s');
      expect(await second.exited()).toBe(0);
      expect(await appliedCount(d.store)).toBe(total);
      // Every batch merged once overall: what the first committed, the second did not repeat.
      expect(JSON.parse(second.output().stdout)).toMatchObject({ applied: total - atKill, rejected: 0 });
      expect(await storedRollups(d.store)).toEqual(want);
    } finally {
      first?.kill('SIGKILL');
      second?.kill('SIGKILL');
      await d.close();
    }
  }, 600_000);
});
