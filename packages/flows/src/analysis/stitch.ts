/**
 * Bidirectional stitching. NetFlow is unidirectional: a connection is two records (or one,
 * when the reply was not seen). Records of the same 5-tuple in either direction whose
 * times overlap (within a slack) are one connection; the client is the internal side, or
 * when both or neither are internal, the side that spoke first (ties: the higher port).
 */
import type { PrefixSet } from '@mamori/core';
import type { FlowRecord } from '../record.js';

export interface Connection {
  client: number | bigint;
  server: number | bigint;
  clientPort: number;
  serverPort: number;
  protocol: number;
  start: number;
  end: number;
  bytesOut: number;
  bytesIn: number;
  packetsOut: number;
  packetsIn: number;
  /** Both directions were seen. */
  answered: boolean;
  clientInternal: boolean;
  serverInternal: boolean;
}

export function isInternal(set: PrefixSet, a: number | bigint): boolean {
  return typeof a === 'number' ? set.hasV4(a) : set.has({ family: 6, value: a });
}

function sideKey(a: number | bigint, pa: number): string {
  return `${typeof a === 'number' ? a : `6:${a}`}:${pa}`;
}

/**
 * Open connections by canonical 5-tuple. IPv4 sides are numbers (address × 65536 + port <
 * 2^48, exact in a double) in maps nested by protocol and lower side, so the hot path
 * builds no strings; IPv6 uses string keys.
 */
class OpenTable {
  private readonly v4: (Map<number, Map<number, Connection>> | undefined)[] = new Array(256);
  private readonly v6 = new Map<string, Connection>();

  get(r: FlowRecord): Connection | undefined {
    if (typeof r.src === 'number' && typeof r.dst === 'number') {
      const a = r.src * 65536 + r.srcPort, b = r.dst * 65536 + r.dstPort;
      return this.v4[r.protocol]?.get(a < b ? a : b)?.get(a < b ? b : a);
    }
    return this.v6.get(key6(r));
  }

  set(r: FlowRecord, c: Connection): void {
    if (typeof r.src === 'number' && typeof r.dst === 'number') {
      const a = r.src * 65536 + r.srcPort, b = r.dst * 65536 + r.dstPort;
      const byProto = (this.v4[r.protocol] ??= new Map());
      const lo = a < b ? a : b;
      let inner = byProto.get(lo);
      if (!inner) { inner = new Map(); byProto.set(lo, inner); }
      inner.set(a < b ? b : a, c);
      return;
    }
    this.v6.set(key6(r), c);
  }
}

function key6(r: FlowRecord): string {
  const s = sideKey(r.src, r.srcPort), d = sideKey(r.dst, r.dstPort);
  return s < d ? `${r.protocol}|${s}|${d}` : `${r.protocol}|${d}|${s}`;
}

export function stitch(records: Iterable<FlowRecord>, internal: PrefixSet, slackMs = 60_000): Connection[] {
  const sortedRecs = [...records].sort((x, y) => x.start - y.start);
  const open = new OpenTable();
  const out: Connection[] = [];
  for (const r of sortedRecs) {
    const c = open.get(r);
    if (c && r.start <= c.end + slackMs) {
      const fromClient = c.client === r.src && c.clientPort === r.srcPort;
      if (fromClient) { c.bytesOut += r.bytes; c.packetsOut += r.packets; }
      else { c.bytesIn += r.bytes; c.packetsIn += r.packets; c.answered = true; }
      if (r.end > c.end) c.end = r.end;
      continue;
    }
    const srcIn = isInternal(internal, r.src), dstIn = isInternal(internal, r.dst);
    // Orientation: internal side is the client; else the first speaker is, unless its port says server.
    let srcIsClient = true;
    if (srcIn !== dstIn) srcIsClient = srcIn;
    else if (r.srcPort < 1024 && r.dstPort >= 1024) srcIsClient = false;
    const conn: Connection = srcIsClient
      ? { client: r.src, server: r.dst, clientPort: r.srcPort, serverPort: r.dstPort, protocol: r.protocol, start: r.start, end: r.end,
          bytesOut: r.bytes, bytesIn: 0, packetsOut: r.packets, packetsIn: 0, answered: false, clientInternal: srcIn, serverInternal: dstIn }
      : { client: r.dst, server: r.src, clientPort: r.dstPort, serverPort: r.srcPort, protocol: r.protocol, start: r.start, end: r.end,
          bytesOut: 0, bytesIn: r.bytes, packetsOut: 0, packetsIn: r.packets, answered: true, clientInternal: dstIn, serverInternal: srcIn };
    if (!srcIsClient) conn.answered = false; // only the reply so far
    open.set(r, conn);
    out.push(conn);
  }
  for (const c of out) if (c.bytesOut > 0 && c.bytesIn > 0) c.answered = true;
  return out;
}
