/**
 * An open-addressing hash index from a pair of 32-bit keys to a dense slot number, on
 * typed arrays: the per-packet structure behind unique-source counts and per-source
 * rollups (a JS Map of objects costs several times more per packet and per entry).
 */
export class PairIndex {
  /**
   * Hash slots as [a, dense index + 1]: 8 bytes, eight to a cache line. `b` is checked in
   * `denseB` only when `a` matches. New keys (most of a darknet's sources) probe a table
   * half the size of one holding both keys, which is what decides the speed once it has
   * outgrown the CPU caches and TLB.
   */
  private table: Int32Array;
  private mask: number;
  /** Dense arrays of the inserted keys, in insertion order. */
  denseA: Uint32Array;
  denseB: Uint32Array;
  size = 0;
  /** Whether the last `slot` call inserted its pair. */
  isNew = false;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.table = new Int32Array(n * 2);
    this.mask = n - 1;
    this.denseA = new Uint32Array(n >> 1);
    this.denseB = new Uint32Array(n >> 1);
  }

  private static hash(a: number, b: number): number {
    let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** The dense index of (a, b), inserting it when new; `isNew` tells which. */
  slot(a: number, b: number): number {
    const t = this.table;
    const mask = this.mask;
    const ia = a | 0;
    let i = PairIndex.hash(a, b) & mask;
    for (;;) {
      const at = i << 1;
      const s = t[at + 1];
      if (s === 0) break;
      if (t[at] === ia && this.denseB[s - 1] === b >>> 0) {
        this.isNew = false;
        return s - 1;
      }
      i = (i + 1) & mask;
    }
    const index = this.size++;
    const at = i << 1;
    t[at] = ia;
    t[at + 1] = index + 1;
    this.denseA[index] = a;
    this.denseB[index] = b;
    this.isNew = true;
    if (this.size * 2 > mask) this.grow();
    return index;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    const t = new Int32Array(n * 2);
    const mask = n - 1;
    const da = new Uint32Array(n >> 1);
    const db = new Uint32Array(n >> 1);
    da.set(this.denseA.subarray(0, this.size));
    db.set(this.denseB.subarray(0, this.size));
    for (let d = 0; d < this.size; d++) {
      let i = PairIndex.hash(da[d], db[d]) & mask;
      while (t[(i << 1) + 1] !== 0) i = (i + 1) & mask;
      t[i << 1] = da[d] | 0;
      t[(i << 1) + 1] = d + 1;
    }
    this.table = t;
    this.mask = mask;
    this.denseA = da;
    this.denseB = db;
  }

  /** Empties the index, keeping its capacity (one interval's worth is a good guess for the next). */
  clear(): void {
    if (this.size === 0) return;
    this.table.fill(0);
    this.size = 0;
  }
}
