/**
 * The flows schema (part `flows`). Rollups are keyed by (bucket, src, dst, dst port,
 * protocol) so repeated imports and collector flushes merge by upsert; every detection run
 * is kept with its ranked candidates (the newest is what the dashboard lists), and from
 * 0002 each candidate's contacting hosts are rows too, so "how many distinct hosts talked to
 * C&C candidates in this half-year" is one SQL count rather than a parse of every run's JSON.
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

/** Contacting hosts per (run, candidate), and runs findable by the traffic window they cover. */
async function candidateHosts(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  await db.schema.createTable('flows_candidate_host')
    .addColumn('run_id', 'text', (c) => c.notNull().references('flows_detection_run.id'))
    .addColumn('candidate', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('beacon', real)
    .addPrimaryKeyConstraint('flows_candidate_host_pk', ['run_id', 'candidate', 'host'])
    .execute();
  await db.schema.createIndex('flows_detection_run_window_end').on('flows_detection_run').columns(['window_end']).execute();
  // Runs saved before this migration: their hosts are in the evidence JSON (at most 50 per candidate, as shown).
  const rows = await db.selectFrom('flows_candidate').select(['run_id', 'address', 'evidence']).execute() as { run_id: string; address: string; evidence: string }[];
  for (const r of rows) {
    const hosts = (JSON.parse(r.evidence) as { hosts?: { address: string; beacon: { score: number } | null }[] }).hosts ?? [];
    const values = [...new Map(hosts.map((h) => [h.address, h])).values()]
      .map((h) => ({ run_id: r.run_id, candidate: r.address, host: h.address, beacon: h.beacon?.score ?? null }));
    if (values.length) await db.insertInto('flows_candidate_host').values(values).execute();
  }
}

export const flowsMigrations: MigrationSet = {
  part: 'flows',
  migrations: { '0001_init': { up: init }, '0002_candidate_hosts': { up: candidateHosts } },
};
