/**
 * The flows part's I/O against the core store (Kysely; the same queries on SQLite and
 * PostgreSQL): rollup upserts, exporter counters, detection runs and their candidates,
 * retention.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Store } from '@mamori/core';
import type { ExporterCounters } from '../decoders/session.js';
import { BEACON_THRESHOLD } from '../analysis/candidates.js';
import type { Candidate, DetectionResult } from '../analysis/types.js';
import type { RollupRow } from './rollup.js';

interface FlowsTables {
  flows_rollup: {
    bucket_start: number; src: string; dst: string; dst_port: number; protocol: number;
    flows: number; packets: number; bytes: number; first_seen: number; last_seen: number;
  };
  flows_exporter: { exporter: string; counters: string; updated_at: number };
  flows_detection_run: {
    id: string; at: number; window_start: number; window_end: number; population: number;
    connections: number; endpoints: number; suppressed: number; source: string;
  };
  flows_candidate: {
    run_id: string; rank: number; address: string; score: number; first_seen: number; last_seen: number;
    components: string; evidence: string;
  };
  flows_candidate_host: { run_id: string; candidate: string; host: string; beacon: number | null };
}

export interface DetectionRun {
  id: string;
  at: number;
  window: { start: number; end: number };
  population: number;
  connections: number;
  endpoints: number;
  suppressed: number;
  source: string;
}

/**
 * A candidate scoring at least this is one an analyst should look at. In the labelled botnet
 * scenarios the true C&C servers score 0.65–0.85 and the next best (rarely visited web
 * servers some clients share) below 0.5; the ranked list itself goes down to `minScore`.
 */
export const STRONG_CANDIDATE_SCORE = 0.5;

/** What detection found in the traffic of a time range (runs whose window ends in it): the half-year view's indicators. */
export interface DetectionSummary {
  runs: number;
  /** Distinct addresses on the runs' ranked lists. */
  candidates: number;
  /** Distinct addresses scoring at least the strong threshold. */
  strong: number;
  /** Distinct internal hosts contacting a strong candidate (as listed in the evidence: at most 50 per candidate and run). */
  hosts: number;
  /** Of those, hosts whose connections to a strong candidate beacon (score at or above the beacon threshold). */
  beaconingHosts: number;
  firstWindowStart: number | null;
  lastWindowEnd: number | null;
}

/** Rows per INSERT: 10 columns × 400 stays far below both engines' bound-parameter limits. */
const BATCH = 400;

export class FlowsStore {
  private readonly db: Kysely<FlowsTables>;

  constructor(store: Store) {
    this.db = store.as<FlowsTables>();
  }

  /** Adds rollup rows, merging with rows already stored for the same key. */
  async writeRollups(rows: RollupRow[]): Promise<number> {
    for (let i = 0; i < rows.length; i += BATCH) {
      const values = rows.slice(i, i + BATCH).map((r) => ({
        bucket_start: r.bucketStart, src: r.src, dst: r.dst, dst_port: r.dstPort, protocol: r.protocol,
        flows: r.flows, packets: r.packets, bytes: r.bytes, first_seen: r.firstSeen, last_seen: r.lastSeen,
      }));
      await this.db.insertInto('flows_rollup').values(values)
        .onConflict((oc) => oc.columns(['bucket_start', 'src', 'dst', 'dst_port', 'protocol']).doUpdateSet({
          flows: sql`flows_rollup.flows + excluded.flows`,
          packets: sql`flows_rollup.packets + excluded.packets`,
          bytes: sql`flows_rollup.bytes + excluded.bytes`,
          first_seen: sql`case when excluded.first_seen < flows_rollup.first_seen then excluded.first_seen else flows_rollup.first_seen end`,
          last_seen: sql`case when excluded.last_seen > flows_rollup.last_seen then excluded.last_seen else flows_rollup.last_seen end`,
        }))
        .execute();
    }
    return rows.length;
  }

  /** Destinations by flows in a time range (what an analyst asks first). */
  async topDestinations(range: { from: number; to: number }, limit = 20): Promise<{ dst: string; flows: number; bytes: number; sources: number }[]> {
    const rows = await this.db.selectFrom('flows_rollup')
      .select(['dst', sql<number>`sum(flows)`.as('flows'), sql<number>`sum(bytes)`.as('bytes'), sql<number>`count(distinct src)`.as('sources')])
      .where('bucket_start', '>=', range.from).where('bucket_start', '<', range.to)
      .groupBy('dst').orderBy('flows', 'desc').limit(limit).execute();
    return rows.map((r) => ({ dst: r.dst, flows: Number(r.flows), bytes: Number(r.bytes), sources: Number(r.sources) }));
  }

  async rollupTotals(): Promise<{ rows: number; flows: number; bytes: number }> {
    const r = await this.db.selectFrom('flows_rollup')
      .select([sql<number>`count(*)`.as('rows'), sql<number>`coalesce(sum(flows), 0)`.as('flows'), sql<number>`coalesce(sum(bytes), 0)`.as('bytes')])
      .executeTakeFirstOrThrow();
    return { rows: Number(r.rows), flows: Number(r.flows), bytes: Number(r.bytes) };
  }

