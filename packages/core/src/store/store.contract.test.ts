/**
 * The store contract: the same tests on SQLite and on PostgreSQL. Parts rely on these
 * behaviours being identical on both back ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { autoId, testBackends, type MigrationSet, type Platform } from '../index.js';

interface Tables {
  contract_item: { id: string; n: number; at: number; body: string; flag: number };
  contract_counter: { bucket: number; port: number; packets: number };
  contract_serial: { id: import('kysely').Generated<number>; label: string };
}

const migrations: MigrationSet = {
  part: 'contract',
  migrations: {
    '0001_init': {
      async up(db, dialect) {
        await db.schema.createTable('contract_item')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('n', 'integer', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('flag', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createTable('contract_counter')
          .addColumn('bucket', 'bigint', (c) => c.notNull())
          .addColumn('port', 'integer', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('contract_counter_pk', ['bucket', 'port'])
          .execute();
        await autoId(db.schema.createTable('contract_serial'), dialect)
          .addColumn('label', 'text', (c) => c.notNull())
          .execute();
      },
    },
  },
};

const second: MigrationSet = {
  part: 'contract-b',
  migrations: {
    '0001_extra': {
      async up(db) {
        await db.schema.createIndex('contract_item_at').on('contract_item').column('at').execute();
      },
    },
  },
};

for (const backend of testBackends()) {
  describe(`store contract on ${backend.name}`, () => {
    let p: Platform;
    beforeAll(async () => { p = await backend.open(); });
    afterAll(async () => { await p?.close(); });

    it('applies migrations once, in order, and later parts on top', async () => {
      expect(await p.store.migrate([migrations])).toEqual(['contract/0001_init']);
      expect(await p.store.migrate([migrations])).toEqual([]);
      expect(await p.store.migrate([migrations, second])).toEqual(['contract-b/0001_extra']);
    });

    it('round-trips portable types: epoch-ms bigints as numbers, JSON text, integer booleans', async () => {
      const db = p.store.as<Tables>();
      const at = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
      await db.insertInto('contract_item').values({ id: 'a', n: 7, at, body: JSON.stringify({ k: 'テスト' }), flag: 1 }).execute();
      const row = await db.selectFrom('contract_item').selectAll().where('id', '=', 'a').executeTakeFirstOrThrow();
      expect(row).toEqual({ id: 'a', n: 7, at, body: '{"k":"テスト"}', flag: 1 });
      expect(typeof row.at).toBe('number');
    });

    it('merges counters additively with the same upsert on both dialects', async () => {
      const db = p.store.as<Tables>();
      const upsert = (packets: number) => db.insertInto('contract_counter')
        .values({ bucket: 1_700_000_000_000, port: 23, packets })
        .onConflict((oc) => oc.columns(['bucket', 'port']).doUpdateSet({ packets: sql`contract_counter.packets + excluded.packets` }))
        .execute();
      await upsert(5);
      await upsert(7);
      const row = await db.selectFrom('contract_counter').select('packets').executeTakeFirstOrThrow();
      expect(row.packets).toBe(12);
    });

    it('rolls back a failed transaction completely', async () => {
      const db = p.store.as<Tables>();
      await expect(db.transaction().execute(async (tx) => {
        await tx.insertInto('contract_item').values({ id: 'tx1', n: 1, at: 1, body: '{}', flag: 0 }).execute();
        await tx.insertInto('contract_item').values({ id: 'tx1', n: 2, at: 2, body: '{}', flag: 0 }).execute();
      })).rejects.toThrow();
      expect(await db.selectFrom('contract_item').select('id').where('id', '=', 'tx1').execute()).toEqual([]);
    });

    it('hands out increasing serial ids', async () => {
      const db = p.store.as<Tables>();
      const a = await db.insertInto('contract_serial').values({ label: 'x' }).returning('id').executeTakeFirstOrThrow();
      const b = await db.insertInto('contract_serial').values({ label: 'y' }).returning('id').executeTakeFirstOrThrow();
      expect(Number(b.id)).toBeGreaterThan(Number(a.id));
    });

    it('keeps text exact, injection strings included (parameters, never interpolation)', async () => {
      const db = p.store.as<Tables>();
      const evil = "'); drop table contract_item; --\u0000".replace('\u0000', '');
      await db.insertInto('contract_item').values({ id: evil, n: 0, at: 0, body: evil, flag: 0 }).execute();
      const row = await db.selectFrom('contract_item').select('body').where('id', '=', evil).executeTakeFirstOrThrow();
      expect(row.body).toBe(evil);
    });

    it('reports what it is', async () => {
      const info = await p.store.info();
      expect(info.dialect).toBe(p.store.dialect);
      expect(info.version).toMatch(p.store.dialect === 'sqlite' ? /^SQLite 3\./ : /^PostgreSQL \d+/);
    });
  });
}
