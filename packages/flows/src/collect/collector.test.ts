import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { encodeIpfix, encodeV5, type TestFlow } from '@mamori/testbed';
import type { FlowRecord } from '../record.js';
import { FlowCollector } from './collector.js';

const T0 = Date.UTC(2026, 10, 20, 8);
const flows: TestFlow[] = [{ src: '10.0.0.1', dst: '203.0.113.5', srcPort: 5000, dstPort: 443, protocol: 6, packets: 2, bytes: 120, start: T0, end: T0 + 10 }];

describe('FlowCollector', () => {
  it('keeps one session per exporter, counts errors per exporter, and bounds the number of exporters', async () => {
    const got: FlowRecord[] = [];
    const c = await FlowCollector.listen({ port: 0, maxExporters: 2, onRecords: (r) => got.push(...r) });
    try {
      c.receive(encodeV5(flows), { address: '192.0.2.1', port: 1 });
      c.receive(Buffer.from([0, 9, 0]), { address: '192.0.2.2', port: 1 });
      c.receive(encodeV5(flows), { address: '192.0.2.3', port: 1 }); // a third exporter: dropped
      const s = c.stats();
      expect(s.exporters.map((e) => e.exporter)).toEqual(['192.0.2.1:1', '192.0.2.2:1']);
      expect(s.exporters[1].counters.errors).toBe(1);
      expect(s.droppedExporters).toBe(1);
      expect(got).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('receives real datagrams on loopback', async () => {
    const got: FlowRecord[] = [];
    const c = await FlowCollector.listen({ host: '127.0.0.1', port: 0, onRecords: (r) => got.push(...r) });
    const sock = createSocket('udp4');
    try {
      for (const p of [encodeIpfix(flows, { sequence: 0 }), encodeIpfix(flows, { sequence: 1 })]) {
        await new Promise<void>((res, rej) => sock.send(p, c.address().port, '127.0.0.1', (e) => (e ? rej(e) : res())));
      }
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(got).toHaveLength(2);
      expect(c.stats()).toMatchObject({ packets: 2, records: 2, errors: 0, lostRecords: 0 });
    } finally {
      sock.close();
      await c.close();
    }
  });

  it('scales sampled flows by the announced interval (v5 header sampling field)', async () => {
    const got: FlowRecord[] = [];
    const c = await FlowCollector.listen({ port: 0, onRecords: (r) => got.push(...r) });
    try {
      const p = encodeV5(flows);
      p.writeUInt16BE((1 << 14) | 100, 22); // mode 1 (deterministic), 1 in 100
      c.receive(p, { address: '192.0.2.9', port: 1 });
      c.receive(encodeV5(flows, { domain: 1 }), { address: '192.0.2.9', port: 1 }); // another engine: unsampled
      expect(got.map((r) => [r.packets, r.bytes])).toEqual([[200, 12000], [2, 120]]);
    } finally {
      await c.close();
    }
  });
});
