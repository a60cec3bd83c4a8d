import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { MamoriError } from '../../errors/index.js';
import { maskUrl } from '../../log.js';
import { runMigrations } from '../migrator.js';
import type { MigrationSet, Store, StoreInfo } from '../store.js';
import { preparingPool } from './prepared.js';
import { SchemaPostgresDialect } from './schema-introspector.js';

export interface PostgresStoreOptions {
  url: string;
  /** Schema to live in (created if missing); tests use one schema each. */
  schema?: string;
  poolSize?: number;
}

// int8 and numeric come back as JS numbers: mamori keeps epoch milliseconds and counters
// in bigint columns, all far below 2^53.
const types = {
  getTypeParser(oid: number, format?: any) {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/**
 * `create schema if not exists` is not atomic: two processes starting at once (two servers
 * on one database) can both pass the check and one fails on the catalogue's unique index.
 * The schema existing afterwards is all that matters.
 */
async function createSchema(client: pg.PoolClient, schema: string): Promise<void> {
  try {
    await client.query(`create schema if not exists ${schema}`);
  } catch (e) {
    const { rowCount } = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (!rowCount) throw e;
  }
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema;
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new MamoriError('MAMORI_CONFIG_INVALID', { field: 'schema', reason: 'must be a lower-case SQL identifier' });
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types: types as any,
    options: schema ? `-c search_path=${schema}` : undefined,
  });
  try {
    const client = await pool.connect();
    try {
      if (schema) await createSchema(client, schema);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new MamoriError('MAMORI_STORE_UNAVAILABLE', { dialect: 'postgres', reason: `${maskUrl(options.url)}: ${(e as Error).message}` }, { cause: e });
  }
  const db = new Kysely<any>({ dialect: new SchemaPostgresDialect({ pool: preparingPool(pool) }, schema ?? 'public') });
  let closed = false;
  return {
    dialect: 'postgres',
    db,
    as: <DB>() => db as unknown as Kysely<DB>,
    migrate: (sets: MigrationSet[]) => runMigrations(db, 'postgres', sets, schema ?? 'public'),
    async info(): Promise<StoreInfo> {
      if (closed) throw new MamoriError('MAMORI_STORE_UNAVAILABLE', { dialect: 'postgres', reason: 'store is closed' });
      const { rows } = await sql<{ v: string }>`select version() as v`.execute(db);
      return { dialect: 'postgres', version: rows[0].v.split(' on ')[0], location: maskUrl(options.url) + (schema ? ` (schema ${schema})` : '') };
    },
    close: async () => {
      closed = true;
      await db.destroy();
    },
  };
}
