/**
 * The store: one Kysely instance over SQLite (embedded default) or PostgreSQL (scale-out).
 * Parts write their queries once against Kysely; the same code runs on both back ends.
 *
 * Portability rules every part follows (so the contract suite can hold both to them):
 * times are epoch milliseconds in `bigint` columns (read back as JS numbers on both),
 * JSON is stored as `text`, booleans as integers 0/1, and ids are text (UUIDs, STIX ids)
 * or the `autoId` column below.
 */
import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreMigration {
  up(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
  down?(db: Kysely<any>, dialect: StoreDialect): Promise<void>;
}

/** A part's migrations; names sort in application order (`0001_init`, `0002_...`). */
export interface MigrationSet {
  part: string;
  migrations: Record<string, StoreMigration>;
}

export interface StoreInfo {
  dialect: StoreDialect;
  version: string;
  location: string;
}

export interface Store {
  readonly dialect: StoreDialect;
  readonly db: Kysely<any>;
  /** The same connection typed with a part's table interfaces. */
  as<DB>(): Kysely<DB>;
  /** Applies pending migrations of the given parts; returns the names applied. */
  migrate(sets: MigrationSet[]): Promise<string[]>;
  info(): Promise<StoreInfo>;
  close(): Promise<void>;
}

/** An auto-incrementing integer primary key on either dialect. */
export function autoId<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  dialect: StoreDialect,
  name = 'id',
): CreateTableBuilder<T, C | typeof name> {
  return dialect === 'postgres'
    ? table.addColumn(name, 'bigserial', (c: ColumnDefinitionBuilder) => c.primaryKey())
    : table.addColumn(name, 'integer', (c: ColumnDefinitionBuilder) => c.primaryKey().autoIncrement());
}
