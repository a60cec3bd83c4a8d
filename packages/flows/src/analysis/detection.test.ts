import { describe, expect, it } from 'vitest';
import { botnetScenario, exportStream } from '@mamori/testbed';
import { decodePacket, ExporterSession } from '../decoders/index.js';
import type { FlowRecord } from '../record.js';
import { beaconScore } from './beacon.js';
import { detectCandidates } from './candidates.js';
import { candidatesToStix } from './stix.js';
import { binomialTail, bowleySkew, mad, sorted } from './stats.js';
import { stitch } from './stitch.js';
import { PrefixSet } from '@mamori/core';
import { parseAllowList } from './allow-list.js';

/** The scenario's flows as a collector sees them: exported as IPFIX and decoded. */
const memo = new Map<number, { records: FlowRecord[]; s: ReturnType<typeof botnetScenario> }>();
function scenarioRecords(seed: number): { records: FlowRecord[]; s: ReturnType<typeof botnetScenario> } {
  const hit = memo.get(seed);
  if (hit) return hit;
  const s = botnetScenario({ seed });
  const records: FlowRecord[] = [];
  const session = new ExporterSession('testbed');
  for (const p of exportStream(s.flows, 10)) decodePacket(p, session, records);
  expect(records).toHaveLength(s.flows.length);
  memo.set(seed, { records, s });
  return { records, s };
}

describe('statistics', () => {
  it('Bowley skew, MAD and the binomial tail', () => {
    expect(bowleySkew(sorted([1, 2, 3, 4, 5]))).toBe(0);
    expect(bowleySkew(sorted([1, 1, 1, 2, 10, 20, 30]))).toBeGreaterThan(0);
    expect(mad(sorted([1, 2, 3, 4, 100]))).toBe(1);
    expect(binomialTail(0, 10, 0.1)).toBe(1);
    expect(binomialTail(10, 10, 0.5)).toBeCloseTo(1 / 1024, 8);
    expect(binomialTail(1, 3, 0.5)).toBeCloseTo(7 / 8, 8);
  });
});

describe('beacon score', () => {
  const window = { start: 0, end: 6 * 3_600_000 };
  it('is high for jittered periodic check-ins and low for random contact', () => {
    let seed = 1;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const periodic: number[] = [];
    for (let t = 0; t < window.end; t += 300_000 + (rand() - 0.5) * 30_000) periodic.push(t);
    const random: number[] = [];
    for (let t = 0; t < window.end; t += -Math.log(rand()) * 600_000) random.push(t);
    const b = beaconScore(periodic, periodic.map(() => 300 + Math.floor(rand() * 10)), window, 0.05)!;
    const r = beaconScore(random, random.map(() => Math.floor(rand() * 20_000)), window, 0.05)!;
    expect(b.score).toBeGreaterThan(0.85);
    // Random but persistent contact still fills the window (duration, histogram); the gaps give it away.
    expect(r.score).toBeLessThan(b.score - 0.2);
    expect(r.tsMadmScore).toBeLessThan(0.5);
    expect(b.medianIntervalS).toBeGreaterThan(290);
    expect(b.medianIntervalS).toBeLessThan(310);
  });
  it('needs four distinct timestamps and applies the prevalence adjustment', () => {
    expect(beaconScore([0, 1000, 2000], [1, 1, 1], window, 0.1)).toBeNull();
    const ts = Array.from({ length: 50 }, (_, i) => i * 60_000);
    const rare = beaconScore(ts, ts.map(() => 100), window, 0.01)!;
    const common = beaconScore(ts, ts.map(() => 100), window, 0.6)!;
    expect(rare.prevalenceAdjustment).toBe(0.15);
    expect(common.prevalenceAdjustment).toBe(-0.15);
  });
});

describe('stitching', () => {
  it('joins both directions into one connection oriented from the internal client', () => {
    const { records } = scenarioRecords(3);
    const conns = stitch(records, new PrefixSet(['10.0.0.0/8']));
    expect(conns.length).toBeLessThan(records.length);
    const answered = conns.filter((c) => c.answered).length;
    expect(answered / conns.length).toBeGreaterThan(0.99);
    expect(conns.every((c) => c.clientInternal)).toBe(true);
  });
});

