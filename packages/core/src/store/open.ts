import type { CoreConfig } from '../config.js';
import { dataPath } from '../config.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Opens the configured store: PostgreSQL when `databaseUrl` is set, else `<dataDir>/mamori.db`. */
export async function openStore(config: Pick<CoreConfig, 'dataDir' | 'databaseUrl' | 'databaseSchema'>, options: { schema?: string } = {}): Promise<Store> {
  if (config.databaseUrl) return openPostgresStore({ url: config.databaseUrl, schema: options.schema ?? config.databaseSchema });
  return openSqliteStore(dataPath(config as CoreConfig, 'mamori.db'));
}
