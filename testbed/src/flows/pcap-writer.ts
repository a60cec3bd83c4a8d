/**
 * A minimal classic-pcap writer (Ethernet, IPv4/IPv6, TCP/UDP) for feeding real exporters
 * such as softflowd. Each conversation becomes a believable packet exchange; the flows a
 * correct exporter must report for it are known exactly (see `conversationFlows`).
 */
import { writeFileSync } from 'node:fs';
import { parseIp } from '@mamori/core';
import type { TestFlow } from './types.js';

export interface Conversation {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  protocol: 6 | 17;
  /** Epoch ms of the first packet. */
  start: number;
  /** Payload bytes of each packet, in order; `fromClient` says the direction. */
  packets: { fromClient: boolean; payload: number; gapMs: number }[];
}

const TCP_SYN = 0x02, TCP_ACK = 0x10, TCP_PSH = 0x08, TCP_FIN = 0x01;

/** A TCP exchange: handshake, request/response payloads, FIN from the client. */
export function tcpConversation(client: string, server: string, clientPort: number, serverPort: number, start: number, request: number, response: number): Conversation {
  return {
    client, server, clientPort, serverPort, protocol: 6, start,
    packets: [
      { fromClient: true, payload: 0, gapMs: 0 },
      { fromClient: false, payload: 0, gapMs: 20 },
      { fromClient: true, payload: request, gapMs: 20 },
      { fromClient: false, payload: response, gapMs: 30 },
      { fromClient: true, payload: 0, gapMs: 10 },
    ],
  };
}

export function udpConversation(client: string, server: string, clientPort: number, serverPort: number, start: number, request: number, response: number): Conversation {
  return { client, server, clientPort, serverPort, protocol: 17, start, packets: [{ fromClient: true, payload: request, gapMs: 0 }, { fromClient: false, payload: response, gapMs: 15 }] };
}

function tcpFlagsOf(c: Conversation, i: number): number {
  if (c.protocol !== 6) return 0;
  if (i === 0) return TCP_SYN;
  if (i === 1) return TCP_SYN | TCP_ACK;
  if (i === c.packets.length - 1) return TCP_FIN | TCP_ACK;
  return c.packets[i].payload > 0 ? TCP_PSH | TCP_ACK : TCP_ACK;
}

function l4Length(c: Conversation, payload: number): number {
  return (c.protocol === 6 ? 20 : 8) + payload;
}

/** The unidirectional flows (client→server, server→client) a NetFlow exporter reports; bytes are IP-layer bytes. */
export function conversationFlows(c: Conversation): TestFlow[] {
  const v6 = c.client.includes(':');
  const out: TestFlow[] = [];
  for (const dir of [true, false]) {
    let t = c.start, first = -1, last = -1, packets = 0, bytes = 0, flags = 0;
    c.packets.forEach((p, i) => {
      t += p.gapMs;
      if (p.fromClient !== dir) return;
      if (first < 0) first = t;
      last = t;
      packets++;
      bytes += (v6 ? 40 : 20) + l4Length(c, p.payload);
      flags |= tcpFlagsOf(c, i);
    });
    if (packets === 0) continue;
    out.push({
      src: dir ? c.client : c.server, dst: dir ? c.server : c.client,
      srcPort: dir ? c.clientPort : c.serverPort, dstPort: dir ? c.serverPort : c.clientPort,
      protocol: c.protocol, packets, bytes, start: first, end: last, tcpFlags: flags, tos: 0,
    });
  }
  return out;
}

function ipv4Checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function addrBytes(text: string): Buffer {
  const ip = parseIp(text);
  if (ip.family === 4) { const b = Buffer.alloc(4); b.writeUInt32BE(ip.value); return b; }
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = Number((ip.value >> BigInt(8 * (15 - i))) & 0xffn);
  return b;
}

function frame(c: Conversation, i: number): Buffer {
  const p = c.packets[i];
  const v6 = c.client.includes(':');
  const src = addrBytes(p.fromClient ? c.client : c.server);
  const dst = addrBytes(p.fromClient ? c.server : c.client);
  const l4 = Buffer.alloc(l4Length(c, p.payload));
  l4.writeUInt16BE(p.fromClient ? c.clientPort : c.serverPort, 0);
  l4.writeUInt16BE(p.fromClient ? c.serverPort : c.clientPort, 2);
  if (c.protocol === 6) {
    l4.writeUInt32BE(1000 + i, 4);
    l4.writeUInt32BE(i > 0 ? 2000 + i : 0, 8);
    l4[12] = 5 << 4;
    l4[13] = tcpFlagsOf(c, i);
    l4.writeUInt16BE(65535, 14);
  } else {
    l4.writeUInt16BE(l4.length, 4);
  }
  const eth = Buffer.alloc(14);
  eth.set([2, 0, 0, 0, 0, 2], 0);
  eth.set([2, 0, 0, 0, 0, 1], 6);
  let ip: Buffer;
  if (v6) {
    eth.writeUInt16BE(0x86dd, 12);
    ip = Buffer.alloc(40);
    ip.writeUInt32BE(0x60000000, 0);
    ip.writeUInt16BE(l4.length, 4);
    ip[6] = c.protocol;
    ip[7] = 64;
    src.copy(ip, 8);
    dst.copy(ip, 24);
  } else {
    eth.writeUInt16BE(0x0800, 12);
    ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + l4.length, 2);
    ip.writeUInt16BE(i, 4);
    ip[8] = 64;
    ip[9] = c.protocol;
    src.copy(ip, 12);
    dst.copy(ip, 16);
    ip.writeUInt16BE(ipv4Checksum(ip), 10);
  }
  return Buffer.concat([eth, ip, l4]);
}

/** Classic pcap (microsecond timestamps, LINKTYPE_ETHERNET) of the conversations' packets in time order. */
export function conversationsToPcap(conversations: Conversation[]): Buffer {
  const packets: { t: number; data: Buffer }[] = [];
  for (const c of conversations) {
    let t = c.start;
    c.packets.forEach((p, i) => { t += p.gapMs; packets.push({ t, data: frame(c, i) }); });
  }
  packets.sort((a, b) => a.t - b.t);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(Math.floor(p.t / 1000), 0);
    h.writeUInt32LE((p.t % 1000) * 1000, 4);
    h.writeUInt32LE(p.data.length, 8);
    h.writeUInt32LE(p.data.length, 12);
    parts.push(h, p.data);
  }
  return Buffer.concat(parts);
}

export function writePcap(file: string, conversations: Conversation[]): void {
  writeFileSync(file, conversationsToPcap(conversations));
}
