import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import Database from 'better-sqlite3';
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
  // same width, other names: the row maker follows the renamed column
  await sql`alter table t rename column b to c`.execute(db);
  expect(await all()).toEqual([{ a: 3, c: 'x' }]);
  await sql`alter table t rename column c to b`.execute(db);
  // more distinct statements than the cache holds: old ones are dropped, answers stay right
  for (let i = 0; i < 600; i++) expect((await sql<{ v: number }>`select ${sql.lit(i)} + ${i} as v`.execute(db)).rows[0].v).toBe(2 * i);
  expect(await all()).toEqual([{ a: 3, b: 'x' }]);
  // a statement streaming rows holds the connection; the same SQL after it runs again
  const streamed: unknown[] = [];
  for await (const row of db.selectFrom('t').selectAll().orderBy('a').stream()) streamed.push(row);
  expect(streamed).toEqual(await all());
});

it('reads rows exactly as better-sqlite3 makes them (odd column names, duplicates, returning, nulls, blobs)', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-sqlite-'));
  const file = join(dir, 'store.db');
  store = openSqliteStore(file);
  await sql`create table odd ("__proto__" text, "a b" integer, "x""y" real, "constructor" text, n text, data blob)`.execute(store.db);
  const inserted = await sql`insert into odd values ('p', 1, 2.5, 'c', null, x'00ff') returning "__proto__", "a b"`.execute(store.db);
  expect(inserted.rows).toEqual([{ 'a b': 1 }]);
  const queries = ['select * from odd', 'select 1 as v, 2 as v, "a b" from odd', 'select "constructor", n from odd where 0'];
  const Database = (await import('better-sqlite3')).default;
  const direct = new Database(file, { readonly: true });
  try {
    for (const q of queries) {
      const mine = (await sql.raw(q).execute(store.db)).rows;
      const theirs = direct.prepare(q).all();
      expect(mine).toEqual(theirs);
      for (const row of mine) expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    }
    expect(Object.keys((await sql.raw(queries[0]).execute(store.db)).rows[0] as object)).toEqual(['a b', 'x"y', 'constructor', 'n', 'data']);
    expect((await sql.raw('select 1 as "x""y", x\'00ff\' as data').execute(store.db)).rows).toEqual([{ 'x"y': 1, data: Buffer.from([0, 255]) }]);
  } finally {
    direct.close();
  }
});

it('takes the write lock when a transaction begins, so a second process waits instead of failing its upgrade', async () => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-sqlite-'));
  const file = join(dir, 'store.db');
  store = openSqliteStore(file);
  await sql`create table t (a integer)`.execute(store.db);
  const other = new Database(file);
  other.pragma('busy_timeout = 0');
  try {
    await store.db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      // Another connection cannot start writing while this transaction is open, even before it writes.
      expect(() => other.prepare('begin immediate').run()).toThrow(/locked|busy/i);
      await sql`insert into t values (1)`.execute(trx);
    });
    other.prepare('begin immediate').run();
    other.prepare('insert into t values (2)').run();
    other.prepare('commit').run();
    expect((await sql<{ a: number }>`select a from t order by a`.execute(store.db)).rows).toEqual([{ a: 1 }, { a: 2 }]);
  } finally {
    other.close();
  }
});
