import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, uniqueName } from '../../testing.js';
import type { Store } from '../store.js';
import { openPostgresStore } from './postgres-store.js';

describe('PostgreSQL introspection', () => {
  const schema = uniqueName('intro').toLowerCase();
  let store: Store;
  let other: pg.Client;

  beforeAll(async () => {
    store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    await sql`create table ${sql.id(schema, 'item')} (id serial primary key, name text not null, note text)`.execute(store.db);
    other = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
  });

  afterAll(async () => {
    await other.end();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
    await store.close();
  });

  it('describes the store schema only, columns in order', async () => {
    const tables = await store.db.introspection.getTables();
    expect(tables.map((t) => `${t.schema}.${t.name}`)).toEqual([`${schema}.item`]);
    expect(tables[0].columns.map((c) => [c.name, c.dataType, c.isNullable, c.isAutoIncrementing])).toEqual([
      ['id', 'int4', false, true],
      ['name', 'text', false, false],
      ['note', 'text', true, false],
    ]);
  });

  // Other processes creating, altering and dropping schemas while this store migrates is
  // what two servers or parallel test files do; the catalogue must not fail under them.
  it('keeps working while other schemas are created, altered and dropped', async () => {
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const s = `${schema}_churn${i}`;
        await other.query(`create schema ${s}; create table ${s}.t (id serial primary key)`);
        await other.query(`alter table ${s}.t add column extra int`);
        await other.query(`drop schema ${s} cascade`);
      }
    })();
    try {
      for (let i = 0; i < 200; i++) {
        const tables = await store.db.introspection.getTables({ withInternalKyselyTables: true });
        expect(tables.filter((t) => t.schema === schema).map((t) => t.name)).toEqual(['item']);
      }
    } finally {
      churning = false;
      await churn;
    }
  });
});
