/**
 * Capture writers: classic pcap (either byte order, µs or ns timestamps) and pcapng (one
 * section, several interfaces each with its own if_tsresol, EPBs or SPBs), written from
 * the format documents rather than through any library the reader might share bugs with.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface GeneratedFrame {
  tsMs: number;
  linkType: number;
  frame: Uint8Array;
  /** Interface index in pcapng (0 unless the writer is given several interfaces). */
  interfaceId?: number;
}

export interface PcapOptions {
  format: 'pcap';
  bigEndian?: boolean;
  nanoseconds?: boolean;
  linkType?: number;
  snaplen?: number;
}

export interface PcapngOptions {
  format: 'pcapng';
  bigEndian?: boolean;
  /** One entry per interface: link type and timestamp resolution as a power of ten (6 = µs, 9 = ns). */
  interfaces?: { linkType: number; tsresol?: number }[];
  /** Write Simple Packet Blocks (no timestamp, interface 0) instead of Enhanced Packet Blocks. */
  simple?: boolean;
}

export type CaptureOptions = PcapOptions | PcapngOptions;

class Bytes {
  readonly b: Uint8Array;
  private readonly v: DataView;
  constructor(n: number, private readonly le: boolean) {
    this.b = new Uint8Array(n);
    this.v = new DataView(this.b.buffer);
  }
  u16(at: number, x: number): void {
    this.v.setUint16(at, x, this.le);
  }
  u32(at: number, x: number): void {
    this.v.setUint32(at, x >>> 0, this.le);
  }
}

/** Turns frames into the bytes of one capture file, header first. */
export class CaptureEncoder {
  private readonly le: boolean;
  constructor(private readonly options: CaptureOptions) {
    this.le = !options.bigEndian;
  }

  header(): Uint8Array {
    const o = this.options;
    if (o.format === 'pcap') {
      const h = new Bytes(24, this.le);
      h.u32(0, o.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
      h.u16(4, 2);
      h.u16(6, 4);
      h.u32(16, o.snaplen ?? 262144);
      h.u32(20, o.linkType ?? 1);
      return h.b;
    }
    const shb = new Bytes(28, this.le);
    shb.u32(0, 0x0a0d0d0a);
    shb.u32(4, 28);
    shb.u32(8, 0x1a2b3c4d);
    shb.u16(12, 1);
    shb.u16(14, 0);
    shb.u32(16, 0xffffffff); // section length unknown
    shb.u32(20, 0xffffffff);
    shb.u32(24, 28);
    const parts = [shb.b];
    for (const iface of o.interfaces ?? [{ linkType: 1 }]) {
      const resol = iface.tsresol ?? 6;
      const idb = new Bytes(32, this.le);
      idb.u32(0, 1);
      idb.u32(4, 32);
      idb.u16(8, iface.linkType);
      idb.u32(12, 262144);
      idb.u16(16, 9); // if_tsresol
      idb.u16(18, 1);
      idb.b[20] = resol;
      idb.u16(24, 0); // opt_endofopt
      idb.u16(26, 0);
      idb.u32(28, 32);
      parts.push(idb.b);
    }
    return concat(parts);
  }

  packet(p: GeneratedFrame): Uint8Array {
    const o = this.options;
    const len = p.frame.length;
    if (o.format === 'pcap') {
      const r = new Bytes(16 + len, this.le);
      const sec = Math.floor(p.tsMs / 1000);
      const fracMs = p.tsMs - sec * 1000;
      r.u32(0, sec);
      r.u32(4, o.nanoseconds ? Math.round(fracMs * 1e6) : Math.round(fracMs * 1e3));
      r.u32(8, len);
      r.u32(12, len);
      r.b.set(p.frame, 16);
      return r.b;
    }
    const padded = (len + 3) & ~3;
    if (o.simple) {
      const total = 16 + padded;
      const r = new Bytes(total, this.le);
      r.u32(0, 3);
      r.u32(4, total);
      r.u32(8, len);
      r.b.set(p.frame, 12);
      r.u32(total - 4, total);
      return r.b;
    }
    const id = p.interfaceId ?? 0;
    const resol = o.interfaces?.[id]?.tsresol ?? 6;
    const units = BigInt(Math.round(p.tsMs * 1000)) * 10n ** BigInt(resol) / 1_000_000n;
    const total = 32 + padded;
    const r = new Bytes(total, this.le);
    r.u32(0, 6);
    r.u32(4, total);
    r.u32(8, id);
    r.u32(12, Number(units >> 32n));
    r.u32(16, Number(units & 0xffffffffn));
    r.u32(20, len);
    r.u32(24, len);
    r.b.set(p.frame, 28);
    r.u32(total - 4, total);
    return r.b;
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A whole capture in memory (small test captures). */
export function encodeCapture(frames: Iterable<GeneratedFrame>, options: CaptureOptions): Uint8Array {
  const enc = new CaptureEncoder(options);
  const parts = [enc.header()];
  for (const f of frames) parts.push(enc.packet(f));
  return concat(parts);
}

/** Streams frames to a file in large writes (benchmark-sized captures). Returns bytes written. */
export function writeCaptureFile(path: string, frames: Iterable<GeneratedFrame>, options: CaptureOptions): number {
  const enc = new CaptureEncoder(options);
  const fd = openSync(path, 'w');
  let total = 0;
  try {
    const batch: Uint8Array[] = [enc.header()];
    let pending = batch[0].length;
    const flush = (): void => {
      const bytes = concat(batch);
      writeSync(fd, bytes);
      total += bytes.length;
      batch.length = 0;
      pending = 0;
    };
    for (const f of frames) {
      const rec = enc.packet(f);
      batch.push(rec);
      pending += rec.length;
      if (pending >= 1 << 22) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return total;
}
