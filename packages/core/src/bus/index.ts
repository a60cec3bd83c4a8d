export {
  subjectMatches, encodePayload, decodeJson,
  type Bus, type BusInfo, type BusMessage, type WorkMessage, type WorkQueue, type QueueOptions,
  type ConsumeOptions, type QueueConsumer, type Subscription, type Payload,
} from './bus.js';
export { MemoryBus } from './memory/memory-bus.js';
export { NatsBus } from './nats/nats-bus.js';
export { openBus } from './open.js';
