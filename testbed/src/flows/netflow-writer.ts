/**
 * Independent NetFlow v5 / v9 / IPFIX encoders for tests and benchmarks: a tiny exporter
 * with known ground truth. Written from the specifications (Cisco v5 layout, RFC 3954,
 * RFC 7011), not from mamori's decoders, so a decoder bug does not cancel itself out.
 */
import { parseIp } from '@mamori/core';
import type { TestFlow } from './types.js';

export interface ExportOptions {
  /** Export time (epoch ms); defaults to the latest flow end. */
  exportMs?: number;
  /** Exporter uptime at export, ms (v5/v9 times are sent relative to it). */
  uptimeMs?: number;
  sequence?: number;
  domain?: number;
  templateId?: number;
  /** Include the template set in this packet (v9/IPFIX). */
  withTemplate?: boolean;
}

function ipBytes(text: string): Buffer {
  const ip = parseIp(text);
  if (ip.family === 4) { const b = Buffer.alloc(4); b.writeUInt32BE(ip.value); return b; }
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = Number((ip.value >> BigInt(8 * (15 - i))) & 0xffn);
  return b;
}

function times(flows: TestFlow[], o: ExportOptions): { exportMs: number; uptime: number; boot: number } {
  const exportMs = o.exportMs ?? Math.max(...flows.map((f) => f.end)) + 1000;
  const uptime = o.uptimeMs ?? 3_600_000 * 24;
  return { exportMs, uptime, boot: Math.floor(exportMs / 1000) * 1000 - uptime };
}

/** NetFlow v5: at most 30 IPv4 flows per packet. */
export function encodeV5(flows: TestFlow[], o: ExportOptions = {}): Buffer {
  const { exportMs, uptime } = times(flows, o);
  const boot = exportMs - uptime; // v5 carries export time to the nanosecond
  const b = Buffer.alloc(24 + 48 * flows.length);
  b.writeUInt16BE(5, 0);
  b.writeUInt16BE(flows.length, 2);
  b.writeUInt32BE(uptime, 4);
  b.writeUInt32BE(Math.floor(exportMs / 1000), 8);
  b.writeUInt32BE((exportMs % 1000) * 1e6, 12);
  b.writeUInt32BE((o.sequence ?? 0) >>> 0, 16);
  b.writeUInt16BE(o.domain ?? 0, 20);
  flows.forEach((f, i) => {
    const p = 24 + 48 * i;
    ipBytesCached(f.src).copy(b, p);
    ipBytesCached(f.dst).copy(b, p + 4);
    b.writeUInt16BE(1, p + 12);
    b.writeUInt16BE(2, p + 14);
    b.writeUInt32BE(f.packets, p + 16);
    b.writeUInt32BE(f.bytes, p + 20);
    b.writeUInt32BE(f.start - boot, p + 24);
    b.writeUInt32BE(f.end - boot, p + 28);
    b.writeUInt16BE(f.srcPort, p + 32);
    b.writeUInt16BE(f.dstPort, p + 34);
    b[p + 37] = f.tcpFlags ?? 0;
    b[p + 38] = f.protocol;
    b[p + 39] = f.tos ?? 0;
  });
  return b;
}

/** The (id, length) pairs of the IPv4 template both v9 and IPFIX encoders use (softflowd's choice of elements). */
const V4_FIELDS: [number, number][] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [5, 1], [2, 4], [1, 4], [22, 4], [21, 4], [10, 4], [14, 4]];
const V6_FIELDS: [number, number][] = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [6, 1], [5, 1], [2, 4], [1, 4], [22, 4], [21, 4], [10, 4], [14, 4]];
const IPFIX_V4: [number, number][] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [5, 1], [2, 8], [1, 8], [152, 8], [153, 8]];
const IPFIX_V6: [number, number][] = [[27, 16], [28, 16], [7, 2], [11, 2], [4, 1], [6, 1], [5, 1], [2, 8], [1, 8], [152, 8], [153, 8]];

const addrCache = new Map<string, Buffer>();
function ipBytesCached(text: string): Buffer {
  let b = addrCache.get(text);
  if (!b) { b = ipBytes(text); if (addrCache.size < 100_000) addrCache.set(text, b); }
  return b;
}

function encodeRecord(f: TestFlow, fields: [number, number][], boot: number): Buffer {
  const b = Buffer.alloc(fields.reduce((a, [, len]) => a + len, 0));
  let p = 0;
  for (const [id, len] of fields) {
    const int = (v: number): void => { if (len === 8) b.writeBigUInt64BE(BigInt(v), p); else b.writeUIntBE(v, p, len); };
    switch (id) {
      case 8: case 27: ipBytesCached(f.src).copy(b, p); break;
      case 12: case 28: ipBytesCached(f.dst).copy(b, p); break;
      case 7: int(f.srcPort); break;
      case 11: int(f.dstPort); break;
      case 4: int(f.protocol); break;
      case 6: int(f.tcpFlags ?? 0); break;
      case 5: int(f.tos ?? 0); break;
      case 2: int(f.packets); break;
      case 1: int(f.bytes); break;
      case 22: int(f.start - boot); break;
      case 21: int(f.end - boot); break;
      case 152: int(f.start); break;
      case 153: int(f.end); break;
      case 10: int(1); break;
      case 14: int(2); break;
    }
    p += len;
  }
  return b;
}

