import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError } from '@mamori/core';
import { exportStream, type TestFlow } from '@mamori/testbed';
import { recordToJSON, type FlowRecord } from '../record.js';
import { importNfdumpCsv, NfdumpCsvParser, parseTcpFlags } from './nfdump-csv.js';

const haveNfdump = spawnSync('nfdump', ['-V']).error === undefined && spawnSync('nfcapd', ['-V']).error === undefined;
const dir = mkdtempSync(join(tmpdir(), 'mamori-nfdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr';

describe('nfdump CSV lines', () => {
  it('parses nfdump 1.7 lines, flags, ICMP type.code and IPv6', () => {
    const p = new NfdumpCsvParser({ tzOffsetMin: 0 });
    p.header(HEADER);
    const r = p.line('2026-11-20 08:00:01,2026-11-20 08:00:01,0.080,10.0.0.1,198.51.100.7,40001,443,TCP,...AP.SF,0,0,3,420,0,0,1,2,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,127.0.0.1,0/0,1,2026-11-23 08:59:08.633', 2)!;
    expect(recordToJSON(r)).toMatchObject({ src: '10.0.0.1', dst: '198.51.100.7', srcPort: 40001, dstPort: 443, protocol: 6, tcpFlags: 0x1b, packets: 3, bytes: 420, start: Date.UTC(2026, 10, 20, 8, 0, 1), end: Date.UTC(2026, 10, 20, 8, 0, 1) + 80, inIf: 1, outIf: 2, exporter: '127.0.0.1' });
    const icmp = p.line('2026-11-20 08:00:01,2026-11-20 08:00:01,0.000,2001:db8::1,2001:db8::2,0,8.0,ICMP6,........,0,0,1,64,0,0,0,0,0,0,0,0,0,0,::,::,0,0,,,,,,,,,,,,,,,0,0,0,::1,0/0,1,x', 3)!;
    expect(icmp.ipVersion).toBe(6);
    expect(icmp.dstPort).toBe(8 * 256);
    expect(icmp.protocol).toBe(58);
    expect(parseTcpFlags('..U.P.S.')).toBe(0x20 | 0x08 | 0x02);
    expect(p.line('Summary', 9)).toBeNull();
  });

  it('names the line and field at fault', () => {
    const p = new NfdumpCsvParser();
    p.header(HEADER);
    try {
      p.line('2026-11-20 08:00:01,x,0.1,10.0.0.999,1.2.3.4,1,2,TCP,......,0,0,1,1', 7);
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_FLOWS_CSV')).toBe(true);
      expect((e as { details: { line: number; field: string } }).details).toMatchObject({ line: 7, field: 'sa' });
    }
    expect(() => new NfdumpCsvParser().header('a,b,c')).toThrow(/lacks column/);
  });

  it('refuses a sampling rate that is not a whole number ≥ 1, and a scaled count beyond exact integers', () => {
    for (const samplingRate of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      expect(() => new NfdumpCsvParser({ samplingRate }), String(samplingRate)).toThrow(expect.objectContaining({ code: 'MAMORI_FLOWS_INPUT' }));
    }
    const line = (pkts: string): string => `2026-11-20 08:00:01,2026-11-20 08:00:01,0.080,10.0.0.1,198.51.100.7,40001,443,TCP,...AP.SF,0,0,${pkts},420`;
    const scaled = new NfdumpCsvParser({ tzOffsetMin: 0, samplingRate: 1000 });
    scaled.header(HEADER);
    expect(scaled.line(line('3'), 2)).toMatchObject({ packets: 3000, bytes: 420_000 });
    try {
      scaled.line(line('9007199254741'), 3);
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_FLOWS_CSV')).toBe(true);
      expect((e as { details: { line: number; field: string } }).details).toMatchObject({ line: 3, field: 'ipkt' });
    }
  });

  it('fuzz: any line gives a record, null or a MamoriError', () => {
    const p = new NfdumpCsvParser();
    p.header(HEADER);
    const field = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('TCP', '10.0.0.1', '::1', '8.0', '1.5 M', '2026-11-20 08:00:01', '-1', 'NaN'));
    fc.assert(fc.property(fc.array(field, { maxLength: 50 }), (fields) => {
      try { p.line(fields.join(','), 2); } catch (e) { if (!isMamoriError(e)) throw e; }
    }), { numRuns: 2000 });
  });
});

/** Sends `flows` as NetFlow v9 to a real nfcapd on loopback (with its extra options) and returns `nfdump -o csv` of what it stored. */
async function collectWithNfcapd(flows: TestFlow[], name: string, nfcapdArgs: string[] = []): Promise<string> {
  const out = join(dir, name);
  rmSync(out, { recursive: true, force: true });
  spawnSync('mkdir', ['-p', out]);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const nfcapd = spawn('nfcapd', ['-w', out, '-b', '127.0.0.1', '-p', String(port), '-t', '3600', ...nfcapdArgs], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 700));
    const sock = createSocket('udp4');
    for (const p of exportStream(flows, 9, { perPacket: 20, templateEvery: 1 })) {
      await new Promise<void>((res, rej) => sock.send(p, port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    }
    sock.close();
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    nfcapd.kill('SIGTERM');
    await new Promise((r) => nfcapd.once('exit', r));
  }
  const file = readdirSync(out).find((f) => /^nfcapd\.\d{12}$/.test(f));
  expect(file).toBeDefined();
  const csv = spawnSync('nfdump', ['-r', join(out, file!), '-o', 'csv'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  const csvFile = join(dir, `${name}.csv`);
  writeFileSync(csvFile, csv.stdout);
  return csvFile;
}

async function importAll(csvFile: string, samplingRate?: number): Promise<FlowRecord[]> {
  const records: FlowRecord[] = [];
  const result = await importNfdumpCsv(csvFile, (b) => { records.push(...b); }, { tzOffsetMin: 0, samplingRate });
  expect(result.firstErrors).toEqual([]);
  return records;
}

const t0 = Date.UTC(2026, 10, 20, 8, 0, 0);
const testFlows = (n: number): TestFlow[] => Array.from({ length: n }, (_, i) => ({
  src: i % 10 === 9 ? `2001:db8::${i}` : `10.9.${i >> 8}.${i & 255}`, dst: i % 10 === 9 ? '2001:db8:1::1' : `203.0.113.${i % 200}`,
  srcPort: 30000 + i, dstPort: i % 2 ? 443 : 53, protocol: i % 2 ? 6 : 17, packets: 1 + (i % 17), bytes: 60 + i * 13,
  start: t0 + i * 2000, end: t0 + i * 2000 + (i % 7) * 250, tcpFlags: i % 2 ? 0x1b : 0,
}));

describe.skipIf(!haveNfdump)('nfcapd → nfdump -o csv → import', () => {
  it('imports exactly what nfcapd collected from a v9 stream', async () => {
    const flows = testFlows(500);
    const records = await importAll(await collectWithNfcapd(flows, 'plain'));
    expect(records).toHaveLength(flows.length);
    const byPort = new Map(records.map((r) => [r.srcPort, recordToJSON(r)]));
    for (const f of flows) {
      const r = byPort.get(f.srcPort)!;
      expect({ src: r.src, dst: r.dst, dstPort: r.dstPort, protocol: r.protocol, packets: r.packets, bytes: r.bytes, tcpFlags: r.tcpFlags })
        .toEqual({ src: f.src, dst: f.dst, dstPort: f.dstPort, protocol: f.protocol, packets: f.packets, bytes: f.bytes, tcpFlags: f.tcpFlags });
      // nfdump's CSV prints whole seconds for ts and milliseconds for the duration.
      expect(Math.abs(r.start - f.start)).toBeLessThan(1000);
      expect(r.end - r.start).toBe(f.end - f.start);
    }
  });

  it('honours sampling: nfcapd\'s scaled counts as printed, raw counts scaled by the given rate', async () => {
    const flows = testFlows(60);
    // Sampled 1 in 10: nfcapd multiplies before storing, and the CSV shows the scaled counts.
    const scaled = await importAll(await collectWithNfcapd(flows, 'sampled', ['-s', '10']));
    // `-s -1` overrides any rate with 1: raw counts, which the importer scales itself.
    const rawFile = await collectWithNfcapd(flows, 'raw', ['-s', '-1']);
    const raw = await importAll(rawFile);
    const rescaled = await importAll(rawFile, 10);
    const counts = (rs: FlowRecord[]): [number, number, number][] => rs.map((r) => [r.srcPort, r.packets, r.bytes] as [number, number, number]).sort((a, b) => a[0] - b[0]);
    const expected = flows.map((f) => [f.srcPort, f.packets, f.bytes] as [number, number, number]);
    expect(counts(raw)).toEqual(expected);
    expect(counts(scaled)).toEqual(expected.map(([p, k, b]) => [p, k * 10, b * 10]));
    expect(counts(rescaled)).toEqual(counts(scaled));
    expect(() => new NfdumpCsvParser({ samplingRate: 0 })).toThrow(/sampling rate 0/);
    expect(() => new NfdumpCsvParser({ samplingRate: 2.5 })).toThrow(/whole number/);
  });
});
