/**
 * Test support: the two back-end pairs every contract suite runs on. Each `open()` gives a
 * platform in its own SQLite file or PostgreSQL schema, so test files run in parallel
 * without seeing each other's rows; `close()` removes what it created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { MemoryBus } from './bus/memory/memory-bus.js';
import { NatsBus } from './bus/nats/nats-bus.js';
import { coreConfigSchema, type MamoriConfig } from './config.js';
import { createLogger } from './log.js';
import type { Platform } from './platform.js';
import { openPostgresStore } from './store/postgres/postgres-store.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { MigrationSet } from './store/store.js';

export const TEST_DATABASE_URL = process.env.MAMORI_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_NATS_URL = process.env.MAMORI_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestBackend {
  readonly name: 'sqlite+memory' | 'postgres+nats';
  open(options?: { migrations?: MigrationSet[] }): Promise<Platform>;
}

/** A name unique to this test run (queue names, schema names, subjects). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

function testConfig(dataDir: string, extra: Partial<MamoriConfig> = {}): MamoriConfig {
  return { ...coreConfigSchema.parse({ dataDir, log: { level: 'silent' } }), ...extra } as MamoriConfig;
}

export function testBackends(): TestBackend[] {
  return [
    {
      name: 'sqlite+memory',
      async open(options = {}) {
        const dir = mkdtempSync(join(tmpdir(), 'mamori-test-'));
        const config = testConfig(dir);
        const store = openSqliteStore(join(dir, 'mamori.db'));
        const bus = new MemoryBus();
        if (options.migrations) await store.migrate(options.migrations);
        return {
          config, store, bus, log: createLogger({ level: 'silent', pretty: false }),
          async close() {
            await bus.close();
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres+nats',
      async open(options = {}) {
        const dir = mkdtempSync(join(tmpdir(), 'mamori-test-'));
        const schema = uniqueName('t').toLowerCase();
        const config = testConfig(dir, { databaseUrl: TEST_DATABASE_URL, natsUrl: TEST_NATS_URL });
        const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 4 });
        const bus = await NatsBus.connect(TEST_NATS_URL, 'mamori-test');
        if (options.migrations) await store.migrate(options.migrations);
        return {
          config, store, bus, log: createLogger({ level: 'silent', pretty: false }),
          async close() {
            await bus.close();
            await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
}
