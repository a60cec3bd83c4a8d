/**
 * An open-addressing hash index from a pair of 32-bit keys to a dense slot number, on
 * typed arrays: the per-packet structure behind unique-source counts and per-source
 * rollups (a JS Map of objects costs several times more per packet and per entry).
 */
export class PairIndex {
  private keysA: Uint32Array;
  private keysB: Uint32Array;
  /** Dense index + 1 per hash slot; 0 = empty. */
  private slots: Int32Array;
  private mask: number;
  /** Dense arrays of the inserted keys, in insertion order. */
  denseA: Uint32Array;
  denseB: Uint32Array;
  size = 0;

  constructor(capacity = 1024) {
    let n = 16;
    while (n < capacity * 2) n <<= 1;
    this.keysA = new Uint32Array(n);
    this.keysB = new Uint32Array(n);
    this.slots = new Int32Array(n);
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
  isNew = false;
  slot(a: number, b: number): number {
    let i = PairIndex.hash(a, b) & this.mask;
    const slots = this.slots;
    for (;;) {
      const s = slots[i];
      if (s === 0) break;
      if (this.keysA[i] === a && this.keysB[i] === b) {
        this.isNew = false;
        return s - 1;
      }
      i = (i + 1) & this.mask;
    }
    const index = this.size++;
    this.keysA[i] = a;
    this.keysB[i] = b;
    slots[i] = index + 1;
    this.denseA[index] = a;
    this.denseB[index] = b;
    this.isNew = true;
    if (this.size * 2 > this.mask) this.grow();
    return index;
  }

  private grow(): void {
    const n = (this.mask + 1) * 2;
    this.keysA = new Uint32Array(n);
    this.keysB = new Uint32Array(n);
    this.slots = new Int32Array(n);
    this.mask = n - 1;
    const da = new Uint32Array(n >> 1);
    const db = new Uint32Array(n >> 1);
    da.set(this.denseA.subarray(0, this.size));
    db.set(this.denseB.subarray(0, this.size));
    this.denseA = da;
    this.denseB = db;
    for (let d = 0; d < this.size; d++) {
      const a = da[d];
      const b = db[d];
      let i = PairIndex.hash(a, b) & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.keysA[i] = a;
      this.keysB[i] = b;
      this.slots[i] = d + 1;
    }
  }

  /** Empties the index, keeping its capacity (one interval's worth is a good guess for the next). */
  clear(): void {
    if (this.size === 0) return;
    this.slots.fill(0);
    this.size = 0;
  }
}

/** A growable Float64Array addressed by dense index. */
export class Column {
  values: Float64Array;
  constructor(capacity = 512) {
    this.values = new Float64Array(capacity);
  }
  /** Makes index `i` addressable; new cells read 0. */
  ensure(i: number): Float64Array {
    if (i >= this.values.length) {
      const bigger = new Float64Array(Math.max(this.values.length * 2, i + 1));
      bigger.set(this.values);
      this.values = bigger;
    }
    return this.values;
  }
  clear(n: number): void {
    this.values.fill(0, 0, Math.min(n, this.values.length));
  }
}
