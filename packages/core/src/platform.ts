import { openBus } from './bus/open.js';
import type { Bus } from './bus/bus.js';
import type { MamoriConfig } from './config.js';
import { createLogger, type Logger } from './log.js';
import { openStore } from './store/open.js';
import type { MigrationSet, Store } from './store/store.js';

/** What a running command or server holds: configuration, logger, store and bus. */
export interface Platform {
  config: MamoriConfig;
  log: Logger;
  store: Store;
  bus: Bus;
  close(): Promise<void>;
}

/** Opens store and bus from configuration and applies the given parts' migrations. */
export async function openPlatform(config: MamoriConfig, options: { migrations?: MigrationSet[]; log?: Logger; name?: string } = {}): Promise<Platform> {
  const log = options.log ?? createLogger({ level: config.log.level, pretty: config.log.pretty });
  const store = await openStore(config);
  let bus: Bus;
  try {
    bus = await openBus(config, options.name);
  } catch (e) {
    await store.close();
    throw e;
  }
  if (options.migrations) await store.migrate(options.migrations);
  return {
    config, log, store, bus,
    async close() {
      await bus.close();
      await store.close();
    },
  };
}
