import type { CoreConfig } from '../config.js';
import type { Bus } from './bus.js';
import { MemoryBus } from './memory/memory-bus.js';
import { NatsBus } from './nats/nats-bus.js';

/** Opens the configured bus: NATS JetStream when `natsUrl` is set, else in-process. */
export async function openBus(config: Pick<CoreConfig, 'natsUrl'>, name?: string): Promise<Bus> {
  return config.natsUrl ? NatsBus.connect(config.natsUrl, name) : new MemoryBus();
}
