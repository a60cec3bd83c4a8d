export { autoId, type Store, type StoreDialect, type StoreInfo, type StoreMigration, type MigrationSet } from './store.js';
export { openStore } from './open.js';
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { walCheckpointWorkerRunning, type WalCheckpointOptions, type WalCheckpointStats } from './sqlite/wal-checkpointer.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { PREPARED_STATEMENT } from './postgres/prepared.js';
