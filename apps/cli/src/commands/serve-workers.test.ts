/**
 * `mamori serve --workers 2`: two server processes under one primary share the port, both
 * answer, and a SIGTERM to the primary ends them all. Without NATS it refuses (exit 2): the
 * in-process bus would not carry events between workers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore, TEST_DATABASE_URL, TEST_NATS_URL, uniqueName } from '@mamori/core';
import { startMamori, type MamoriProcess } from '@mamori/testbed';

const children = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
};

describe('mamori serve --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-workers-'));
  const schema = uniqueName('workers').toLowerCase();
  const started: MamoriProcess[] = [];

  afterAll(async () => {
    for (const p of started) p.kill('SIGKILL');
    const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 1 });
    await store.db.schema.dropSchema(schema).ifExists().cascade().execute().catch(() => undefined);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses more than one worker without NATS', async () => {
    const p = startMamori(['--data', join(dir, 'solo'), 'serve', '--port', '0', '--workers', '2'], { MAMORI_NATS_URL: undefined });
    started.push(p);
    expect(await p.exited()).toBe(2);
    expect(p.output().stderr).toMatch(/--workers needs NATS/);
    const bad = startMamori(['--data', join(dir, 'solo'), 'serve', '--port', '0', '--workers', '0']);
    started.push(bad);
    expect(await bad.exited()).toBe(2);
  });

  it('runs two server processes on one port, replaces one that dies, and stops them all on SIGTERM', async () => {
    const p = startMamori(['--data', join(dir, 'pair'), 'serve', '--host', '127.0.0.1', '--port', '0', '--workers', '2'], {
      MAMORI_DATABASE_URL: TEST_DATABASE_URL, MAMORI_DATABASE_SCHEMA: schema, MAMORI_NATS_URL: TEST_NATS_URL, MAMORI_HUB__AUDIT__TIME_STAMP: 'false',
    });
    started.push(p);
    await p.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+) \(worker (\d+)\)[\s\S]*listening on http:\/\/127\.0\.0\.1:\d+ \(worker (\d+)\)/, 120_000);
    const lines = [...p.output().stdout.concat(p.output().stderr).matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+) \(worker (\d+)\)/g)];
    const ports = new Set(lines.map((m) => m[1]));
    const pids = new Set(lines.map((m) => Number(m[2])));
    expect(ports.size).toBe(1); // one shared port
    expect(pids.size).toBe(2);
    expect(new Set(children(p.child.pid!))).toEqual(pids);
    const base = `http://127.0.0.1:${[...ports][0]}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/healthz`, { headers: { connection: 'close' } }).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
    const [victim, survivor] = [...pids];
    process.kill(victim, 'SIGKILL');
    const again = await p.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${[...ports][0]} \\(worker (?!${victim}\\b|${survivor}\\b)(\\d+)\\)`), 120_000);
    const replacement = Number(again[1]);
    expect(new Set(children(p.child.pid!))).toEqual(new Set([survivor, replacement]));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    p.kill('SIGTERM');
    expect(await p.exited()).toBe(0);
    for (const pid of [survivor, replacement]) expect(() => process.kill(pid, 0)).toThrow(); // the workers are gone too
  }, 180_000);
});