describe('stitching keys', () => {
  it('keeps protocols apart, stitches IPv6, and splits a reused 5-tuple after the slack', async () => {
    const { emptyRecord } = await import('../record.js');
    const rec = (src: number | bigint, dst: number | bigint, sp: number, dp: number, proto: number, start: number, bytes: number) => {
      const r = emptyRecord('x', 0);
      Object.assign(r, { src, dst, srcPort: sp, dstPort: dp, protocol: proto, start, end: start + 10, bytes, packets: 1, ipVersion: typeof src === 'number' ? 4 : 6 });
      return r;
    };
    const c = 0x0a000001, srv = 0xcb007105;
    const conns = stitch([
      rec(c, srv, 5353, 53, 17, 0, 60), rec(srv, c, 53, 5353, 17, 5, 120),
      rec(c, srv, 5353, 53, 6, 0, 70), rec(srv, c, 53, 5353, 6, 5, 130),
      rec(c, srv, 5353, 53, 17, 3_600_000, 61),
      rec(0xfd00n << 112n | 1n, 0x20010db8n << 96n | 5n, 40000, 443, 6, 0, 300), rec(0x20010db8n << 96n | 5n, 0xfd00n << 112n | 1n, 443, 40000, 6, 20, 900),
    ], new PrefixSet(['10.0.0.0/8', 'fd00::/8']));
    expect(conns.map((k) => [k.protocol, k.bytesOut, k.bytesIn, k.answered])).toEqual([
      [17, 60, 120, true], [6, 70, 130, true], [6, 300, 900, true], [17, 61, 0, false],
    ]);
  });
});

