/**
 * One global connection rate for every worker of a distributed run: a rate leader (the
 * coordinator, `survey run --distributed`) owns the run's single token bucket and hands out
 * tokens over the bus; workers ask for as many as they have connects waiting.
 *
 * Why a leader and not a bucket in a shared KV store: one bucket in one process has one
 * clock, so there is no refill arithmetic across machines whose clocks disagree, and no
 * compare-and-set retry storm when many workers want tokens at once. Every fault errs on
 * the safe side: a lost ask or grant (core NATS is at-most-once), a dead worker holding
 * tokens or a dead leader only ever make the run slower, never faster than the limit. A
 * worker keeps at most the tokens it asked for, spends them at once on connects already
 * waiting, and drops any left over after `STOCK_MS`, so the run's connects over any window
 * stay within rate × window + burst.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, Subscription } from '@mamori/core';
import type { RateGate } from '../scope/connector.js';

/** Leftover tokens a worker may keep before they lapse. */
const STOCK_MS = 1000;
/** A worker whose ask went unanswered asks again after this long. */
const REASK_MS = 250;
/** The leader's refill tick. */
const TICK_MS = 10;

const askSubject = (runId: string): string => `mamori.survey.rate.${runId}.ask`;
const grantSubject = (runId: string, worker: string): string => `mamori.survey.rate.${runId}.grant.${worker}`;

interface Ask { worker: string; want: number }

export interface RateLeader {
  /** Tokens handed out so far. */
  readonly granted: () => number;
  stop(): Promise<void>;
}

/** Serves the run's token bucket (`rate` per second, burst of a tenth of a second). */
export async function startRateLeader(bus: Bus, runId: string, rate: number): Promise<RateLeader> {
  const burst = Math.max(1, Math.ceil(rate / 10));
  let tokens = burst;
  let last = performance.now();
  let granted = 0;
  // The latest ask of each worker replaces the previous one, so a repeated ask never doubles a grant.
  const asks = new Map<string, number>();
  const sub: Subscription = await bus.subscribe(askSubject(runId), (m) => {
    const a = m.json<Ask>();
    if (typeof a?.worker !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(a.worker) || !(a.want > 0)) return;
    asks.set(a.worker, Math.min(Math.floor(a.want), burst));
  });
  const tick = setInterval(() => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
    last = now;
    // Round robin: whoever was served goes to the back of the line.
    for (const [worker, want] of [...asks]) {
      const give = Math.min(want, Math.floor(tokens));
      if (give < 1) break;
      tokens -= give;
      granted += give;
      asks.delete(worker);
      void bus.publish(grantSubject(runId, worker), { n: give }).catch(() => undefined);
    }
  }, TICK_MS);
  return {
    granted: () => granted,
    async stop() {
      clearInterval(tick);
      await sub.unsubscribe();
    },
  };
}

/** A worker's side of the shared rate: `take()` resolves once the leader has granted a token. */
export class SharedRate implements RateGate {
  readonly worker = randomUUID().replace(/-/g, '');
  private waiters: (() => void)[] = [];
  private stock = 0;
  private stockAt = 0;
  private askedAt = 0;
  private reask: NodeJS.Timeout | null = null;
  private sub: Subscription | null = null;

  private constructor(private readonly bus: Bus, private readonly runId: string) {}

  static async join(bus: Bus, runId: string): Promise<SharedRate> {
    const r = new SharedRate(bus, runId);
    r.sub = await bus.subscribe(grantSubject(runId, r.worker), (m) => r.granted(Number(m.json<{ n: number }>().n) || 0));
    return r;
  }

  take(): Promise<void> {
    if (this.stock > 0 && performance.now() - this.stockAt < STOCK_MS) {
      this.stock--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.ask();
    });
  }

  async leave(): Promise<void> {
    if (this.reask) clearTimeout(this.reask);
    await this.sub?.unsubscribe();
  }

  private ask(): void {
    if (performance.now() - this.askedAt < REASK_MS) return;
    this.askedAt = performance.now();
    void this.bus.publish(askSubject(this.runId), { worker: this.worker, want: this.waiters.length } satisfies Ask).catch(() => undefined);
    this.reask ??= setTimeout(() => {
      this.reask = null;
      if (this.waiters.length) this.ask();
    }, REASK_MS);
  }

  private granted(n: number): void {
    let left = n;
    while (left > 0 && this.waiters.length) {
      this.waiters.shift()!();
      left--;
    }
    this.stock = left;
    this.stockAt = performance.now();
    this.askedAt = 0;
    if (this.waiters.length) this.ask();
  }
}
