import { describe, expect, it } from 'vitest';
import { PrefixSet } from '@mamori/core';
import { encodeCapture } from '@mamori/testbed';
import { CaptureParser } from '../capture/parser.js';
import { TelescopeEngine, type IntervalResult } from './engine.js';
import { CampaignDetector } from './campaigns.js';
import { PortTable } from './port-table.js';
import { SourceTable } from './source-rollup.js';
import { scenarioFrames } from '../test/captures.js';

const { frames, scenario } = scenarioFrames({ seed: 11, minutes: 6 });
const truth = scenario.truth;

function ingest(bytes: Uint8Array, engine: TelescopeEngine): IntervalResult[] {
  const parser = new CaptureParser(engine.onFrame);
  parser.parse(bytes, 0, bytes.length, 0);
  engine.finish();
  return engine.pending;
}

const engine = new TelescopeEngine({
  darknet: new PrefixSet([truth.darknet, truth.darknet6]),
  research: new PrefixSet([truth.researchPrefix]),
});
const results = ingest(encodeCapture(frames, { format: 'pcapng' }), engine);

describe('engine against the generator’s ground truth', () => {
  it('sees one interval per minute and every IP packet', () => {
    expect(results.map((r) => r.startMs)).toEqual(Array.from({ length: 6 }, (_, i) => truth.startMs + i * 60_000));
    expect(engine.stats.nonIp).toBe(truth.byClass['non-ip']);
    expect(engine.stats.packets).toBe(truth.packets - truth.byClass['non-ip']);
    expect(engine.stats.outsideDarknet).toBe(0);
  });

  it('classifies every packet as the generator meant it', () => {
    const sum = (k: keyof IntervalResult['summary']['byClass']): number => results.reduce((a, r) => a + r.summary.byClass[k], 0);
    for (const k of ['syn-scan', 'tcp-other', 'udp-probe', 'icmp-probe', 'backscatter', 'other'] as const) expect(sum(k), k).toBe(truth.byClass[k]);
  });

  it('counts packets per TCP/UDP destination port', () => {
    const got: Record<string, number> = {};
    for (const r of results) for (const row of r.ports.rows()) if (row.proto === 'tcp' || row.proto === 'udp') got[`${row.proto}/${row.port}`] = (got[`${row.proto}/${row.port}`] ?? 0) + row.packets;
    expect(got).toEqual(truth.byPort);
  });

  it('names the Mirai bots as infected hosts and fingerprints the other scanners', () => {
    const infected = new Set(results.flatMap((r) => r.infected.map((h) => h.address)));
    expect([...infected].sort()).toEqual([...truth.miraiSources].sort());
    const kind = (k: string): string[] => [...new Set(results.flatMap((r) => r.sources.rows().filter((s) => s.fingerprint === k).map((s) => s.src)))].sort();
    expect(kind('mirai')).toEqual([...truth.miraiSources].sort());
    expect(kind('zmap')).toEqual([...truth.zmapSources].sort());
    expect(kind('masscan')).toEqual([...truth.masscanSources].sort());
    expect(kind('research')).toEqual([...truth.researchSources].sort());
  });

  it('reports the flood victims above corsaro’s thresholds, with Moore’s scaling', () => {
    const last = new Map<string, IntervalResult['victims'][number]>();
    for (const r of results) for (const v of r.victims) last.set(v.victim, v);
    const expected = truth.victims.filter((v) => v.packetsPerMinute >= 30);
    expect([...last.keys()].sort()).toEqual(expected.map((v) => v.address).sort());
    for (const v of expected) {
      const got = last.get(v.address)!;
      expect(got.packets).toBe(v.packets);
      expect(got.ports).toEqual([`${v.kind === 'icmp-unreachable' ? 'udp' : 'tcp'}/${v.port}`]);
      expect(got.estimatedAttackPps).toBeCloseTo(got.observedPps * 65536, 6);
    }
  });

  it('raises one campaign alert, for the port and minute where sources jumped', () => {
    const alerts = results.flatMap((r) => r.alerts);
    expect(alerts.map((a) => [a.proto, a.port, a.bucketMs])).toEqual([['tcp', truth.campaign!.port, truth.campaign!.bucketStartMs]]);
  });

  it('counts unique sources per port', () => {
    const bucket = results.find((r) => r.startMs === truth.campaign!.bucketStartMs)!;
    expect(bucket.ports.rows().find((p) => p.proto === 'tcp' && p.port === truth.campaign!.port)!.sources).toBe(40);
  });
});

