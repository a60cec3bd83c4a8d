/**
 * The hub's schema (part `hub`, names 0001–0099; STIX/TAXII uses part `hub-stix`).
 * The same statements run on SQLite and PostgreSQL; the audit log is made append-only by
 * triggers on both.
 */
import { sql, type Kysely } from 'kysely';
import { autoId, type MigrationSet, type StoreDialect } from '@mamori/core';
import { SECTORS } from './sectors.js';
import { GENESIS_HASH } from '../audit/chain.js';

async function init(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema.createTable('hub_sector')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name_ja', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .execute();
  await db.insertInto('hub_sector').values(SECTORS.map((s) => ({ id: s.id, name_ja: s.ja, name_en: s.en }))).execute();

  await db.schema.createTable('hub_org')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('sector', 'text', (c) => c.references('hub_sector.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('hub_group')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sector', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createTable('hub_group_member')
    .addColumn('group_id', 'text', (c) => c.notNull().references('hub_group.id'))
    .addColumn('org_id', 'text', (c) => c.notNull().references('hub_org.id'))
    .addPrimaryKeyConstraint('hub_group_member_pk', ['group_id', 'org_id'])
    .execute();
  await db.schema.createIndex('hub_group_member_org').on('hub_group_member').columns(['org_id']).execute();

  await db.schema.createTable('hub_user')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('hub_org.id'))
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.createTable('hub_token')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('hub_user.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('hub_token_user').on('hub_token').columns(['user_id']).execute();

  await autoId(db.schema.createTable('hub_report'), dialect, 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('owner_org_id', 'text', (c) => c.notNull().references('hub_org.id'))
    .addColumn('author_user_id', 'text', (c) => c.notNull().references('hub_user.id'))
    .addColumn('sector', 'text', (c) => c.notNull().references('hub_sector.id'))
    .addColumn('affected_service', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('impact', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('sharing', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('timeline', 'text', (c) => c.notNull())
    .addColumn('indicators', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint')
    .addColumn('detected_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('anonymised', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // The feed's index: one row per (audience key, report); a page is a descending range scan per key.
  await db.schema.createTable('hub_report_audience')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('report_seq', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('hub_report_audience_pk', ['key', 'report_seq'])
    .execute();
  await db.schema.createIndex('hub_report_audience_seq').on('hub_report_audience').columns(['report_seq']).execute();

  await db.schema.createTable('hub_indicator')
    .addColumn('report_seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_indicator_value').on('hub_indicator').columns(['value', 'report_seq']).execute();
  await db.schema.createIndex('hub_indicator_seq').on('hub_indicator').columns(['report_seq']).execute();

  await autoId(db.schema.createTable('hub_report_history'), dialect)
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_report_history_report').on('hub_report_history').columns(['report_id', 'version']).execute();

  for (const t of ['hub_comment', 'hub_attachment'] as const) {
    let b = db.schema.createTable(t)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('author_user_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('tlp', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull());
    b = t === 'hub_comment'
      ? b.addColumn('body', 'text', (c) => c.notNull())
      : b.addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content', sql.raw(blob) as any, (c) => c.notNull());
    await b.addColumn('created_at', 'bigint', (c) => c.notNull()).execute();
    await db.schema.createIndex(`${t}_report`).on(t).columns(['report_id']).execute();
  }

  await autoId(db.schema.createTable('hub_receipt'), dialect)
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('recipient_org_id', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('delivered_report_id', 'text', (c) => c.notNull())
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_receipt_report').on('hub_receipt').columns(['report_id']).execute();

  await db.schema.createTable('hub_relay')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source_report_id', 'text', (c) => c.notNull())
    .addColumn('relayed_report_id', 'text', (c) => c.notNull())
    .addColumn('by_user_id', 'text', (c) => c.notNull())
    .addColumn('anonymised', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_relay_source').on('hub_relay').columns(['source_report_id']).execute();

  await autoId(db.schema.createTable('hub_audit'), dialect, 'seq')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('org_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('tlp', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('hub_audit_checkpoint')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('stamp', 'text')
    .addColumn('stamp_kind', 'text')
    .execute();
  if (dialect === 'postgres') {
    await sql`create function hub_audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'hub audit log is append-only'; end $$`.execute(db);
    await sql`create trigger hub_audit_no_update before update or delete on hub_audit
      for each row execute function hub_audit_append_only()`.execute(db);
  } else {
    await sql`create trigger hub_audit_no_update before update on hub_audit
      begin select raise(abort, 'hub audit log is append-only'); end`.execute(db);
    await sql`create trigger hub_audit_no_delete before delete on hub_audit
      begin select raise(abort, 'hub audit log is append-only'); end`.execute(db);
  }

  await db.schema.createTable('hub_subscription')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('hub_user.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('sectors', 'text', (c) => c.notNull())
    .addColumn('min_severity', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await autoId(db.schema.createTable('hub_outbox'), dialect)
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('hub_outbox_due').on('hub_outbox').columns(['status', 'next_at']).execute();

  await db.schema.createTable('hub_oncall')
    .addColumn('position', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('hub_user.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('hub_page')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('next_escalation_at', 'bigint', (c) => c.notNull())
    .addColumn('acked_by', 'text')
    .addColumn('acked_at', 'bigint')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('hub_page_due').on('hub_page').columns(['status', 'next_escalation_at']).execute();
}

/** Failed logins per source network (IPv4 address or IPv6 /64), shared by every server. */
async function loginThrottle(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('hub_login_throttle')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint')
    .execute();
}

/**
 * The feed reads each audience key's newest rows through the primary key (key, report_seq).
 * With a plain (report_seq) index beside it, PostgreSQL preferred scanning that backwards and
 * checking each row's key in the table for common keys (`all`): fine while the newest rows
 * carry the key, thousands of table reads per page once the newest reports were restricted
 * ones. Carrying the key in the second index removes both the table reads and, in practice,
 * the planner's preference for it. Deletes by report still use its leading column.
 */
async function audienceSeqKey(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('hub_report_audience_seq').execute();
  await db.schema.createIndex('hub_report_audience_seq_key').on('hub_report_audience').columns(['report_seq', 'key']).execute();
}

/**
 * The audit chain's head (last seq and hash) in a one-row table that a trigger advances on
 * every insert. An append then locks and reads that row in one statement (`for update` on
 * PostgreSQL) instead of taking an advisory lock and reading the newest entry: one round
 * trip fewer per append, and `verifyAudit` can tell a cut-off tail from a complete log.
 */
async function auditHead(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  await db.schema.createTable('hub_audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  const last = await db.selectFrom('hub_audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  await db.insertInto('hub_audit_head').values({ id: 1, seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH }).execute();
  if (dialect === 'postgres') {
    await sql`create function hub_audit_advance_head() returns trigger language plpgsql as $$
      begin
        update hub_audit_head set (seq, hash) = (select seq, hash from added order by seq desc limit 1) where id = 1;
        return null;
      end $$`.execute(db);
    await sql`create trigger hub_audit_head_advance after insert on hub_audit
      referencing new table as added for each statement execute function hub_audit_advance_head()`.execute(db);
  } else {
    await sql`create trigger hub_audit_head_advance after insert on hub_audit
      begin update hub_audit_head set seq = new.seq, hash = new.hash where id = 1; end`.execute(db);
  }
}

/**
 * PostgreSQL: a statement trigger fires even when the insert added no rows, and 0004's
 * function then set the head to nulls (a not-null violation). The read-audit append inserts
 * nothing when another server moved the head, so an empty insert must leave the head alone.
 */
async function auditHeadEmptyInsert(db: Kysely<any>, dialect: StoreDialect): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`create or replace function hub_audit_advance_head() returns trigger language plpgsql as $$
    begin
      update hub_audit_head set (seq, hash) = (select seq, hash from added order by seq desc limit 1)
        where id = 1 and exists (select 1 from added);
      return null;
    end $$`.execute(db);
}

export const hubMigrations: MigrationSet = {
  part: 'hub',
  migrations: {
    '0001_init': { up: init },
    '0002_login_throttle': { up: loginThrottle },
    '0003_audience_seq_key': { up: audienceSeqKey },
    '0004_audit_head': { up: auditHead },
    '0005_audit_head_empty_insert': { up: auditHeadEmptyInsert },
  },
};
