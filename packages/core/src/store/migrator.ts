import { Migrator, type Kysely, type Migration } from 'kysely';
import { MamoriError } from '../errors/index.js';
import type { MigrationSet, StoreDialect } from './store.js';

/**
 * Runs every part's migrations through Kysely's Migrator. Names are `part/name`; parts are
 * independent, so a part added later may apply after another part's newer migrations.
 */
export async function runMigrations(db: Kysely<any>, dialect: StoreDialect, sets: MigrationSet[], schema?: string): Promise<string[]> {
  const all: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, m] of Object.entries(set.migrations)) {
      all[`${set.part}/${name}`] = {
        up: (d) => m.up(d, dialect),
        down: m.down ? (d) => m.down!(d, dialect) : undefined,
      };
    }
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => all },
    migrationTableName: 'mamori_migration',
    migrationLockTableName: 'mamori_migration_lock',
    allowUnorderedMigrations: true,
    // Pinned to the store's own schema: otherwise Kysely finds another schema's migration
    // tables on the search path's database and never creates its own.
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MamoriError('MAMORI_STORE_UNAVAILABLE', { dialect, reason: `migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}` }, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