describe('labelled scenario: bots beaconing to C&C among normal traffic', () => {
  for (const seed of [7, 11, 23]) {
    it(`ranks the true C&C first (seed ${seed}) and reports precision/recall`, () => {
      const { records, s } = scenarioRecords(seed);
      const result = detectCandidates(records, { knownBots: s.knownBots, allow: { prefixes: s.allowList } });
      const truth = new Set(s.commandAndControl.map((c) => c.address));
      const ranked = result.candidates.map((c) => c.address);
      expect(ranked[0]).toBe(s.commandAndControl[0].address);
      const k = truth.size;
      const topK = ranked.slice(0, k);
      const precisionAtK = topK.filter((a) => truth.has(a)).length / k;
      const flagged = result.candidates.filter((c) => c.score >= 0.5).map((c) => c.address);
      const precision = flagged.filter((a) => truth.has(a)).length / Math.max(1, flagged.length);
      const recall = flagged.filter((a) => truth.has(a)).length / k;
      console.log(`seed ${seed}: precision@${k}=${precisionAtK.toFixed(2)}, at score ≥ 0.5: precision=${precision.toFixed(2)} recall=${recall.toFixed(2)} (${flagged.length} flagged of ${result.endpoints} endpoints)`);
      expect(precisionAtK).toBe(1);
      expect(recall).toBe(1);
      expect(precision).toBe(1);
      // Evidence: the bots, their interval, the port.
      const top = result.candidates[0];
      const bots = new Set(s.commandAndControl[0].bots);
      expect(top.evidence.hosts.filter((h) => (h.beacon?.score ?? 0) >= 0.6).every((h) => bots.has(h.address))).toBe(true);
      expect(top.evidence.hosts.length).toBe(bots.size);
      expect(top.evidence.ports[0].port).toBe(s.commandAndControl[0].port);
      const peak = top.evidence.intervalHistogram.counts.indexOf(Math.max(...top.evidence.intervalHistogram.counts));
      expect(top.evidence.intervalHistogram.edgesS[peak]).toBeGreaterThan(240);
      expect(top.evidence.intervalHistogram.edgesS[peak]).toBeLessThan(330);
      expect(top.evidence.knownBots.count).toBe(5);
      expect(top.firstSeen).toBeLessThan(top.lastSeen);
    });
  }

  it('is robust to jitter: the C&C still ranks first when beacons wander by ±25 % (σ of the period)', () => {
    const s = botnetScenario({ seed: 13, jitter: 0.25 });
    const records: FlowRecord[] = [];
    const session = new ExporterSession('testbed');
    for (const p of exportStream(s.flows, 9)) decodePacket(p, session, records);
    const result = detectCandidates(records, { knownBots: s.knownBots, allow: { prefixes: s.allowList } });
    expect(result.candidates[0].address).toBe(s.commandAndControl[0].address);
    expect(result.candidates[0].components.beacon).toBeGreaterThan(0.6);
  });

  it('ranks the C&C first without known bots or allow-list, on headers alone', () => {
    const { records, s } = scenarioRecords(7);
    const result = detectCandidates(records);
    expect(result.candidates[0].address).toBe(s.commandAndControl[0].address);
    expect(result.candidates.slice(0, 3).map((c) => c.address)).toContain(s.commandAndControl[1].address);
  });

  it('counts beaconing hosts by the configured beacon threshold', () => {
    const { records, s } = scenarioRecords(7);
    const cnc = s.commandAndControl[0].address;
    const at = (beaconThreshold?: number) => detectCandidates(records, { beaconThreshold, minScore: 0 }).candidates.find((c) => c.address === cnc)!;
    const usual = at();
    expect(usual.evidence.reasons[0]).toMatch(/host\(s\) beacon every/);
    const strict = at(1.01); // no pair can score above 1: nobody counts as beaconing
    expect(strict.evidence.reasons.join(' ')).not.toMatch(/beacon every/);
    expect(strict.score).toBeLessThan(usual.score);
  });

  it('suppresses allow-listed endpoints by prefix, port or prefix+port', () => {
    const { records, s } = scenarioRecords(7);
    const cnc = s.commandAndControl[0];
    for (const allow of [parseAllowList(`${cnc.address}/32`), parseAllowList(`port ${cnc.port}`), parseAllowList(`203.0.113.0/24 ${cnc.port} 80`)]) {
      const r = detectCandidates(records, { knownBots: s.knownBots, allow });
      expect(r.candidates.map((c) => c.address)).not.toContain(cnc.address);
      expect(r.suppressed).toBeGreaterThan(0);
    }
  });

  it('exports candidates as a STIX 2.1 bundle of indicators', () => {
    const { records, s } = scenarioRecords(7);
    const result = detectCandidates(records, { knownBots: s.knownBots, allow: { prefixes: s.allowList }, limit: 3 });
    const bundle = candidatesToStix(result.candidates, { now: Date.UTC(2026, 10, 23), tlp: 'amber' }) as { type: string; id: string; objects: Record<string, any>[] };
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(/^bundle--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ind = bundle.objects[0];
    expect(ind.id).toMatch(/^indicator--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ind.pattern).toBe(`[ipv4-addr:value = '${s.commandAndControl[0].address}'] AND [network-traffic:dst_port = ${s.commandAndControl[0].port}]`);
    expect(ind.pattern_type).toBe('stix');
    expect(ind.spec_version).toBe('2.1');
    expect(Date.parse(ind.valid_from)).toBe(result.candidates[0].firstSeen);
    expect(ind.object_marking_refs).toEqual(['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421']);
    // deterministic ids: the same candidate keeps its id
    const again = candidatesToStix(result.candidates) as { objects: { id: string }[] };
    expect(again.objects[0].id).toBe(ind.id);
  });
});

describe('known-bot input', () => {
  it('reads plain lines and JSON, and names the bad entry', async () => {
    const { parseKnownBots } = await import('./known-bots.js');
    expect(parseKnownBots('10.0.0.5\n10.0.0.6 survey weak telnet password # note\n\n')).toEqual([
      { address: '10.0.0.5', source: 'telescope', reason: 'listed' },
      { address: '10.0.0.6', source: 'survey', reason: 'weak telnet password' },
    ]);
    expect(parseKnownBots('["2001:DB8::1", {"address": "10.0.0.7", "source": "survey", "reason": "r"}]')).toEqual([
      { address: '2001:db8::1', source: 'telescope', reason: 'listed' },
      { address: '10.0.0.7', source: 'survey', reason: 'r' },
    ]);
    expect(() => parseKnownBots('10.0.0.5\nnot-an-ip')).toThrow(/line 2/);
  });
});
