import { MamoriError } from '../../errors/index.js';
import {
  QUEUE_NAME, decodeJson, encodePayload, subjectMatches,
  type Bus, type BusInfo, type BusMessage, type ConsumeOptions, type Payload, type QueueConsumer,
  type QueueOptions, type Subscription, type WorkMessage, type WorkQueue,
} from '../bus.js';

interface Entry {
  seq: number;
  id?: string;
  data: Uint8Array;
  deliveries: number;
}

interface Waiter {
  deliver(entry: Entry): void;
}

/** An in-process work queue with the same ack/redelivery semantics as a JetStream work queue. */
class MemoryWorkQueue implements WorkQueue {
  private readonly ready: Entry[] = [];
  private readonly inFlight = new Map<number, { entry: Entry; timer: NodeJS.Timeout }>();
  private readonly ids = new Set<string>();
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  dropped = 0;

  constructor(readonly name: string, private readonly options: Required<QueueOptions>) {}

  async push(payload: Payload, options: { id?: string } = {}): Promise<void> {
    if (options.id !== undefined) {
      if (this.ids.has(options.id)) return;
      this.ids.add(options.id);
    }
    this.offer({ seq: ++this.seq, id: options.id, data: encodePayload(payload), deliveries: 0 });
  }

  private offer(entry: Entry): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.deliver(entry);
    else this.ready.push(entry);
  }

  private take(waiter: Waiter): void {
    const entry = this.ready.shift();
    if (entry) waiter.deliver(entry);
    else this.waiters.push(waiter);
  }

  private arm(entry: Entry): void {
    const timer = setTimeout(() => this.expire(entry.seq), this.options.ackWaitMs);
    timer.unref?.();
    this.inFlight.set(entry.seq, { entry, timer });
  }

  private expire(seq: number): void {
    const f = this.inFlight.get(seq);
    if (!f) return;
    this.inFlight.delete(seq);
    this.requeue(f.entry);
  }

  private requeue(entry: Entry): void {
    if (this.options.maxDeliver > 0 && entry.deliveries >= this.options.maxDeliver) {
      this.dropped++;
      if (entry.id !== undefined) this.ids.delete(entry.id);
      return;
    }
    this.offer(entry);
  }

  /** Settles a delivery once; a late ack after redelivery is ignored, as in JetStream. */
  private settle(entry: Entry, deliveries: number, ok: boolean): void {
    const f = this.inFlight.get(entry.seq);
    if (!f || entry.deliveries !== deliveries) return;
    clearTimeout(f.timer);
    this.inFlight.delete(entry.seq);
    if (!ok) this.requeue(entry);
  }

  consume(handler: (msg: WorkMessage) => Promise<void>, options: ConsumeOptions = {}): QueueConsumer {
    const concurrency = Math.max(1, options.concurrency ?? 1);
    let stopped = false;
    const running = new Set<Promise<void>>();
    const waiters: Waiter[] = [];
    const loop = (): void => {
      if (stopped) return;
      const waiter: Waiter = {
        deliver: (entry) => {
          if (stopped) { this.offer(entry); return; }
          entry.deliveries++;
          const deliveries = entry.deliveries;
          this.arm(entry);
          const msg: WorkMessage = {
            subject: this.name,
            data: entry.data,
            deliveryCount: deliveries,
            json: <T>() => decodeJson<T>(entry.data),
            working: () => {
              const f = this.inFlight.get(entry.seq);
              if (f && entry.deliveries === deliveries) f.timer.refresh();
            },
          };
          const p = Promise.resolve()
            .then(() => handler(msg))
            .then(() => this.settle(entry, deliveries, true), () => this.settle(entry, deliveries, false))
            .finally(() => { running.delete(p); loop(); });
          running.add(p);
        },
      };
      waiters.push(waiter);
      this.take(waiter);
    };
    for (let i = 0; i < concurrency; i++) loop();
    return {
      stop: async () => {
        stopped = true;
        for (const w of waiters) {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
        }
      },
    };
  }

  async pending(): Promise<number> {
    return this.ready.length + this.inFlight.size;
  }

  async destroy(): Promise<void> {
    for (const f of this.inFlight.values()) clearTimeout(f.timer);
    this.inFlight.clear();
    this.ready.length = 0;
    this.waiters.length = 0;
  }
}

/** The in-process bus: everything lives in this process; nothing survives a restart. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly subs = new Set<{ pattern: string; handler: (m: BusMessage) => void | Promise<void> }>();
  private readonly queues = new Map<string, MemoryWorkQueue>();
  private closed = false;

  async publish(subject: string, payload: Payload): Promise<void> {
    if (this.closed) throw new MamoriError('MAMORI_BUS_CLOSED');
    const data = encodePayload(payload);
    const msg: BusMessage = { subject, data, json: <T>() => decodeJson<T>(data) };
    for (const s of this.subs) {
      if (!subjectMatches(s.pattern, subject)) continue;
      // Deliver asynchronously, as a network bus would; a failing handler hurts no one else.
      queueMicrotask(() => { Promise.resolve().then(() => s.handler(msg)).catch(() => undefined); });
    }
  }

  async subscribe(subject: string, handler: (msg: BusMessage) => void | Promise<void>): Promise<Subscription> {
    const sub = { pattern: subject, handler };
    this.subs.add(sub);
    return { unsubscribe: async () => { this.subs.delete(sub); } };
  }

  async queue(name: string, options: QueueOptions = {}): Promise<WorkQueue> {
    if (!QUEUE_NAME.test(name)) throw new MamoriError('MAMORI_USAGE', { reason: `bad queue name "${name}"` });
    let q = this.queues.get(name);
    if (!q) {
      q = new MemoryWorkQueue(name, { ackWaitMs: options.ackWaitMs ?? 30_000, maxDeliver: options.maxDeliver ?? -1 });
      this.queues.set(name, q);
    }
    return q;
  }

  async info(): Promise<BusInfo> {
    return { kind: 'memory', location: 'in-process' };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.clear();
    for (const q of this.queues.values()) await q.destroy();
  }
}