describe('source and port tables handed to consumers', () => {
  it('give the same rows when each source and port table is released as soon as it is read (its records then serve later minutes)', () => {
    const reusing = new TelescopeEngine({ darknet: new PrefixSet([truth.darknet, truth.darknet6]), research: new PrefixSet([truth.researchPrefix]) });
    const seen: ReturnType<IntervalResult['sources']['rows']>[] = [];
    const seenPorts: ReturnType<IntervalResult['ports']['rows']>[] = [];
    const take = (): void => {
      for (const r of reusing.pending) {
        seen.push(r.sources.rows());
        seenPorts.push(r.ports.rows());
        r.sources.release();
        r.ports.release();
      }
      reusing.pending.length = 0;
    };
    const parser = new CaptureParser((f) => {
      reusing.onFrame(f);
      if (reusing.pending.length > 0) take();
    });
    const bytes = encodeCapture(frames, { format: 'pcapng' });
    parser.parse(bytes, 0, bytes.length, 0);
    reusing.finish();
    take();
    expect(seen).toEqual(results.map((r) => r.sources.rows()));
    expect(seen.reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(0);
    expect(seenPorts).toEqual(results.map((r) => r.ports.rows()));
    // A recycled table that kept rows past its length, or read another table's columns, would differ.
    expect(new Set(seenPorts.map((rows) => rows.length)).size).toBeGreaterThan(1);
  });

  it('gives the same alerts, in row order, from the engine’s one-pass close as from folding each minute’s table in afterwards', () => {
    // Thresholds low enough that most ports alert: the close walks ports in key order, rows are in order of first packet.
    const low = { warmupBuckets: 1, minSources: 1, factor: 1, sigmas: 0, alpha: 0.3 };
    const eager = new TelescopeEngine({ darknet: new PrefixSet([truth.darknet, truth.darknet6]), campaigns: low });
    const got = ingest(encodeCapture(frames, { format: 'pcapng' }), eager);
    const detector = new CampaignDetector(60_000, low);
    expect(got.map((r) => detector.update(r.startMs, r.ports))).toEqual(got.map((r) => r.alerts));
    expect(got.flatMap((r) => r.alerts).length).toBeGreaterThan(100);
    const detectorAtDefaults = new CampaignDetector(60_000);
    expect(results.map((r) => detectorAtDefaults.update(r.startMs, r.ports))).toEqual(results.map((r) => r.alerts));
  });

  it('keeps port rows as given, sorts them by protocol name and port, and refuses what a port counter cannot hold', () => {
    const rows = [
      { proto: 'udp', port: 53, packets: 3, bytes: 1.5, sources: 2 },
      { proto: 'icmpv6', port: 128, packets: 1, bytes: 64, sources: 1 },
      { proto: 'tcp', port: 23, packets: 2 ** 32 - 1, bytes: 2 ** 40, sources: 7 },
      { proto: 'icmp', port: 300, packets: 1, bytes: 60, sources: 1 },
      { proto: 'tcp', port: 22, packets: 5, bytes: 300, sources: 5 },
      { proto: 'other', port: 47, packets: 1, bytes: 80, sources: 1 },
    ] as const;
    const table = PortTable.fromRows(120_000, rows);
    expect(table.rows()).toEqual(rows.map((r) => ({ bucketMs: 120_000, ...r })));
    expect(table.byPortOrder().map((i) => `${table.proto(i)}/${table.port(i)}`)).toEqual(['icmp/300', 'icmpv6/128', 'other/47', 'tcp/22', 'tcp/23', 'udp/53']);
    // icmp/300 is no key of the engine's: the detector skips it rather than folding it into another port.
    expect(new CampaignDetector(60_000).update(120_000, table)).toEqual([]);
    for (const [field, v] of [['packets', 2 ** 32], ['sources', 1.5], ['port', -1]] as const) {
      expect(() => PortTable.fromRows(0, [{ ...rows[0], [field]: v }])).toThrow(expect.objectContaining({ code: 'MAMORI_TELESCOPE_INPUT', details: expect.objectContaining({ field: `ports.${field}` }) }));
    }
    expect(() => PortTable.fromRows(0, [{ ...rows[0], proto: 'sctp' as 'tcp' }])).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'ports.proto' }) }));
  });

  it('refuses a sensor row whose count does not fit a per-minute counter, naming the field', () => {
    const row = { src: '192.0.2.1', packets: 2 ** 32, bytes: 60, synScan: 1, tcpOther: 0, udpProbe: 0, icmpProbe: 0, backscatter: 0, ports: 1, fingerprint: null, firstMs: 0, lastMs: 0 };
    expect(() => SourceTable.fromRows(0, [row])).toThrow(expect.objectContaining({ code: 'MAMORI_TELESCOPE_INPUT', details: expect.objectContaining({ field: 'sources.packets' }) }));
    expect(SourceTable.fromRows(0, [{ ...row, packets: 2 ** 32 - 1 }]).packets(0)).toBe(2 ** 32 - 1);
  });
});
