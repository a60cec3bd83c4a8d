import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

let store: SqliteStore | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('reuses prepared statements and still sees schema changes and fresh data', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-sqlite-'));
  store = openSqliteStore(join(dir, 'store.db'));
  const db = store.db;
  await sql`create table t (a integer)`.execute(db);
  const all = () => db.selectFrom('t').selectAll().orderBy('a').execute();
  await db.insertInto('t').values({ a: 1 }).execute();
  expect(await all()).toEqual([{ a: 1 }]);
  await db.insertInto('t').values({ a: 2 }).execute();
  expect(await all()).toEqual([{ a: 1 }, { a: 2 }]);
  // the cached `select *` is prepared again by SQLite after the table changes shape
  await sql`drop table t`.execute(db);
  await sql`create table t (a integer, b text)`.execute(db);
  await db.insertInto('t').values({ a: 3, b: 'x' }).execute();
  expect(await all()).toEqual([{ a: 3, b: 'x' }]);
  // more distinct statements than the cache holds: old ones are dropped, answers stay right
  for (let i = 0; i < 600; i++) expect((await sql<{ v: number }>`select ${sql.lit(i)} + ${i} as v`.execute(db)).rows[0].v).toBe(2 * i);
  expect(await all()).toEqual([{ a: 3, b: 'x' }]);
  // a statement streaming rows holds the connection; the same SQL after it runs again
  const streamed: unknown[] = [];
  for await (const row of db.selectFrom('t').selectAll().orderBy('a').stream()) streamed.push(row);
  expect(streamed).toEqual(await all());
});
