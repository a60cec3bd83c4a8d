import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { MamoriError } from '../../errors/index.js';
import { runMigrations } from '../migrator.js';
import type { MigrationSet, Store, StoreInfo } from '../store.js';
import { cachedStatements } from './statements.js';
import { watchWal, type WalCheckpointOptions, type WalCheckpointStats } from './wal-checkpointer.js';

export interface SqliteStoreOptions {
  /** WAL checkpointing off the event loop (see wal-checkpointer.ts); `false` leaves SQLite's auto-checkpoint on. */
  walCheckpoint?: WalCheckpointOptions | false;
}

export interface SqliteStore extends Store {
  /** What the background checkpointer has done (null for `:memory:` or when it is off). */
  walCheckpointStats(): WalCheckpointStats | null;
}

/** Embedded store: one SQLite file in WAL mode (readers never block the writer). */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
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
  // 64 MiB of page cache (SQLite's default is 2 MiB): index pages of a store past a few hundred
  // thousand rows stay in memory instead of being read back through the OS on every random
  // insert. Memory is taken only as pages are used.
  sqlite.pragma('cache_size = -65536');
  // Checkpoints run on another thread's connection, never inside one of this connection's commits.
  const background = file !== ':memory:' && options.walCheckpoint !== false;
  if (background) sqlite.pragma('wal_autocheckpoint = 0');
  const checkpointer = background
    ? watchWal(file, options.walCheckpoint || {}, () => { if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000'); }, () => {
      // Not inside a transaction of this connection (Kysely's are open across awaits).
      if (!sqlite.open || sqlite.inTransaction) return false;
      const [row] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return row.busy === 0;
    })
    : null;
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  let closed = false;
  return {
    dialect: 'sqlite',
    db,
    as: <DB>() => db as unknown as Kysely<DB>,
    migrate: (sets: MigrationSet[]) => runMigrations(db, 'sqlite', sets),
    async info(): Promise<StoreInfo> {
      if (closed) throw new MamoriError('MAMORI_STORE_UNAVAILABLE', { dialect: 'sqlite', reason: 'store is closed' });
      // Through Kysely, so a destroyed store answers with an error, as readiness needs.
      const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(db);
      return { dialect: 'sqlite', version: `SQLite ${rows[0].v}`, location: file };
    },
    walCheckpointStats: () => (checkpointer ? { ...checkpointer.stats } : null),
    close: async () => {
      closed = true;
      // The worker's connection goes first, so this one is the last and folds the WAL in on close.
      await checkpointer?.close();
      await db.destroy();
    },
  };
}
