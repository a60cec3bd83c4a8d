import { describe, expect, it } from 'vitest';
import { PrefixSet } from '@mamori/core';
import { encodeCapture } from '@mamori/testbed';
import { CaptureParser } from '../capture/parser.js';
import { TelescopeEngine, type IntervalResult } from './engine.js';
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
    for (const r of results) for (const row of r.ports) if (row.proto === 'tcp' || row.proto === 'udp') got[`${row.proto}/${row.port}`] = (got[`${row.proto}/${row.port}`] ?? 0) + row.packets;
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
    expect(bucket.ports.find((p) => p.proto === 'tcp' && p.port === truth.campaign!.port)!.sources).toBe(40);
  });
});

describe('source records handed to consumers', () => {
  it('give the same rows when each table is released as soon as it is read (its records then serve later minutes)', () => {
    const reusing = new TelescopeEngine({ darknet: new PrefixSet([truth.darknet, truth.darknet6]), research: new PrefixSet([truth.researchPrefix]) });
    const seen: ReturnType<IntervalResult['sources']['rows']>[] = [];
    const take = (): void => {
      for (const r of reusing.pending) {
        seen.push(r.sources.rows());
        r.sources.release();
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
  });

  it('refuses a sensor row whose count does not fit a per-minute counter, naming the field', () => {
    const row = { src: '192.0.2.1', packets: 2 ** 32, bytes: 60, synScan: 1, tcpOther: 0, udpProbe: 0, icmpProbe: 0, backscatter: 0, ports: 1, fingerprint: null, firstMs: 0, lastMs: 0 };
    expect(() => SourceTable.fromRows(0, [row])).toThrow(expect.objectContaining({ code: 'MAMORI_TELESCOPE_INPUT', details: expect.objectContaining({ field: 'sources.packets' }) }));
    expect(SourceTable.fromRows(0, [{ ...row, packets: 2 ** 32 - 1 }]).packets(0)).toBe(2 ** 32 - 1);
  });
});
