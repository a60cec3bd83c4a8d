/** The `mamori` binary as users run it: a child process, exit codes, --json. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '@mamori/core';
import { runMamori } from '@mamori/testbed';

const mamori = runMamori;

describe('mamori CLI', () => {
  const data = mkdtempSync(join(tmpdir(), 'mamori-cli-'));

  it('prints its version and help, exit 0', async () => {
    const v = await mamori(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await mamori(['--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Exit codes');
  });

  it('exits 2 on usage errors', async () => {
    expect((await mamori(['no-such-verb'])).code).toBe(2);
    expect((await mamori(['migrate', '--no-such-flag'])).code).toBe(2);
  });

  it('migrates the embedded store, then has nothing left to apply', async () => {
    const first = await mamori(['--json', '--data', data, 'migrate']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ dialect: 'sqlite' });
    const second = await mamori(['--json', '--data', data, 'migrate']);
    expect(JSON.parse(second.stdout)).toEqual({ dialect: 'sqlite', applied: [] });
  });

  it('doctor reports both back ends as JSON', async () => {
    const r = await mamori(['--json', '--data', data, 'doctor', '--pg', TEST_DATABASE_URL]);
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.stdout) as { check: string; ok: boolean; detail: string }[];
    const by = Object.fromEntries(checks.map((c) => [c.check, c]));
    expect(by['store (configured)']).toMatchObject({ ok: true, detail: expect.stringMatching(/^SQLite/) });
    expect(by['store (PostgreSQL scale-out)']).toMatchObject({ ok: true, detail: expect.stringMatching(/^PostgreSQL/) });
    expect(by['bus (NATS JetStream scale-out)']).toMatchObject({ ok: true, detail: expect.stringContaining('JetStream on') });
  });

  it('exits 1 with a clear message when the configured store is unreachable', async () => {
    const r = await mamori(['--data', data, 'migrate'], { MAMORI_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/store unavailable \(postgres\).*MAMORI_STORE_UNAVAILABLE/);
  });

  it('exits 1 naming the bad configuration key', async () => {
    const r = await mamori(['--json', '--data', data, 'migrate'], { MAMORI_PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'MAMORI_CONFIG_INVALID', details: { field: 'server.port' } });
  });
});
