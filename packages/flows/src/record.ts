/**
 * One unidirectional flow record as every decoder and the CSV importer produce it.
 * Addresses use core's representation (IPv4 as a uint32 number, IPv6 as a bigint) so a
 * decoder allocates no strings per record; `formatIp` turns them into text at the edges.
 */
import { formatIpv4, formatIpv6 } from '@mamori/core';

export interface FlowRecord {
  ipVersion: 4 | 6;
  src: number | bigint;
  dst: number | bigint;
  srcPort: number;
  dstPort: number;
  protocol: number;
  tcpFlags: number;
  tos: number;
  packets: number;
  bytes: number;
  /** First and last packet of the flow, epoch milliseconds (the router's clock). */
  start: number;
  end: number;
  inIf: number;
  outIf: number;
  srcAs: number;
  dstAs: number;
  /** The transport session that sent it (`address:port`), and its observation domain / source id / engine. */
  exporter: string;
  domain: number;
}

/** A zeroed record; every decoder builds records through this so they share one shape (fast property access). */
export function emptyRecord(exporter: string, domain: number): FlowRecord {
  return {
    ipVersion: 4, src: 0, dst: 0, srcPort: 0, dstPort: 0, protocol: 0, tcpFlags: 0, tos: 0,
    packets: 0, bytes: 0, start: 0, end: 0, inIf: 0, outIf: 0, srcAs: 0, dstAs: 0, exporter, domain,
  };
}

export function formatAddress(a: number | bigint): string {
  return typeof a === 'number' ? formatIpv4(a) : formatIpv6(a);
}

/** A record with text addresses, for JSON output and tests. */
export function recordToJSON(r: FlowRecord): Omit<FlowRecord, 'src' | 'dst'> & { src: string; dst: string } {
  return { ...r, src: formatAddress(r.src), dst: formatAddress(r.dst) };
}
