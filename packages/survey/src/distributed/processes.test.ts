/**
 * The distributed survey as it is deployed: a `mamori survey run --distributed` coordinator
 * and three `mamori survey worker` processes on loopback, PostgreSQL (a schema of the test's
 * own) and NATS JetStream (a queue of the test's own), against an emulated device farm in
 * this process. One worker is killed (SIGKILL) while it works on a block: that block is
 * redelivered and finished by another worker, every weak device is found exactly once, and
 * no address outside the scope or on the opt-out list is ever contacted (the farm counts
 * every connection each device receives).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { NatsBus, TEST_DATABASE_URL, TEST_NATS_URL, openPostgresStore, uniqueName, type Store } from '@mamori/core';
import { isWeak, planFarm, startFarm, startMamori, type DeviceSpec, type Farm, type MamoriProcess } from '@mamori/testbed';
import { defaultDictionary } from '../credentials.js';
import type { SurveyTables } from '../store/migrations.js';

const NET = 49;
const pairs = defaultDictionary().pairs.slice(0, 12);
const devices: DeviceSpec[] = [
  ...planFarm({ net: NET, telnet: 150, http: 150, weakShare: 0.2, dictionary: pairs, telnetPort: 2326, httpPort: 8083 }),
  // Weak, but on the opt-out list or outside the scope: must never be contacted.
  { kind: 'telnet', address: `127.${NET}.1.130`, port: 2326, credentials: [pairs[0]] },
  { kind: 'http', address: `127.${NET}.1.140`, port: 8083, credentials: [pairs[1]], auth: 'basic' },
  { kind: 'telnet', address: `127.${NET}.2.1`, port: 2326, credentials: [pairs[0]] },
];
const untouchable = new Set([`127.${NET}.1.130`, `127.${NET}.1.140`, `127.${NET}.2.1`]);
const expected = devices.filter((d) => !untouchable.has(d.address) && isWeak(d, pairs)).map((d) => `${d.address}:${d.port}`).sort();

const dir = mkdtempSync(join(tmpdir(), 'survey-processes-'));
const files = {
  scope: join(dir, 'scope.txt'),
  exclude: join(dir, 'exclude.txt'),
  dictionary: join(dir, 'dictionary.json'),
};
writeFileSync(files.scope, `# authorised\n127.${NET}.0.0/23\n`);
writeFileSync(files.exclude, `127.${NET}.1.128/26 # opt-out\n`);
writeFileSync(files.dictionary, JSON.stringify({ format: 'mamori-survey-credentials', version: 1, pairs }));

let farm: Farm;
let store: Store;
const schema = uniqueName('survey').toLowerCase();
const queue = uniqueName('survey').toLowerCase().replace(/_/g, '-');
const env = { MAMORI_DATABASE_URL: TEST_DATABASE_URL, MAMORI_DATABASE_SCHEMA: schema, MAMORI_NATS_URL: TEST_NATS_URL, MAMORI_DATA_DIR: join(dir, 'data') };

beforeAll(async () => {
  farm = await startFarm(devices);
  store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
});
afterAll(async () => {
  await farm?.close();
  const bus = await NatsBus.connect(TEST_NATS_URL);
  await (await bus.queue(queue)).destroy();
  await bus.close();
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('survey worker processes (PostgreSQL + NATS JetStream)', () => {
  it('3 workers, one killed mid-block: every weak device found exactly once, nothing outside the scope contacted', async () => {
    const common = ['--queue', queue, '--ack-wait', '4s', '--dictionary', files.dictionary];
    const workers: MamoriProcess[] = [0, 1, 2].map((i) => startMamori(['survey', 'worker', ...common, '--concurrency', '200', '--name', `worker-${i}`], env));
    let coordinator: MamoriProcess | undefined;
    try {
      await Promise.all(workers.map((w) => w.waitFor(/consuming queue/, 120_000)));
      coordinator = startMamori(['--json', 'survey', 'run', '--distributed', ...common, '--scope', files.scope, '--exclude', files.exclude,
        '--ports', '2326,8083', '--item-bits', '27', '--rate', '3000', '--per24-rate', '3000', '--banner-ms', '1000', '--reply-ms', '3000'], env);
      // Kill worker-0 while it works on a block (between taking it and committing it).
      const started = await workers[0].waitFor(/start block (\S+) of run (\S+)/, 120_000);
      workers[0].kill('SIGKILL');
      const [, killedBlock, runId] = started;
      expect(await coordinator.exited()).toBe(0);
      const summary = JSON.parse(coordinator.output().stdout) as { runId: string; findings: number; newFindings: number; items: number };
      expect(summary.runId).toBe(runId);

      const db: Kysely<SurveyTables> = store.as<SurveyTables>();
      const rows = await db.selectFrom('survey_dist_finding').select(['address', 'port', 'credential_key']).where('run_id', '=', runId).execute();
      const found = rows.map((r) => `${r.address}:${Number(r.port)}`);
      expect(new Set(found).size).toBe(found.length); // no device twice
      expect(found.sort()).toEqual(expected);
      expect(summary.findings).toBe(expected.length);
      expect(summary.newFindings).toBe(expected.length);
      expect(await db.selectFrom('survey_finding').select(['id']).execute()).toHaveLength(expected.length);

      // The killed worker's block was finished by another worker, on a redelivery.
      const items = await db.selectFrom('survey_dist_item').selectAll().where('run_id', '=', runId).execute();
      expect(items).toHaveLength(summary.items);
      const redone = items.find((r) => r.item === killedBlock)!;
      expect(redone.worker).not.toBe('worker-0');
      expect(Number(redone.delivery)).toBeGreaterThan(1);

      for (const d of devices.filter((x) => untouchable.has(x.address))) expect(farm.counters(d).connections, d.address).toBe(0);
    } finally {
      coordinator?.kill('SIGKILL');
      for (const w of workers.slice(1)) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited()));
    }
  }, 360_000);
});
