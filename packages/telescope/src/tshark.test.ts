/**
 * Correctness against Wireshark's dissectors: on generated captures (several formats and
 * link types), packets per TCP/UDP destination port and per TCP flag combination must
 * equal what `tshark -T fields` reports. tshark reads ICMP-quoted headers as TCP/UDP too,
 * so packets carrying ICMP are left out on its side, as the outer header is what we count.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCapture, nullLoopback, sll, sll2, type CaptureOptions, type GeneratedFrame } from '@mamori/testbed';
import { readCapture } from './capture/read.js';
import { decodeFrame } from './decode/decoder.js';
import { PacketInfo, PROTO_TCP } from './decode/packet.js';
import { TelescopeEngine } from './analysis/engine.js';
import { scenarioFrames } from './test/captures.js';

const dir = mkdtempSync(join(tmpdir(), 'telescope-tshark-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { frames } = scenarioFrames({ seed: 33, minutes: 3 });

/** The IP packet inside an Ethernet frame (skipping VLAN tags), or null for non-IP. */
function ipOf(frame: Uint8Array): Uint8Array | null {
  let at = 12;
  while (frame[at] === 0x81 || frame[at] === 0x88) at += 4;
  const type = (frame[at] << 8) | frame[at + 1];
  return type === 0x0800 || type === 0x86dd ? frame.subarray(at + 2) : null;
}

/** The same packets over SLL, SLL2, BSD loopback and raw IP, on four pcapng interfaces. */
function mixedLinks(): GeneratedFrame[] {
  const out: GeneratedFrame[] = [];
  frames.forEach((f, i) => {
    const ip = ipOf(f.frame);
    if (!ip) return;
    const k = i % 4;
    const frame = k === 0 ? sll(ip) : k === 1 ? sll2(ip) : k === 2 ? nullLoopback(ip) : ip;
    out.push({ tsMs: f.tsMs, linkType: [113, 276, 0, 101][k], frame, interfaceId: k });
  });
  return out;
}

function tshark(path: string): { ports: Record<string, number>; flags: Record<string, number> } {
  const r = spawnSync('tshark', ['-r', path, '-o', 'ip.defragment:FALSE', '-Y', '!icmp && !icmpv6', '-T', 'fields', '-e', 'tcp.dstport', '-e', 'udp.dstport', '-e', 'tcp.flags'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  expect(r.status, r.stderr).toBe(0);
  const ports: Record<string, number> = {};
  const flags: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const [tcpPort, udpPort, tcpFlags] = line.split('\t');
    if (tcpPort) {
      ports[`tcp/${tcpPort}`] = (ports[`tcp/${tcpPort}`] ?? 0) + 1;
      const f = (parseInt(tcpFlags, 16) & 0xff).toString(16);
      flags[f] = (flags[f] ?? 0) + 1;
    } else if (udpPort) ports[`udp/${udpPort}`] = (ports[`udp/${udpPort}`] ?? 0) + 1;
  }
  return { ports, flags };
}

async function mamori(path: string): Promise<{ ports: Record<string, number>; flags: Record<string, number> }> {
  const engine = new TelescopeEngine();
  const p = new PacketInfo();
  const flags: Record<string, number> = {};
  await readCapture(path, (f) => {
    engine.onFrame(f);
    p.reset(f.tsMs, f.origLen);
    if (decodeFrame(f.data, f.offset, f.caplen, f.linkType, p) && p.hasTransport && p.proto === PROTO_TCP) {
      const k = p.tcpFlags.toString(16);
      flags[k] = (flags[k] ?? 0) + 1;
    }
  });
  engine.finish();
  const ports: Record<string, number> = {};
  for (const r of engine.pending) {
    for (const row of r.ports.rows()) {
      if (row.proto === 'tcp' || row.proto === 'udp') ports[`${row.proto}/${row.port}`] = (ports[`${row.proto}/${row.port}`] ?? 0) + row.packets;
    }
  }
  return { ports, flags };
}

const captures: [string, GeneratedFrame[], CaptureOptions][] = [
  ['ethernet.pcapng', frames, { format: 'pcapng' }],
  ['ethernet-be-ns.pcap', frames, { format: 'pcap', bigEndian: true, nanoseconds: true }],
  ['mixed-links.pcapng', mixedLinks(), { format: 'pcapng', interfaces: [{ linkType: 113 }, { linkType: 276, tsresol: 9 }, { linkType: 0 }, { linkType: 101 }] }],
];

describe('per-port and per-flag counts equal tshark’s', () => {
  for (const [name, list, options] of captures) {
    it(name, async () => {
      const path = join(dir, name);
      writeFileSync(path, encodeCapture(list, options));
      const [ours, theirs] = [await mamori(path), tshark(path)];
      expect(Object.keys(theirs.ports).length).toBeGreaterThan(100);
      expect(ours.ports).toEqual(theirs.ports);
      expect(ours.flags).toEqual(theirs.flags);
    });
  }
});
