/**
 * The bus: publish/subscribe for events (alerts, live counters, SSE fan-out) and durable
 * work queues (survey work items, sensor records). In-process by default; NATS JetStream
 * when `natsUrl` is set. Both honour the same contract (see bus.contract.test.ts):
 *
 * - a work handler that resolves acks its message; one that throws has it redelivered;
 * - a message whose handler neither resolves nor throws within `ackWaitMs` (its consumer
 *   died) is redelivered to another consumer: none is lost;
 * - a message pushed twice with the same `id` is queued once.
 */

export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  json<T = unknown>(): T;
}

export interface WorkMessage extends BusMessage {
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** Tells the queue the handler is still alive (extends the ack deadline). */
  working(): void;
}

export type Payload = Uint8Array | string | object;

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface QueueOptions {
  /** How long a delivered message may stay unacknowledged before redelivery. Default 30 s. */
  ackWaitMs?: number;
  /** Give up after this many deliveries (the message is dropped and counted). Default: never. */
  maxDeliver?: number;
}

export interface ConsumeOptions {
  /** Handlers running at once in this consumer. Default 1. */
  concurrency?: number;
}

export interface QueueConsumer {
  /** Stops taking new messages; in-flight ones finish (or are redelivered if they never do). */
  stop(): Promise<void>;
}

export interface WorkQueue {
  readonly name: string;
  push(payload: Payload, options?: { id?: string }): Promise<void>;
  consume(handler: (msg: WorkMessage) => Promise<void>, options?: ConsumeOptions): QueueConsumer;
  /** Messages not yet acknowledged (queued or in flight). */
  pending(): Promise<number>;
  /** Removes the queue and everything in it. */
  destroy(): Promise<void>;
}

export interface BusInfo {
  kind: 'memory' | 'nats';
  location: string;
  version?: string;
  jetstream?: boolean;
}

export interface Bus {
  readonly kind: 'memory' | 'nats';
  publish(subject: string, payload: Payload): Promise<void>;
  /** NATS subject syntax: tokens separated by `.`, `*` matches one token, `>` the rest. */
  subscribe(subject: string, handler: (msg: BusMessage) => void | Promise<void>): Promise<Subscription>;
  queue(name: string, options?: QueueOptions): Promise<WorkQueue>;
  info(): Promise<BusInfo>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePayload(payload: Payload): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  return encoder.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
}

export function decodeJson<T>(data: Uint8Array): T {
  return JSON.parse(decoder.decode(data)) as T;
}

/** Queue names become NATS stream names: keep them to a safe alphabet. */
export const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}
