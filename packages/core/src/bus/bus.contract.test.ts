/**
 * The bus contract: the same tests on the in-process bus and on NATS JetStream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, uniqueName, type BusMessage, type Platform, type WorkMessage } from '../index.js';

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const backend of testBackends()) {
  describe(`bus contract on ${backend.name}`, () => {
    let p: Platform;
    beforeAll(async () => { p = await backend.open(); });
    afterAll(async () => { await p?.close(); });

    it('delivers published events to matching wildcard subscribers only', async () => {
      const root = uniqueName('contract').replace(/_/g, '-');
      const got: string[] = [];
      const all = deferred();
      const s1 = await p.bus.subscribe(`${root}.telescope.*`, (m: BusMessage) => { got.push(`star:${m.subject}:${m.json<{ n: number }>().n}`); if (got.length === 3) all.resolve(); });
      const s2 = await p.bus.subscribe(`${root}.>`, (m: BusMessage) => { got.push(`tail:${m.subject}`); if (got.length === 3) all.resolve(); });
      await p.bus.publish(`${root}.telescope.alert`, { n: 1 });
      await p.bus.publish(`${root}.hub.report.new`, { n: 2 });
      await p.bus.publish(`other.telescope.alert`, { n: 3 });
      await all.promise;
      await new Promise((r) => setTimeout(r, 50));
      expect(got.sort()).toEqual([`star:${root}.telescope.alert:1`, `tail:${root}.hub.report.new`, `tail:${root}.telescope.alert`].sort());
      await s1.unsubscribe();
      await s2.unsubscribe();
    });

    it('hands each queued message to exactly one of several consumers', async () => {
      const q = await p.bus.queue(uniqueName('q').toLowerCase(), { ackWaitMs: 5_000 });
      const seen: number[] = [];
      const c1 = q.consume(async (m) => { seen.push(m.json<{ i: number }>().i); }, { concurrency: 4 });
      const c2 = q.consume(async (m) => { seen.push(m.json<{ i: number }>().i); }, { concurrency: 4 });
      for (let i = 0; i < 50; i++) await q.push({ i });
      await until(() => seen.length >= 50);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
      await c1.stop();
      await c2.stop();
      await until(async () => (await q.pending()) === 0);
      await q.destroy();
    });

    it('runs each message once when handlers outlast the ack wait: a consumer holds no more than its free slots', async () => {
      const q = await p.bus.queue(uniqueName('q').toLowerCase(), { ackWaitMs: 1_000 });
      const runs: { consumer: string; i: number; delivery: number }[] = [];
      // A job longer than the ack wait that keeps its own message alive, as survey workers do.
      // A message pulled ahead of a free slot cannot be kept alive: past the ack wait it goes
      // to the other consumer while the first still holds it, and runs twice.
      const slow = (consumer: string) => async (m: WorkMessage): Promise<void> => {
        runs.push({ consumer, i: m.json<{ i: number }>().i, delivery: m.deliveryCount });
        for (let t = 0; t < 6; t++) { m.working(); await new Promise((r) => setTimeout(r, 300)); }
      };
      for (let i = 0; i < 12; i++) await q.push({ i });
      const c1 = q.consume(slow('c1'), { concurrency: 3 });
      const c2 = q.consume(slow('c2'), { concurrency: 3 });
      await until(async () => runs.length >= 12 && (await q.pending()) === 0, 30_000);
      await c1.stop();
      await c2.stop();
      expect(runs.map((r) => r.i).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      expect(runs.filter((r) => r.delivery !== 1)).toEqual([]);
      expect(new Set(runs.map((r) => r.consumer))).toEqual(new Set(['c1', 'c2']));
      await q.destroy();
    }, 40_000);

    it('redelivers a message whose consumer died mid-message: none lost', async () => {
      const q = await p.bus.queue(uniqueName('q').toLowerCase(), { ackWaitMs: 1_000 });
      const started = deferred();
      // The first consumer takes the message and never finishes it: it has died.
      const dying = q.consume(async () => { started.resolve(); await new Promise(() => undefined); });
      await q.push({ job: 'survey-chunk-7' });
      await started.promise;
      await dying.stop();
      const done = deferred<WorkMessage>();
      const survivor = q.consume(async (m) => { done.resolve(m); });
      const m = await done.promise;
      expect(m.json()).toEqual({ job: 'survey-chunk-7' });
      expect(m.deliveryCount).toBe(2);
      await survivor.stop();
      await until(async () => (await q.pending()) === 0);
      await q.destroy();
    });

    it('redelivers after a handler fails, and acks after it succeeds', async () => {
      const q = await p.bus.queue(uniqueName('q').toLowerCase(), { ackWaitMs: 5_000 });
      const counts: number[] = [];
      const ok = deferred();
      const c = q.consume(async (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount < 3) throw new Error('transient');
        ok.resolve();
      });
      await q.push('retry me');
      await ok.promise;
      expect(counts).toEqual([1, 2, 3]);
      await c.stop();
      await until(async () => (await q.pending()) === 0);
      await q.destroy();
    });

    it('queues a message pushed twice with the same id once', async () => {
      const q = await p.bus.queue(uniqueName('q').toLowerCase(), { ackWaitMs: 5_000 });
      await q.push({ a: 1 }, { id: 'work-1' });
      await q.push({ a: 1 }, { id: 'work-1' });
      await q.push({ a: 2 }, { id: 'work-2' });
      expect(await q.pending()).toBe(2);
      await q.destroy();
    });

    it('rejects unsafe queue names', async () => {
      await expect(p.bus.queue('Bad Name!')).rejects.toThrow(/bad queue name/);
    });
  });
}
