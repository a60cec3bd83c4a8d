/**
 * A real exporter end to end: softflowd reads a testbed pcap and exports NetFlow v5, v9 and
 * IPFIX to the collector on loopback; every flow must arrive with the right fields.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conversationFlows, tcpConversation, udpConversation, writePcap, type Conversation, type TestFlow } from '@mamori/testbed';
import { recordToJSON, type FlowRecord } from '../record.js';
import { FlowCollector } from './collector.js';

const haveSoftflowd = spawnSync('softflowd', ['-h']).error === undefined;
const dir = mkdtempSync(join(tmpdir(), 'mamori-flows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function conversations(): Conversation[] {
  const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
  const out: Conversation[] = [];
  for (let i = 0; i < 100; i++) out.push(tcpConversation(`10.1.${i >> 6}.${(i % 64) + 2}`, `198.51.100.${(i % 50) + 1}`, 40000 + i, i % 3 ? 443 : 8080, t0 + i * 1500, 100 + i * 7, 400 + i * 31));
  for (let i = 0; i < 10; i++) out.push(udpConversation(`10.2.0.${i + 1}`, '192.0.2.53', 50000 + i, 53, t0 + i * 900 + 50, 40 + i, 200 + i));
  for (let i = 0; i < 10; i++) out.push(tcpConversation(`2001:db8:10::${i + 1}`, '2001:db8:cc::1', 41000 + i, 443, t0 + i * 2000 + 70, 300, 5000));
  return out;
}

async function export_(version: 5 | 9 | 10, pcap: string): Promise<{ records: FlowRecord[]; collector: FlowCollector }> {
  const records: FlowRecord[] = [];
  const collector = await FlowCollector.listen({ host: '127.0.0.1', port: 0, onRecords: (r) => records.push(...r) });
  const child = spawn('softflowd', ['-d', '-r', pcap, '-n', `127.0.0.1:${collector.address().port}`, '-v', String(version)], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error('softflowd did not finish')); }, 20_000);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
  // Datagrams already sent sit in the socket buffer; give the event loop a moment to drain it.
  const expected = version === 5 ? 220 : 240;
  for (let i = 0; i < 50 && records.length < expected; i++) await new Promise((r) => setTimeout(r, 20));
  return { records, collector };
}

const key = (f: { src: string; dst: string; srcPort: number; dstPort: number; protocol: number }): string =>
  `${f.src}|${f.dst}|${f.srcPort}|${f.dstPort}|${f.protocol}`;

describe.skipIf(!haveSoftflowd)('softflowd → collector on loopback', () => {
  const convs = conversations();
  const pcap = join(dir, 'cap.pcap');
  writePcap(pcap, convs);
  const truth = new Map<string, { flow: TestFlow; conv: Conversation }>();
  for (const c of convs) for (const f of conversationFlows(c)) truth.set(key(f), { flow: f, conv: c });

  it.each([5, 9, 10] as const)('NetFlow version %i: every flow arrives with the right fields', async (version) => {
    const { records, collector } = await export_(version, pcap);
    try {
      const expected = [...truth.values()].filter((t) => version !== 5 || !t.flow.src.includes(':'));
      expect(records).toHaveLength(expected.length);
      const seen = new Set<string>();
      for (const r of records) {
        const j = recordToJSON(r);
        const t = truth.get(key(j));
        expect(t, `unexpected flow ${key(j)}`).toBeDefined();
        seen.add(key(j));
        expect(r.packets).toBe(t!.flow.packets);
        expect(r.bytes).toBe(t!.flow.bytes);
        if (r.protocol === 6) expect(r.tcpFlags).toBe(t!.flow.tcpFlags);
        // softflowd stamps both directions with the conversation's first/last packet; v9/IPFIX
        // anchor on a header time of one-second resolution.
        const convEnd = t!.conv.start + t!.conv.packets.reduce((a, p) => a + p.gapMs, 0);
        expect(Math.abs(r.start - t!.conv.start)).toBeLessThanOrEqual(1000);
        expect(Math.abs(r.end - convEnd)).toBeLessThanOrEqual(1000);
        expect(r.ipVersion).toBe(j.src.includes(':') ? 6 : 4);
      }
      expect(seen.size).toBe(expected.length);
      const s = collector.stats();
      expect(s.errors).toBe(0);
      expect(s.lostRecords + s.lostPackets).toBe(0);
      if (version !== 5) expect(s.exporters[0].counters.templates).toBeGreaterThan(0);
    } finally {
      await collector.close();
    }
  });
});
