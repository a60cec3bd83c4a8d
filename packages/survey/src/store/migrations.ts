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

export const surveyMigrations: MigrationSet = {
  part: 'survey',
  migrations: { '0001_init': { up: init } },
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
}
