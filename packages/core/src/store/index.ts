export { autoId, type Store, type StoreDialect, type StoreInfo, type StoreMigration, type MigrationSet } from './store.js';
export { openStore } from './open.js';
export { openSqliteStore } from './sqlite/sqlite-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
