/**
 * Opens a test back end with the hub's migrations applied.
 *
 * Works around a race in core's migrator on PostgreSQL: Kysely's Migrator (no
 * `migrationTableSchema`) looks for its tables in every schema, so while another test's
 * schema holds `mamori_migration_lock` it skips creating ours and then fails with
 * "relation mamori_migration_lock does not exist". Creating the two tables in our own schema
 * first (Kysely's own DDL) sidesteps it.
 */
import { sql } from 'kysely';
import type { MigrationSet, Platform, TestBackend } from '@mamori/core';
import { hubMigrations } from '../model/migrations.js';

export async function openTestPlatform(backend: TestBackend, extra: MigrationSet[] = []): Promise<Platform> {
  const platform = await backend.open();
  try {
    if (platform.store.dialect === 'postgres') {
      await sql`create table if not exists mamori_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(platform.store.db);
      await sql`create table if not exists mamori_migration_lock (id varchar(255) not null primary key, is_locked integer not null default 0)`.execute(platform.store.db);
    }
    await platform.store.migrate([hubMigrations, ...extra]);
  } catch (e) {
    await platform.close();
    throw e;
  }
  return platform;
}
