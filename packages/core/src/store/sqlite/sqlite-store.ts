import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { MamoriError } from '../../errors/index.js';
import { runMigrations } from '../migrator.js';
import type { MigrationSet, Store, StoreInfo } from '../store.js';

/** Embedded store: one SQLite file in WAL mode (readers never block the writer). */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (e) {
    throw new MamoriError('MAMORI_STORE_UNAVAILABLE', { dialect: 'sqlite', reason: (e as Error).message }, { cause: e });
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    dialect: 'sqlite',
    db,
    as: <DB>() => db as unknown as Kysely<DB>,
    migrate: (sets: MigrationSet[]) => runMigrations(db, 'sqlite', sets),
    async info(): Promise<StoreInfo> {
      const row = sqlite.prepare('select sqlite_version() as v').get() as { v: string };
      return { dialect: 'sqlite', version: `SQLite ${row.v}`, location: file };
    },
    close: () => db.destroy(),
  };
}
