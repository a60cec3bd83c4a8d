import { connect } from '@nats-io/transport-node';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { MamoriError } from '../../errors/index.js';
import {
  QUEUE_NAME, decodeJson, encodePayload,
  type Bus, type BusInfo, type BusMessage, type ConsumeOptions, type Payload, type QueueConsumer,
  type QueueOptions, type Subscription, type WorkMessage, type WorkQueue,
} from '../bus.js';

/** Stream `MAMORI_Q_<NAME>` with work-queue retention, one shared durable pull consumer. */
class NatsWorkQueue implements WorkQueue {
  readonly stream: string;
  readonly subject: string;
  readonly durable = 'workers';

  constructor(readonly name: string, private readonly js: JetStreamClient, private readonly jsm: JetStreamManager) {
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

  consume(handler: (msg: WorkMessage) => Promise<void>, options: ConsumeOptions = {}): QueueConsumer {
    const concurrency = Math.max(1, options.concurrency ?? 1);
    let messages: ConsumerMessages | undefined;
    let stopped = false;
    let onStop!: () => void;
    const stopSignal = new Promise<void>((r) => { onStop = r; });
    const running = new Set<Promise<void>>();
    const wrap = (m: JsMsg): WorkMessage => ({
      subject: m.subject,
      data: m.data,
      deliveryCount: m.info.deliveryCount,
      json: <T>() => decodeJson<T>(m.data),
      working: () => m.working(),
    });
    const loop = async (): Promise<void> => {
      const consumer = await this.js.consumers.get(this.stream, this.durable);
      if (stopped) return;
      messages = await consumer.consume({ max_messages: concurrency });
      for await (const m of messages) {
        if (stopped) break; // not acked: JetStream redelivers after ack_wait
        const p = handler(wrap(m)).then(() => m.ack(), () => m.nak()).finally(() => running.delete(p));
        running.add(p);
        // A handler that never settles (its worker hung) must not keep stop() waiting.
        while (running.size >= concurrency && !stopped) await Promise.race([...running, stopSignal]);
      }
    };
    const done = loop().catch(() => undefined);
    return {
      stop: async () => {
        stopped = true;
        onStop();
        messages?.stop();
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
    const q = new NatsWorkQueue(name, this.js, this.jsm);
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
