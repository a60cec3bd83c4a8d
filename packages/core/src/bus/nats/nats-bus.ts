import { connect } from '@nats-io/transport-node';
import { nanos, type NatsConnection, type Subscription as NatsSubscription } from '@nats-io/nats-core';
import {
  AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager,
  type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { MamoriError } from '../../errors/index.js';
import {
  QUEUE_NAME, decodeJson, encodePayload,
  type Bus, type BusInfo, type BusMessage, type ConsumeOptions, type Payload, type QueueConsumer,
  type QueueOptions, type Subscription, type WorkMessage, type WorkQueue,
} from '../bus.js';

/**
 * How long one pull waits for messages. Its idle heartbeats come every half of it, and the
 * client ends a pull after two missed heartbeats, unsubscribing while JetStream may still answer
 * it: that message is then lost until ack_wait. With a short pull (1 s, heartbeats every 0.5 s)
 * a late event loop or server under CPU load missed two heartbeats often enough to fail CI; at
 * 30 s a heartbeat must be ~15 s late.
 */
const PULL_EXPIRES_MS = 30_000;
/** How long stop() waits for its pulls to drain before dropping them. */
const STOP_DRAIN_MS = 2_000;

/** One outstanding pull: how many messages it may still bring. */
interface Pull {
  left: number;
  messages?: ConsumerMessages;
}

/**
 * Ends a pull without losing what JetStream already sent it: draining its subscription
 * unsubscribes and still takes what arrives before the server has the unsubscribe (the
 * consumer naks it). `sub` is the fetch's own subscription (not in the public type); without
 * it, stop() unsubscribes at once.
 */
function endPull(entry: Pull): void {
  const sub = (entry.messages as unknown as { sub?: NatsSubscription } | undefined)?.sub;
  if (sub && !sub.isClosed() && !sub.isDraining()) sub.drain().catch(() => entry.messages?.stop());
  else entry.messages?.stop();
}

/** Waits `ms`, or less if any of `until` settles first. */
async function pause(ms: number, ...until: Promise<unknown>[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((r) => { timer = setTimeout(r, ms); }), ...until]).catch(() => undefined);
  clearTimeout(timer);
}

/** Stream `MAMORI_Q_<NAME>` with work-queue retention, one shared durable pull consumer. */
class NatsWorkQueue implements WorkQueue {
  readonly stream: string;
  readonly subject: string;
  readonly durable = 'workers';

