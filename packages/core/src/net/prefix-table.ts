/**
 * Longest-prefix-match table for IPv4 and IPv6, sized for a full BGP table (~1M prefixes).
 *
 * Prefixes are kept in a map while the table is being filled; the first lookup after a
 * change flattens them into sorted, disjoint intervals, each labelled with the most
 * specific prefix that covers it. A lookup is then one binary search over a typed array
 * (≈21 steps for 1M prefixes), with no allocation, which is what per-packet use needs.
 */
import { parsePrefix, type IpAddress, type Prefix } from './prefix.js';
import { ipv4Mask } from './ipv4.js';

export interface PrefixEntry<V> {
  readonly prefix: Prefix;
  readonly value: V;
}

interface Flattened<T> {
  starts: T;
  entry: Int32Array;
}

/**
 * IPv4 intervals plus a /16 directory: `dir[k]` is the first interval starting at or after
 * `k << 16`. A lookup binary-searches only the few intervals of its /16, so it touches two
 * or three cache lines instead of ~21 scattered ones in a 2M-entry array.
 */
interface Flattened4 extends Flattened<Uint32Array> {
  dir: Uint32Array;
}

/** Nested prefixes → disjoint labelled intervals (stack sweep over prefixes sorted by start, then length). */
function flatten<N extends number | bigint>(
  items: { start: N; end: N; index: number }[],
  max: N,
): { starts: N[]; entry: number[] } {
  items.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : b.end < a.end ? -1 : b.end > a.end ? 1 : 0));
  const starts: N[] = [];
  const entry: number[] = [];
  const emit = (pos: N, index: number): void => {
    const n = starts.length;
    if (n > 0 && starts[n - 1] === pos) {
      entry[n - 1] = index;
      if (n > 1 && entry[n - 2] === index) { starts.pop(); entry.pop(); }
      return;
    }
    if (n > 0 && entry[n - 1] === index) return;
    starts.push(pos);
    entry.push(index);
  };
  const stack: { end: N; index: number }[] = [];
  const one = (typeof max === 'bigint' ? 1n : 1) as N;
  const close = (): void => {
    const top = stack.pop()!;
    if (top.end !== max) emit(((top.end as any) + (one as any)) as N, stack.length ? stack[stack.length - 1].index : -1);
  };
  emit((typeof max === 'bigint' ? 0n : 0) as N, -1);
  for (const it of items) {
    while (stack.length && stack[stack.length - 1].end < it.start) close();
    emit(it.start, it.index);
    stack.push({ end: it.end, index: it.index });
  }
  while (stack.length) close();
  return { starts, entry };
}

export class PrefixTable<V> {
  private readonly entries = new Map<string, PrefixEntry<V>>();
  private v4: Flattened4 | null = null;
  private v6: Flattened<bigint[]> | null = null;
  private list: PrefixEntry<V>[] = [];

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces the value of one prefix. */
  set(prefix: Prefix | string, value: V): this {
    const p = typeof prefix === 'string' ? parsePrefix(prefix) : prefix;
    this.entries.set(`${p.family}:${p.start}/${p.bits}`, { prefix: p, value });
    this.v4 = null;
    this.v6 = null;
    return this;
  }