function set(id: number, body: Buffer, pad4: boolean): Buffer {
  const padded = pad4 && body.length % 4 ? Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))]) : body;
  const h = Buffer.alloc(4);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(padded.length + 4, 2);
  return Buffer.concat([h, padded]);
}

function templateBody(id: number, fields: [number, number][]): Buffer {
  const b = Buffer.alloc(4 + 4 * fields.length);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(fields.length, 2);
  fields.forEach(([fid, len], i) => { b.writeUInt16BE(fid, 4 + 4 * i); b.writeUInt16BE(len, 6 + 4 * i); });
  return b;
}

function split(flows: TestFlow[]): { v4: TestFlow[]; v6: TestFlow[] } {
  return { v4: flows.filter((f) => !f.src.includes(':')), v6: flows.filter((f) => f.src.includes(':')) };
}

/** NetFlow v9: template 256 (IPv4) / 257 (IPv6) with sysUpTime-relative times. */
export function encodeV9(flows: TestFlow[], o: ExportOptions = {}): Buffer {
  const { exportMs, uptime, boot } = times(flows, o);
  const tid = o.templateId ?? 256;
  const { v4, v6 } = split(flows);
  const sets: Buffer[] = [];
  if (o.withTemplate !== false) sets.push(set(0, Buffer.concat([templateBody(tid, V4_FIELDS), templateBody(tid + 1, V6_FIELDS)]), false));
  if (v4.length) sets.push(set(tid, Buffer.concat(v4.map((f) => encodeRecord(f, V4_FIELDS, boot))), true));
  if (v6.length) sets.push(set(tid + 1, Buffer.concat(v6.map((f) => encodeRecord(f, V6_FIELDS, boot))), true));
  const h = Buffer.alloc(20);
  h.writeUInt16BE(9, 0);
  h.writeUInt16BE(flows.length + (o.withTemplate !== false ? 2 : 0), 2);
  h.writeUInt32BE(uptime, 4);
  h.writeUInt32BE(Math.floor(exportMs / 1000), 8);
  h.writeUInt32BE((o.sequence ?? 0) >>> 0, 12);
  h.writeUInt32BE(o.domain ?? 0, 16);
  return Buffer.concat([h, ...sets]);
}

/** IPFIX: template 256 (IPv4) / 257 (IPv6) with 64-bit counters and flowStart/EndMilliseconds. */
export function encodeIpfix(flows: TestFlow[], o: ExportOptions = {}): Buffer {
  const { exportMs } = times(flows, o);
  const tid = o.templateId ?? 256;
  const { v4, v6 } = split(flows);
  const sets: Buffer[] = [];
  if (o.withTemplate !== false) sets.push(set(2, Buffer.concat([templateBody(tid, IPFIX_V4), templateBody(tid + 1, IPFIX_V6)]), false));
  if (v4.length) sets.push(set(tid, Buffer.concat(v4.map((f) => encodeRecord(f, IPFIX_V4, 0))), false));
  if (v6.length) sets.push(set(tid + 1, Buffer.concat(v6.map((f) => encodeRecord(f, IPFIX_V6, 0))), false));
  const body = Buffer.concat(sets);
  const h = Buffer.alloc(16);
  h.writeUInt16BE(10, 0);
  h.writeUInt16BE(16 + body.length, 2);
  h.writeUInt32BE(Math.floor(exportMs / 1000), 4);
  h.writeUInt32BE((o.sequence ?? 0) >>> 0, 8);
  h.writeUInt32BE(o.domain ?? 0, 12);
  return Buffer.concat([h, body]);
}

/**
 * Splits flows into export packets the way an exporter does, numbering sequences per the
 * version's rule (v5/IPFIX: records sent before; v9: packets sent before).
 */
export function exportStream(flows: TestFlow[], version: 5 | 9 | 10, options: { perPacket?: number; templateEvery?: number; domain?: number } = {}): Buffer[] {
  const per = Math.min(options.perPacket ?? (version === 5 ? 30 : 24), version === 5 ? 30 : 1000);
  const templateEvery = options.templateEvery ?? 20;
  const out: Buffer[] = [];
  let seq = 0;
  for (let i = 0, k = 0; i < flows.length; i += per, k++) {
    const chunk = flows.slice(i, i + per);
    const exportMs = Math.max(...chunk.map((f) => f.end)) + 1000;
    const o: ExportOptions = { exportMs, sequence: seq, domain: options.domain ?? 0, withTemplate: k % templateEvery === 0 };
    if (version === 5) { out.push(encodeV5(chunk, o)); seq += chunk.length; }
    else if (version === 9) { out.push(encodeV9(chunk, o)); seq += 1; }
    else { out.push(encodeIpfix(chunk, o)); seq += chunk.length; }
  }
  return out;
}