  constructor(
    readonly name: string,
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {
    this.stream = `MAMORI_Q_${name.toUpperCase().replace(/-/g, '_')}`;
    this.subject = `mamori.q.${name}`;
  }

  async ensure(options: QueueOptions): Promise<void> {
    const config = {
      name: this.stream,
      subjects: [this.subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(120_000),
    };
    try {
      await this.jsm.streams.info(this.stream);
    } catch {
      await this.jsm.streams.add(config);
    }
    const consumer = {
      durable_name: this.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      max_deliver: options.maxDeliver ?? -1,
      max_ack_pending: 10_000,
    };
    try {
      await this.jsm.consumers.info(this.stream, this.durable);
      // Only the settings this caller names: a producer that names none (a sensor pushing
      // work) must not reset the ack wait its consumers chose.
      const update = {
        ...(options.ackWaitMs !== undefined ? { ack_wait: consumer.ack_wait } : {}),
        ...(options.maxDeliver !== undefined ? { max_deliver: consumer.max_deliver } : {}),
      };
      if (Object.keys(update).length > 0) await this.jsm.consumers.update(this.stream, this.durable, update);
    } catch {
      await this.jsm.consumers.add(this.stream, consumer);
    }
  }

  async push(payload: Payload, options: { id?: string } = {}): Promise<void> {
    await this.js.publish(this.subject, encodePayload(payload), options.id !== undefined ? { msgID: options.id } : undefined);
  }

  /**
   * Pulls only for free slots: a consumer never holds more than `concurrency` messages. A
   * message pulled ahead of a free slot (consume()'s read-ahead) gets no heartbeat; past the
   * ack wait JetStream hands it to another worker while this one still holds it, and the same
   * work runs twice. Each pull asks for at most the slots free when it starts; a slot that frees
   * while older pulls still wait starts another pull, never more than the free slots in all.
   */
  consume(handler: (msg: WorkMessage) => Promise<void>, options: ConsumeOptions = {}): QueueConsumer {
    const concurrency = Math.max(1, options.concurrency ?? 1);
    const running = new Set<Promise<void>>();
    const pulls = new Set<Pull>();
    let stopped = false;
    let failures = 0;
    let onStop!: () => void;
    const stopSignal = new Promise<void>((r) => { onStop = r; });
    let wake = (): void => undefined;
    const changed = (): void => wake();
    const ended = (): boolean => stopped || this.nc.isClosed();
    const outstanding = (): number => [...pulls].reduce((n, pull) => n + pull.left, 0);
    /** The wait before retry `attempt` (0, 1, …): 0.1 s doubling to 5 s, cut short by stop() or the connection closing. */
    const backoff = (attempt: number): Promise<void> => pause(Math.min(5_000, 100 * 2 ** attempt), stopSignal, this.nc.closed());
    const wrap = (m: JsMsg): WorkMessage => ({
      subject: m.subject,
      data: m.data,
      deliveryCount: m.info.deliveryCount,
      json: <T>() => decodeJson<T>(m.data),
      working: () => m.working(),
    });
    const start = (m: JsMsg): void => {
      const p = Promise.resolve()
        .then(() => handler(wrap(m)))
        .then(() => m.ack(), () => m.nak())
        .catch(() => undefined) // ack or nak on a closed connection: JetStream redelivers after ack_wait
        .finally(() => { running.delete(p); changed(); });
      running.add(p);
    };
    // Any failure (a pull refused, the connection down or draining) is retried after a backoff:
    // a failed pull must not end the consumer. The failed pull keeps its slots while it waits.
    const pull = async (consumer: Consumer, want: number): Promise<void> => {
      const entry: Pull = { left: want };
      pulls.add(entry);
      const startedAt = Date.now();
      try {
        entry.messages = await consumer.fetch({ max_messages: want, expires: PULL_EXPIRES_MS });
        if (stopped) { entry.messages.stop(); return; } // not iterated: the pull was never sent
        for await (const m of entry.messages) {
          entry.left--;
          if (stopped) { try { m.nak(); } catch { /* redelivered after ack_wait */ } continue; }
          start(m);
        }
        // A pull that ends at once with nothing in it is a refusal, not an expiry: back off.
        if (entry.left === want && Date.now() - startedAt < PULL_EXPIRES_MS / 2) throw new Error('pull ended early');
        failures = 0;
      } catch {
        failures++;
        if (!ended()) await backoff(failures - 1);
      } finally {
        pulls.delete(entry);
        changed();
      }
    };
    const tasks = new Set<Promise<void>>();
    const loop = async (): Promise<void> => {
      let consumer: Consumer | undefined;
      for (let attempt = 0; !consumer && !ended(); attempt++) {
        consumer = await this.js.consumers.get(this.stream, this.durable).catch(async () => {
          await backoff(attempt);
          return undefined;
        });
      }
      while (consumer && !ended()) {
        const free = concurrency - running.size - outstanding();
        if (free > 0) {
          const task = pull(consumer, free).finally(() => tasks.delete(task));
          tasks.add(task);
          continue;
        }
        await new Promise<void>((r) => { wake = r; });
        // Slots that free in the same turn share one pull (a pull costs a subscription).
        await new Promise((r) => setImmediate(r));
      }
    };
    const done = loop().catch(() => undefined);
    return {
      stop: async () => {
        if (!stopped) {
          stopped = true;
          onStop();
          changed();
          for (const entry of pulls) endPull(entry);
        }
        // A drain ends within a round trip; on a dead connection it never does, so give up
        // waiting and drop the pulls (what JetStream sent them is redelivered after ack_wait).
        await pause(STOP_DRAIN_MS, Promise.all([done, ...tasks]));
        for (const entry of pulls) entry.messages?.stop();
        await done;
      },
    };
  }

  async pending(): Promise<number> {
    const info = await this.jsm.consumers.info(this.stream, this.durable);
    return info.num_pending + info.num_ack_pending;
  }

  async destroy(): Promise<void> {
    await this.jsm.streams.delete(this.stream).catch(() => undefined);
  }
}

/** The scale-out bus: core NATS for events, JetStream streams for work queues. */
export class NatsBus implements Bus {
  readonly kind = 'nats' as const;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly url: string,
  ) {}

  static async connect(url: string, name = 'mamori'): Promise<NatsBus> {
    try {
      const nc = await connect({ servers: url.split(','), name, timeout: 5000 });
      const jsm = await jetstreamManager(nc);
      return new NatsBus(nc, jetstream(nc), jsm, url);
    } catch (e) {
      throw new MamoriError('MAMORI_BUS_UNAVAILABLE', { kind: 'nats', reason: `${url}: ${(e as Error).message}` }, { cause: e });
    }
  }

  async publish(subject: string, payload: Payload): Promise<void> {
    if (this.nc.isClosed()) throw new MamoriError('MAMORI_BUS_CLOSED');
    this.nc.publish(subject, encodePayload(payload));
  }

  async subscribe(subject: string, handler: (msg: BusMessage) => void | Promise<void>): Promise<Subscription> {
    const sub = this.nc.subscribe(subject, {
      callback: (err, m) => {
        if (err) return;
        const data = m.data;
        Promise.resolve()
          .then(() => handler({ subject: m.subject, data, json: <T>() => decodeJson<T>(data) }))
          .catch(() => undefined);
      },
    });
    // A round trip guarantees the server has the interest before we return.
    await this.nc.flush();
    return { unsubscribe: async () => sub.unsubscribe() };
  }

  async queue(name: string, options: QueueOptions = {}): Promise<WorkQueue> {
    if (!QUEUE_NAME.test(name)) throw new MamoriError('MAMORI_USAGE', { reason: `bad queue name "${name}"` });
    const q = new NatsWorkQueue(name, this.nc, this.js, this.jsm);
    await q.ensure(options);
    return q;
  }

  async info(): Promise<BusInfo> {
    const account = await this.jsm.getAccountInfo();
    return {
      kind: 'nats',
      location: this.url,
      version: this.nc.info?.version,
      jetstream: account !== undefined,
    };
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
