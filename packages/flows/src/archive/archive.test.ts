import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIpfix, type TestFlow } from '@mamori/testbed';
import { decodePacket, ExporterSession } from '../decoders/index.js';
import { importNfdumpCsv } from '../import/nfdump-csv.js';
import type { FlowRecord } from '../record.js';
import { FlowArchive } from './archive.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('raw archive', () => {
  it('rotates per interval, reads back through the CSV importer, and applies retention', async () => {
    const t0 = Date.UTC(2026, 10, 20, 0, 0, 0);
    const flows: TestFlow[] = Array.from({ length: 20 }, (_, i) => ({
      src: i % 2 ? '10.0.0.1' : '2001:db8::1', dst: i % 2 ? '203.0.113.9' : '2001:db8::9', srcPort: 1000 + i, dstPort: 443, protocol: 6,
      packets: i + 1, bytes: 100 * (i + 1), start: t0 + i * 1234, end: t0 + i * 1234 + 567, tcpFlags: 0x12,
    }));
    const records: FlowRecord[] = [];
    decodePacket(encodeIpfix(flows), new ExporterSession('192.0.2.1:4739'), records);
    const archive = new FlowArchive({ dir, rotateMs: 3_600_000, retentionMs: 2 * 3_600_000 });
    archive.write(records.slice(0, 10), t0);
    archive.write(records.slice(10), t0 + 3_600_000);
    archive.close();
    expect(archive.files().map((f) => f.name)).toEqual(['flows-202611200000.csv', 'flows-202611200100.csv']);
    const back: FlowRecord[] = [];
    for (const f of archive.files()) {
      const r = await importNfdumpCsv(join(dir, f.name), (b) => { back.push(...b); }, { tzOffsetMin: 0 });
      expect(r.errors).toBe(0);
    }
    expect(back.map(({ exporter: _e, ...r }) => r)).toEqual(records.map(({ exporter: _e, ...r }) => r));
    expect(archive.prune(t0 + 4 * 3_600_000)).toEqual(['flows-202611200000.csv']);
    expect(readdirSync(dir)).toEqual(['flows-202611200100.csv']);
  });
});
