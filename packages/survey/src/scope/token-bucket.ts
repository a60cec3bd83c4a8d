/**
 * Token buckets for the scheduler's rate limits. A bucket hands out reservations: `reserve`
 * returns how long the caller must wait for its token, so callers queue in order without
 * polling. Tokens refill continuously at `rate` per second up to `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly rate: number, readonly burst: number = Math.max(1, rate), private readonly now: () => number = () => performance.now()) {
    this.tokens = this.burst;
    this.last = this.now();
  }

  /** Takes one token (possibly borrowed from the future); returns the ms to wait before using it. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.rate) / 1000);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
  }

  /** True once the bucket has refilled completely (safe to forget). */
  idle(): boolean {
    const t = this.now();
    return this.tokens + ((t - this.last) * this.rate) / 1000 >= this.burst;
  }
}

/** One bucket per key (a /24), created on demand and dropped when idle so memory stays bounded. */
export class KeyedBuckets {
  private readonly buckets = new Map<number, TokenBucket>();
  private reservations = 0;

  constructor(readonly rate: number, readonly burst: number = Math.max(1, rate)) {}

  reserve(key: number): number {
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(this.rate, this.burst);
      this.buckets.set(key, b);
    }
    if (++this.reservations % 4096 === 0) this.sweep();
    return b.reserve();
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    for (const [k, b] of this.buckets) if (b.idle()) this.buckets.delete(k);
  }
}

export function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
