/**
 * The flows schema (part `flows`). Rollups are keyed by (bucket, src, dst, dst port,
 * protocol) so repeated imports and collector flushes merge by upsert; candidates are the
 * latest detection run's ranked list, with the run recorded beside it.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet, StoreDialect } from '@mamori/core';

async function init(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema.createTable('flows_rollup')
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('src', 'text', (c) => c.notNull())
    .addColumn('dst', 'text', (c) => c.notNull())
    .addColumn('dst_port', 'integer', (c) => c.notNull())
    .addColumn('protocol', 'integer', (c) => c.notNull())
    .addColumn('flows', 'bigint', (c) => c.notNull())
    .addColumn('packets', 'bigint', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('flows_rollup_pk', ['bucket_start', 'src', 'dst', 'dst_port', 'protocol'])
    .execute();
  await db.schema.createIndex('flows_rollup_dst').on('flows_rollup').columns(['dst', 'bucket_start']).execute();

  await db.schema.createTable('flows_exporter')
    .addColumn('exporter', 'text', (c) => c.primaryKey())
    .addColumn('counters', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('flows_detection_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('window_end', 'bigint', (c) => c.notNull())
    .addColumn('population', 'integer', (c) => c.notNull())
    .addColumn('connections', 'bigint', (c) => c.notNull())
    .addColumn('endpoints', 'integer', (c) => c.notNull())
    .addColumn('suppressed', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('flows_candidate')
    .addColumn('run_id', 'text', (c) => c.notNull().references('flows_detection_run.id'))
    .addColumn('rank', 'integer', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('score', real, (c) => c.notNull())
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('components', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('flows_candidate_pk', ['run_id', 'rank'])
    .execute();
  await db.schema.createIndex('flows_candidate_address').on('flows_candidate').columns(['address']).execute();
}

export const flowsMigrations: MigrationSet = {
  part: 'flows',
  migrations: { '0001_init': { up: init } },
};