  /** Most specific entry covering an IPv4 address (uint32), or undefined. */
  lookupEntryV4(ip: number): PrefixEntry<V> | undefined {
    const t = this.v4 ?? this.build4();
    const starts = t.starts;
    const k = ip >>> 16;
    // The covering interval is the last one starting at or before ip: at worst the last of the previous /16.
    let lo = t.dir[k] === 0 ? 0 : t.dir[k] - 1;
    let hi = t.dir[k + 1] - 1;
    if (hi < lo) hi = lo;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= ip) lo = mid;
      else hi = mid - 1;
    }
    const index = t.entry[lo];
    return index < 0 ? undefined : this.list[index];
  }

  lookupV4(ip: number): V | undefined {
    return this.lookupEntryV4(ip)?.value;
  }

  lookupEntryV6(ip: bigint): PrefixEntry<V> | undefined {
    const t = this.v6 ?? this.build6();
    const starts = t.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= ip) lo = mid;
      else hi = mid - 1;
    }
    const index = t.entry[lo];
    return index < 0 ? undefined : this.list[index];
  }

  lookupEntry(ip: IpAddress): PrefixEntry<V> | undefined {
    return ip.family === 4 ? this.lookupEntryV4(ip.value) : this.lookupEntryV6(ip.value);
  }

  lookup(ip: IpAddress): V | undefined {
    return this.lookupEntry(ip)?.value;
  }

  *[Symbol.iterator](): IterableIterator<PrefixEntry<V>> {
    yield* this.entries.values();
  }

  private snapshot(): void {
    this.list = [...this.entries.values()];
  }

  private build4(): Flattened4 {
    this.snapshot();
    const items: { start: number; end: number; index: number }[] = [];
    this.list.forEach((e, index) => {
      if (e.prefix.family === 4) items.push({ start: e.prefix.start, end: e.prefix.start + 2 ** (32 - e.prefix.bits) - 1, index });
    });
    const f = flatten(items, 0xffffffff);
    const starts = Uint32Array.from(f.starts);
    const dir = new Uint32Array(65537);
    let i = 0;
    for (let k = 0; k <= 65536; k++) {
      while (i < starts.length && starts[i] < k * 65536) i++;
      dir[k] = i;
    }
    this.v4 = { starts, entry: Int32Array.from(f.entry), dir };
    this.v6 = null;
    return this.v4;
  }

  private build6(): Flattened<bigint[]> {
    if (!this.v4) this.build4();
    const items: { start: bigint; end: bigint; index: number }[] = [];
    this.list.forEach((e, index) => {
      if (e.prefix.family === 6) items.push({ start: e.prefix.start, end: e.prefix.start + (1n << BigInt(128 - e.prefix.bits)) - 1n, index });
    });
    const f = flatten(items, (1n << 128n) - 1n);
    this.v6 = { starts: f.starts, entry: Int32Array.from(f.entry) };
    return this.v6;
  }
}

/** A set of prefixes (scopes, exclusion lists, darknet ranges): membership by longest match. */
export class PrefixSet {
  private readonly table = new PrefixTable<true>();

  constructor(prefixes: Iterable<Prefix | string> = []) {
    for (const p of prefixes) this.add(p);
  }

  add(prefix: Prefix | string): this {
    this.table.set(prefix, true);
    return this;
  }

  get size(): number {
    return this.table.size;
  }

  hasV4(ip: number): boolean {
    return this.table.lookupEntryV4(ip) !== undefined;
  }

  has(ip: IpAddress): boolean {
    return this.table.lookupEntry(ip) !== undefined;
  }

  prefixes(): Prefix[] {
    return [...this.table].map((e) => e.prefix);
  }

  /**
   * An IPv4 membership test for per-packet paths. A darknet or a research list is usually a
   * handful of prefixes: comparing against each under its mask touches no memory beyond two
   * small arrays, where the table lookup reads a 256 KiB directory at a random /16 per address
   * (a cache miss per one-off scanner). Sets of more than 16 IPv4 prefixes keep the table.
   * The test reflects the set as it is now; prefixes added later are not seen.
   */
  matcherV4(): (ip: number) => boolean {
    const v4 = this.prefixes().flatMap((p) => (p.family === 4 ? [p] : []));
    if (v4.length > 16) return (ip) => this.hasV4(ip);
    const n = v4.length;
    const starts = new Int32Array(n);
    const masks = new Int32Array(n);
    v4.forEach((p, i) => {
      masks[i] = ipv4Mask(p.bits) | 0;
      starts[i] = p.start & masks[i];
    });
    return (ip) => {
      for (let i = 0; i < n; i++) if ((ip & masks[i]) === starts[i]) return true;
      return false;
    };
  }
}
