/**
 * Detection history per time range (the dashboard's half-year C&C indicators) on both back
 * ends: runs are attributed by the end of the traffic window they cover, candidates and
 * contacting hosts seen in several runs count once, hosts count for strong candidates only, and runs saved before the contacting-host
 * table existed are counted from their stored evidence after the migration.
 */
import { describe, expect, it } from 'vitest';
import { testBackends } from '@mamori/core';
import { botnetScenario, exportStream } from '@mamori/testbed';
import { decodePacket, ExporterSession } from '../decoders/index.js';
import type { FlowRecord } from '../record.js';
import { BEACON_THRESHOLD, detectCandidates } from '../analysis/candidates.js';
import type { DetectionResult } from '../analysis/types.js';
import { FlowsStore, STRONG_CANDIDATE_SCORE } from './flows-store.js';
import { flowsMigrations } from './migrations.js';

const s = botnetScenario({ seed: 9, hours: 3, hosts: 60 });
const session = new ExporterSession('127.0.0.1:9995');
const records: FlowRecord[] = [];
for (const p of exportStream(s.flows, 9)) decodePacket(p, session, records);
const result = detectCandidates(records, { knownBots: s.knownBots, allow: { prefixes: s.allowList } });

type Cand = DetectionResult['candidates'][number];
const strongOf = (cands: Cand[]) => cands.filter((c) => c.score >= STRONG_CANDIDATE_SCORE);
/** Distinct hosts the evidence lists for these candidates, optionally only those `pick` keeps. */
const hostsOf = (cands: Cand[], pick: (h: Cand['evidence']['hosts'][number]) => boolean = () => true) =>
  new Set(cands.flatMap((c) => c.evidence.hosts.filter(pick).map((h) => h.address))).size;
const beaconing = (h: Cand['evidence']['hosts'][number]) => (h.beacon?.score ?? 0) >= BEACON_THRESHOLD;
const shifted = (r: DetectionResult, by: number): DetectionResult => ({ ...r, window: { start: r.window.start + by, end: r.window.end + by } });
const DAY = 86_400_000;

describe.each(testBackends())('flows detection summary on $name', (backend) => {
  it('counts runs, distinct candidates and contacting hosts per window of traffic', async () => {
    const platform = await backend.open({ migrations: [flowsMigrations] });
    try {
      const store = new FlowsStore(platform.store);
      expect(result.candidates.length).toBeGreaterThan(1);
      const end = result.window.end;
      await store.saveDetection(result, 'a');
      // The same traffic detected again a day later with only the top candidate: nothing new.
      await store.saveDetection(shifted({ ...result, candidates: result.candidates.slice(0, 1) }, DAY), 'b');
      // A run a year later (another half-year) with the second candidate only.
      await store.saveDetection(shifted({ ...result, candidates: result.candidates.slice(1, 2) }, 365 * DAY), 'c');

      const first = await store.summary({ from: end - DAY, to: end + 2 * DAY });
      const strong = strongOf(result.candidates);
      // The threshold matters here: some candidates are strong, not all.
      expect(strong.length).toBeGreaterThan(0);
      expect(strong.length).toBeLessThan(result.candidates.length);
      expect(first).toEqual({
        runs: 2, candidates: result.candidates.length, strong: strong.length, hosts: hostsOf(strong), beaconingHosts: hostsOf(strong, beaconing),
        firstWindowStart: result.window.start, lastWindowEnd: end + DAY,
      });
      expect(first.beaconingHosts).toBeGreaterThan(0);
      expect(first.hosts).toBeGreaterThanOrEqual(first.beaconingHosts);

      const later = await store.summary({ from: end + 300 * DAY, to: end + 400 * DAY });
      const second = result.candidates.slice(1, 2);
      expect(later).toMatchObject({ runs: 1, candidates: 1, strong: strongOf(second).length, hosts: hostsOf(strongOf(second)) });
      // Lower thresholds count more.
      expect((await store.summary({ from: end - DAY, to: end + 2 * DAY }, { strong: 0 })).hosts).toBe(hostsOf(result.candidates));
      // The range's end is exclusive: a run ending exactly there belongs to the next range.
      expect((await store.summary({ from: 0, to: end })).runs).toBe(0);
      expect(await store.summary({ from: end + 3 * DAY, to: end + 4 * DAY })).toEqual({ runs: 0, candidates: 0, strong: 0, hosts: 0, beaconingHosts: 0, firstWindowStart: null, lastWindowEnd: null });
    } finally {
      await platform.close();
    }
  });

  it('fills contacting hosts of runs saved before migration 0002 from their evidence', async () => {
    const platform = await backend.open({ migrations: [{ part: 'flows', migrations: { '0001_init': flowsMigrations.migrations['0001_init'] } }] });
    try {
      const db = platform.store.as<any>();
      await db.insertInto('flows_detection_run').values({
        id: 'old-run', at: 1, window_start: result.window.start, window_end: result.window.end, population: result.population,
        connections: result.connections, endpoints: result.endpoints, suppressed: result.suppressed, source: 'before 0002',
      }).execute();
      await db.insertInto('flows_candidate').values(result.candidates.map((c) => ({
        run_id: 'old-run', rank: c.rank, address: c.address, score: c.score, first_seen: c.firstSeen, last_seen: c.lastSeen,
        components: JSON.stringify(c.components), evidence: JSON.stringify(c.evidence),
      }))).execute();
      await platform.store.migrate([flowsMigrations]);
      const sum = await new FlowsStore(platform.store).summary({ from: 0, to: Number.MAX_SAFE_INTEGER });
      expect(sum.runs).toBe(1);
      expect(sum.candidates).toBe(result.candidates.length);
      expect(sum.strong).toBe(strongOf(result.candidates).length);
      expect(sum.hosts).toBe(hostsOf(strongOf(result.candidates)));
      expect(sum.beaconingHosts).toBe(hostsOf(strongOf(result.candidates), beaconing));
    } finally {
      await platform.close();
    }
  });
});