  /** Retention: drops rollup buckets older than `before` (epoch ms); returns rows removed. */
  async pruneRollups(before: number): Promise<number> {
    const r = await this.db.deleteFrom('flows_rollup').where('bucket_start', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async saveExporters(exporters: { exporter: string; counters: ExporterCounters }[], now = Date.now()): Promise<void> {
    for (const e of exporters) {
      await this.db.insertInto('flows_exporter').values({ exporter: e.exporter, counters: JSON.stringify(e.counters), updated_at: now })
        .onConflict((oc) => oc.column('exporter').doUpdateSet({ counters: JSON.stringify(e.counters), updated_at: now }))
        .execute();
    }
  }

  async exporters(): Promise<{ exporter: string; counters: ExporterCounters; updatedAt: number }[]> {
    const rows = await this.db.selectFrom('flows_exporter').selectAll().orderBy('exporter').execute();
    return rows.map((r) => ({ exporter: r.exporter, counters: JSON.parse(r.counters) as ExporterCounters, updatedAt: Number(r.updated_at) }));
  }

  /** Records a detection run and its ranked candidates; the newest run is what `candidates()` reads. */
  async saveDetection(result: DetectionResult, source: string, now = Date.now()): Promise<DetectionRun> {
    const run: DetectionRun = {
      id: randomUUID(), at: now, window: result.window, population: result.population, connections: result.connections,
      endpoints: result.endpoints, suppressed: result.suppressed, source,
    };
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('flows_detection_run').values({
        id: run.id, at: now, window_start: run.window.start, window_end: run.window.end, population: run.population,
        connections: run.connections, endpoints: run.endpoints, suppressed: run.suppressed, source,
      }).execute();
      for (let i = 0; i < result.candidates.length; i += BATCH) {
        await tx.insertInto('flows_candidate').values(result.candidates.slice(i, i + BATCH).map((c) => ({
          run_id: run.id, rank: c.rank, address: c.address, score: c.score, first_seen: c.firstSeen, last_seen: c.lastSeen,
          components: JSON.stringify(c.components), evidence: JSON.stringify(c.evidence),
        }))).execute();
      }
      const hosts = result.candidates.flatMap((c) => [...new Map(c.evidence.hosts.map((h) => [h.address, h])).values()]
        .map((h) => ({ run_id: run.id, candidate: c.address, host: h.address, beacon: h.beacon?.score ?? null })));
      for (let i = 0; i < hosts.length; i += BATCH) await tx.insertInto('flows_candidate_host').values(hosts.slice(i, i + BATCH)).execute();
    });
    return run;
  }

  /** Counts over the detection runs whose traffic window ends in `[from, to)`; a host or candidate seen in several runs counts once. */
  async summary(range: { from: number; to: number }, thresholds: { strong?: number; beacon?: number } = {}): Promise<DetectionSummary> {
    const strong = thresholds.strong ?? STRONG_CANDIDATE_SCORE;
    const beacon = thresholds.beacon ?? BEACON_THRESHOLD;
    const runs = this.db.selectFrom('flows_detection_run').select('id').where('window_end', '>=', range.from).where('window_end', '<', range.to);
    const r = await this.db.selectFrom('flows_detection_run')
      .select([sql<number>`count(*)`.as('runs'), sql<number | null>`min(window_start)`.as('first'), sql<number | null>`max(window_end)`.as('last')])
      .where('window_end', '>=', range.from).where('window_end', '<', range.to).executeTakeFirstOrThrow();
    const c = await this.db.selectFrom('flows_candidate')
      .select([sql<number>`count(distinct address)`.as('all'), sql<number>`count(distinct case when score >= ${strong} then address end)`.as('strong')])
      .where('run_id', 'in', runs).executeTakeFirstOrThrow();
    const h = await this.db.selectFrom('flows_candidate_host as h')
      .innerJoin('flows_candidate as c', (j) => j.onRef('c.run_id', '=', 'h.run_id').onRef('c.address', '=', 'h.candidate'))
      .select([sql<number>`count(distinct h.host)`.as('hosts'), sql<number>`count(distinct case when h.beacon >= ${beacon} then h.host end)`.as('beaconing')])
      .where('h.run_id', 'in', runs).where('c.score', '>=', strong).executeTakeFirstOrThrow();
    return {
      runs: Number(r.runs), candidates: Number(c.all), strong: Number(c.strong), hosts: Number(h.hosts), beaconingHosts: Number(h.beaconing),
      firstWindowStart: r.first === null ? null : Number(r.first), lastWindowEnd: r.last === null ? null : Number(r.last),
    };
  }

  async latestRun(): Promise<DetectionRun | null> {
    const r = await this.db.selectFrom('flows_detection_run').selectAll().orderBy('at', 'desc').orderBy('id').limit(1).executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id, at: Number(r.at), window: { start: Number(r.window_start), end: Number(r.window_end) }, population: Number(r.population),
      connections: Number(r.connections), endpoints: Number(r.endpoints), suppressed: Number(r.suppressed), source: r.source,
    };
  }

  /** Candidates of a run (the latest by default), best first. */
  async candidates(options: { runId?: string; limit?: number; minScore?: number; address?: string } = {}): Promise<{ run: DetectionRun | null; candidates: Candidate[] }> {
    const run = options.runId ? await this.run(options.runId) : await this.latestRun();
    if (!run) return { run: null, candidates: [] };
    let q = this.db.selectFrom('flows_candidate').selectAll().where('run_id', '=', run.id);
    if (options.minScore !== undefined) q = q.where('score', '>=', options.minScore);
    if (options.address !== undefined) q = q.where('address', '=', options.address);
    const rows = await q.orderBy('rank').limit(options.limit ?? 100).execute();
    return {
      run,
      candidates: rows.map((r) => ({
        rank: Number(r.rank), address: r.address, score: Number(r.score), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen),
        components: JSON.parse(r.components) as Candidate['components'], evidence: JSON.parse(r.evidence) as Candidate['evidence'],
      })),
    };
  }

  private async run(id: string): Promise<DetectionRun | null> {
    const r = await this.db.selectFrom('flows_detection_run').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id, at: Number(r.at), window: { start: Number(r.window_start), end: Number(r.window_end) }, population: Number(r.population),
      connections: Number(r.connections), endpoints: Number(r.endpoints), suppressed: Number(r.suppressed), source: r.source,
    };
  }
}
