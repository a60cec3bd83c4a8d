/**
 * The survey's schema (part `survey`). Findings are keyed by (address, port, protocol) so a
 * re-survey updates the same row; every check of a finding is an observation row, which is
 * what the month-over-month indicators count. Credentials appear only as dictionary ids.
 */
import type { Kysely } from 'kysely';
import { autoId, type MigrationSet, type StoreDialect } from '@mamori/core';

async function init(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  await db.schema.createTable('survey_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('stats', 'text', (c) => c.notNull())
    .execute();

  await autoId(db.schema.createTable('survey_finding'), dialect)
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('credential_id', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('asn', 'bigint')
    .addColumn('isp', 'text')
    .addColumn('model', 'text')
    .addColumn('banner', 'text')
    .addColumn('first_seen', 'bigint', (c) => c.notNull())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .addColumn('evidence_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fixed_at', 'bigint')
    .addColumn('last_run_id', 'text', (c) => c.notNull())
    .addUniqueConstraint('survey_finding_service', ['address', 'port', 'protocol'])
    .execute();
  await db.schema.createIndex('survey_finding_isp').on('survey_finding').columns(['isp', 'status']).execute();

  await db.schema.createTable('survey_observation')
    .addColumn('finding_id', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_observation_pk', ['finding_id', 'run_id'])
    .execute();

  await db.schema.createTable('survey_batch')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('isp', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('items', 'integer', (c) => c.notNull())
    .execute();

  await db.schema.createTable('survey_batch_item')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('survey_batch.id'))
    .addColumn('finding_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_batch_item_pk', ['batch_id', 'finding_id'])
    .execute();
  await db.schema.createIndex('survey_batch_item_finding').on('survey_batch_item').columns(['finding_id']).execute();
}

/**
 * A survey split over worker processes: the run's definition (what every worker checks its
 * items against), which items are done, and the findings keyed so a redelivered item can
 * never add a finding twice: (run, address, port, credential key).
 */
async function distributed(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('survey_dist_run')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('items', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createTable('survey_dist_item')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addColumn('delivery', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'bigint', (c) => c.notNull())
    .addColumn('stats', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_dist_item_pk', ['run_id', 'item'])
    .execute();
  await db.schema.createTable('survey_dist_finding')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    // The pair's id, or '-' for a no-auth finding (a key column may not be NULL).
    .addColumn('credential_key', 'text', (c) => c.notNull())
    .addColumn('finding', 'text', (c) => c.notNull())
    .addColumn('worker', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_dist_finding_pk', ['run_id', 'address', 'port', 'credential_key'])
    .execute();
}

/**
 * Claims of a distributed run's items: the work queue delivers at least once (a message can
 * reach a second worker while the first still runs it), so a worker surveys an item only while
 * it holds the item's claim, a lease it renews as it goes. One row per item being run.
 */
async function claims(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('survey_dist_claim')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('survey_dist_claim_pk', ['run_id', 'item'])
    .execute();
}

export const surveyMigrations: MigrationSet = {
  part: 'survey',
  migrations: { '0001_init': { up: init }, '0002_distributed': { up: distributed }, '0003_claims': { up: claims } },
};

export interface SurveyTables {
  survey_run: { id: string; kind: string; started_at: number; finished_at: number; scope: string; stats: string };
  survey_finding: {
    id: any; address: string; port: number; protocol: string; type: string; credential_id: string | null; method: string;
    asn: number | null; isp: string | null; model: string | null; banner: string | null;
    first_seen: number; last_seen: number; evidence_at: number; status: string; fixed_at: number | null; last_run_id: string;
  };
  survey_observation: { finding_id: number; run_id: string; at: number; result: string };
  survey_batch: { id: string; isp: string; state: string; created_at: number; sent_at: number | null; acknowledged_at: number | null; items: number };
  survey_batch_item: { batch_id: string; finding_id: number };
  survey_dist_run: { id: string; created_at: number; finished_at: number | null; definition: string; items: number };
  survey_dist_item: { run_id: string; item: string; worker: string; delivery: number; started_at: number; done_at: number; stats: string };
  survey_dist_finding: { run_id: string; address: string; port: number; credential_key: string; finding: string; worker: string };
  survey_dist_claim: { run_id: string; item: string; holder: string; claimed_at: number; lease_until: number };
}
