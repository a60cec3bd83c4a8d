import { seededRandom } from '../random.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same capture, so ground truth is reproducible. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  u32(): number {
    return (this.next() * 4294967296) >>> 0;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** A count with mean `rate` (integer part plus a Bernoulli trial for the fraction). */
  count(rate: number): number {
    const whole = Math.floor(rate);
    return whole + (this.next() < rate - whole ? 1 : 0);
  }
}
