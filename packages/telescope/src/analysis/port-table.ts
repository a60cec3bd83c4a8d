/**
 * One interval's port rollup, column by column. Random UDP ports touch ~40k keys a minute:
 * as row objects, their allocation and scavenges were most of what closing an interval
 * cost. Writers read the columns; `rows()` gives objects to callers that want them.
 */
import { MamoriError } from '@mamori/core';
import { PROTO_NAMES, uint32Cell, type ProtoName } from './plugin.js';

export interface PortRollupRow {
  bucketMs: number;
  proto: ProtoName;
  port: number;
  packets: number;
  bytes: number;
  sources: number;
}

/** Bytes per row: bytes (float64), packets, sources and port (uint32), protocol code (uint8). */
const ROW_BYTES = 8 + 4 + 4 + 4 + 1;

/** The storage of a table: one buffer of `capacity` rows, one column after the other. */
export class PortColumns {
  readonly bytes: Float64Array;
  readonly packets: Uint32Array;
  readonly sources: Uint32Array;
  readonly port: Uint32Array;
  /** Index into PROTO_NAMES. */
  readonly proto: Uint8Array;

  constructor(readonly capacity: number) {
    const buffer = new ArrayBuffer(capacity * ROW_BYTES);
    this.bytes = new Float64Array(buffer, 0, capacity);
    this.packets = new Uint32Array(buffer, capacity * 8, capacity);
    this.sources = new Uint32Array(buffer, capacity * 12, capacity);
    this.port = new Uint32Array(buffer, capacity * 16, capacity);
    this.proto = new Uint8Array(buffer, capacity * 20, capacity);
  }
}

const NONE = new PortColumns(0);
const UINT32_FIELDS = ['port', 'packets', 'sources'] as const;
/** Rank of each protocol code in name order: rows go out sorted by (name, port), as stored. */
const NAME_RANK = PROTO_NAMES.map((n) => [...PROTO_NAMES].sort().indexOf(n));

export class PortTable {
  private cols: PortColumns;

  constructor(
    readonly bucketMs: number,
    readonly length: number,
    cols: PortColumns,
    /** Takes the columns back for a later interval (only for tables the engine made). */
    private readonly recycle: ((cols: PortColumns) => void) | null = null,
  ) {
    this.cols = cols;
  }

  static empty(bucketMs: number): PortTable {
    return new PortTable(bucketMs, 0, NONE);
  }

  /** A table of rows that arrive as objects (a sensor's batch, a test). */
  static fromRows(bucketMs: number, rows: readonly Omit<PortRollupRow, 'bucketMs'>[]): PortTable {
    const cols = new PortColumns(rows.length);
    rows.forEach((r, i) => {
      const proto = PROTO_NAMES.indexOf(r.proto);
      if (proto < 0) throw new MamoriError('MAMORI_TELESCOPE_INPUT', { field: 'ports.proto', reason: `"${String(r.proto)}" is not one of ${PROTO_NAMES.join(', ')}` });
      for (const field of UINT32_FIELDS) cols[field][i] = uint32Cell(r[field], `ports.${field}`, 'a per-minute count or port');
      cols.proto[i] = proto;
      cols.bytes[i] = r.bytes;
    });
    return new PortTable(bucketMs, rows.length, cols);
  }

  /**
   * Gives the columns back to the engine for reuse: call it when done with the table (the
   * store sink does, after writing). Afterwards the table must not be read. Optional: an
   * unreleased table is simply garbage-collected.
   */
  release(): void {
    if (this.recycle === null || this.cols === NONE) return;
    const cols = this.cols;
    this.cols = NONE;
    this.recycle(cols);
  }

  proto(i: number): ProtoName { return PROTO_NAMES[this.cols.proto[i]]; }
  port(i: number): number { return this.cols.port[i]; }
  packets(i: number): number { return this.cols.packets[i]; }
  bytes(i: number): number { return this.cols.bytes[i]; }
  sources(i: number): number { return this.cols.sources[i]; }

  row(i: number): PortRollupRow {
    return { bucketMs: this.bucketMs, proto: this.proto(i), port: this.port(i), packets: this.packets(i), bytes: this.bytes(i), sources: this.sources(i) };
  }

  rows(): PortRollupRow[] {
    return Array.from({ length: this.length }, (_, i) => this.row(i));
  }

  /**
   * Row indices by (protocol name, port), ties in row order: the order writers and batches
   * use, so concurrent merges lock rows in one order.
   */
  byPortOrder(): number[] {
    const key = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) key[i] = NAME_RANK[this.cols.proto[i]] * 2 ** 32 + this.cols.port[i];
    return Array.from({ length: this.length }, (_, i) => i).sort((a, b) => key[a] - key[b]);
  }
}
