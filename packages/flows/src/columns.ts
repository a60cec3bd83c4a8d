/**
 * Flow records as columns (typed arrays), for the hot paths that only fold records into
 * counters: decoding straight into columns allocates nothing per record, so a day of
 * flows costs no garbage collection. `record(i)` gives the object form when needed.
 */
import { emptyRecord, type FlowRecord } from './record.js';

export class FlowColumns {
  length = 0;
  ipVersion: Uint8Array;
  src4: Uint32Array;
  dst4: Uint32Array;
  /** IPv6 addresses by row (sparse; only rows with ipVersion 6). */
  readonly src6 = new Map<number, bigint>();
  readonly dst6 = new Map<number, bigint>();
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  protocol: Uint8Array;
  tcpFlags: Uint8Array;
  tos: Uint8Array;
  packets: Float64Array;
  bytes: Float64Array;
  start: Float64Array;
  end: Float64Array;
  inIf: Uint32Array;
  outIf: Uint32Array;
  srcAs: Uint32Array;
  dstAs: Uint32Array;
  domain: Uint32Array;

  constructor(capacity = 4096, public exporter = '') {
    this.ipVersion = new Uint8Array(capacity);
    this.src4 = new Uint32Array(capacity);
    this.dst4 = new Uint32Array(capacity);
    this.srcPort = new Uint16Array(capacity);
    this.dstPort = new Uint16Array(capacity);
    this.protocol = new Uint8Array(capacity);
    this.tcpFlags = new Uint8Array(capacity);
    this.tos = new Uint8Array(capacity);
    this.packets = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.start = new Float64Array(capacity);
    this.end = new Float64Array(capacity);
    this.inIf = new Uint32Array(capacity);
    this.outIf = new Uint32Array(capacity);
    this.srcAs = new Uint32Array(capacity);
    this.dstAs = new Uint32Array(capacity);
    this.domain = new Uint32Array(capacity);
  }

  get capacity(): number {
    return this.src4.length;
  }

  clear(): void {
    this.length = 0;
    this.src6.clear();
    this.dst6.clear();
  }

  /** Appends a zeroed row and returns its index. */
  next(domain: number): number {
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    this.ipVersion[i] = 4;
    this.src4[i] = 0; this.dst4[i] = 0; this.srcPort[i] = 0; this.dstPort[i] = 0;
    this.protocol[i] = 0; this.tcpFlags[i] = 0; this.tos[i] = 0;
    this.packets[i] = 0; this.bytes[i] = 0; this.start[i] = 0; this.end[i] = 0;
    this.inIf[i] = 0; this.outIf[i] = 0; this.srcAs[i] = 0; this.dstAs[i] = 0;
    this.domain[i] = domain;
    return i;
  }

  push(r: FlowRecord): void {
    const i = this.next(r.domain);
    if (r.ipVersion === 6 || typeof r.src !== 'number' || typeof r.dst !== 'number') {
      this.ipVersion[i] = 6;
      this.src6.set(i, BigInt(r.src));
      this.dst6.set(i, BigInt(r.dst));
    } else {
      this.src4[i] = r.src;
      this.dst4[i] = r.dst;
    }
    this.srcPort[i] = r.srcPort; this.dstPort[i] = r.dstPort; this.protocol[i] = r.protocol; this.tcpFlags[i] = r.tcpFlags;
    this.tos[i] = r.tos; this.packets[i] = r.packets; this.bytes[i] = r.bytes; this.start[i] = r.start; this.end[i] = r.end;
    this.inIf[i] = r.inIf; this.outIf[i] = r.outIf; this.srcAs[i] = r.srcAs; this.dstAs[i] = r.dstAs;
  }

  record(i: number): FlowRecord {
    const r = emptyRecord(this.exporter, this.domain[i]);
    if (this.ipVersion[i] === 6) {
      r.ipVersion = 6;
      r.src = this.src6.get(i) ?? 0n;
      r.dst = this.dst6.get(i) ?? 0n;
    } else {
      r.src = this.src4[i];
      r.dst = this.dst4[i];
    }
    r.srcPort = this.srcPort[i]; r.dstPort = this.dstPort[i]; r.protocol = this.protocol[i]; r.tcpFlags = this.tcpFlags[i];
    r.tos = this.tos[i]; r.packets = this.packets[i]; r.bytes = this.bytes[i]; r.start = this.start[i]; r.end = this.end[i];
    r.inIf = this.inIf[i]; r.outIf = this.outIf[i]; r.srcAs = this.srcAs[i]; r.dstAs = this.dstAs[i];
    return r;
  }

  records(): FlowRecord[] {
    const out: FlowRecord[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.record(i);
    return out;
  }

  private grow(): void {
    const n = this.capacity * 2;
    const g = <T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.ipVersion = g(this.ipVersion); this.src4 = g(this.src4); this.dst4 = g(this.dst4);
    this.srcPort = g(this.srcPort); this.dstPort = g(this.dstPort); this.protocol = g(this.protocol);
    this.tcpFlags = g(this.tcpFlags); this.tos = g(this.tos); this.packets = g(this.packets); this.bytes = g(this.bytes);
    this.start = g(this.start); this.end = g(this.end); this.inIf = g(this.inIf); this.outIf = g(this.outIf);
    this.srcAs = g(this.srcAs); this.dstAs = g(this.dstAs); this.domain = g(this.domain);
  }
}
