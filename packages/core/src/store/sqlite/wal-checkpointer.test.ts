import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import { walCheckpointWorkerRunning } from './wal-checkpointer.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(options: Parameters<typeof openSqliteStore>[1] = { walCheckpoint: { thresholdBytes: 64 * 1024, intervalMs: 20, idleMs: 300 } }): { store: SqliteStore; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-wal-'));
  dirs.push(dir);
  const file = join(dir, 'store.db');
  const store = openSqliteStore(file, options);
  stores.push(store);
  return { store, file };
}

const walSize = (file: string): number => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

/** Writes `batches` transactions of about 100 KB each, yielding to the event loop between them. */
async function write(store: SqliteStore, batches: number): Promise<void> {
  await sql`create table if not exists blob (id integer primary key, body text)`.execute(store.db);
  const body = 'x'.repeat(10_000);
  for (let b = 0; b < batches; b++) {
    await store.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 10; i++) await sql`insert into blob (body) values (${body})`.execute(trx);
    });
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('SQLite WAL checkpoints off the event loop', () => {
  it('keeps the WAL bounded under writes and truncates it once idle, with auto-checkpoint off on the store connection', async () => {
    const { store, file } = open();
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    expect(rows[0].wal_autocheckpoint).toBe(0);
    await write(store, 200); // about 20 MB written through a WAL whose threshold is 64 KB
    // the worker truncates the file before its answer reaches this thread: wait for both
    await vi.waitFor(() => {
      expect(walSize(file)).toBe(0);
      expect(store.walCheckpointStats()!.truncate).toBeGreaterThan(0);
    }, { timeout: 20_000, interval: 50 });
    expect(store.walCheckpointStats()!.errors).toBe(0);
    // everything written is in the database file itself now
    expect(statSync(file).size).toBeGreaterThan(2_000_000);
    const n = await sql<{ n: number }>`select count(*) as n from blob`.execute(store.db);
    expect(Number(n.rows[0].n)).toBe(2000);
  }, 60_000);

  it('bounds the WAL under writes that never pause (PASSIVE alone never lets SQLite start it over)', async () => {
    const { store, file } = open({ walCheckpoint: { thresholdBytes: 64 * 1024, intervalMs: 10, idleMs: 60_000, limitBytes: 2 * 1024 * 1024 } });
    await sql`create table blob (id integer primary key, body text)`.execute(store.db);
    const body = 'x'.repeat(10_000);
    let largest = 0;
    for (let b = 0; b < 600; b++) { // about 60 MB, yielding only to let the watcher's timer run
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 10; i++) await sql`insert into blob (body) values (${body})`.execute(trx);
      });
      if (b % 5 === 0) await new Promise((r) => setImmediate(r));
      largest = Math.max(largest, walSize(file));
    }
    expect(store.walCheckpointStats()!.forced).toBeGreaterThan(0);
    expect(store.walCheckpointStats()!.errors).toBe(0);
    expect(largest).toBeLessThan(30_000_000); // without the limit it reaches the ~60 MB written
    const n = await sql<{ n: number }>`select count(*) as n from blob`.execute(store.db);
    expect(Number(n.rows[0].n)).toBe(6000);
  }, 60_000);

  it('starts no worker for a store whose WAL stays small', async () => {
    const { store } = open({ walCheckpoint: { thresholdBytes: 64 * 1024 * 1024, intervalMs: 10 } });
    await write(store, 5);
    await new Promise((r) => setTimeout(r, 100));
    expect(walCheckpointWorkerRunning()).toBe(false);
    expect(store.walCheckpointStats()).toEqual({ passive: 0, truncate: 0, busy: 0, errors: 0, forced: 0 });
  });

  it('shares one worker between stores and stops it when the last store closes', async () => {
    const a = open();
    const b = open();
    await write(a.store, 20);
    await write(b.store, 20);
    await vi.waitFor(() => {
      expect(a.store.walCheckpointStats()!.passive + a.store.walCheckpointStats()!.truncate).toBeGreaterThan(0);
      expect(b.store.walCheckpointStats()!.passive + b.store.walCheckpointStats()!.truncate).toBeGreaterThan(0);
    }, { timeout: 20_000, interval: 20 });
    expect(walCheckpointWorkerRunning()).toBe(true);
    await a.store.close();
    expect(walCheckpointWorkerRunning()).toBe(true);
    await b.store.close();
    expect(walCheckpointWorkerRunning()).toBe(false);
    // the store connection closed last, so SQLite folded the WAL in and removed it
    expect(existsSync(`${b.file}-wal`)).toBe(false);
  }, 60_000);

  it('leaves SQLite\'s auto-checkpoint on when asked to, and for :memory:', async () => {
    const { store } = open({ walCheckpoint: false });
    const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
    expect(rows[0].wal_autocheckpoint).toBe(1000);
    expect(store.walCheckpointStats()).toBeNull();
    const memory = openSqliteStore(':memory:');
    stores.push(memory);
    expect(memory.walCheckpointStats()).toBeNull();
  });
});
