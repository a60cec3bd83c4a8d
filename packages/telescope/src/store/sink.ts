/**
 * Where finished intervals go: the store (one transaction per interval, upserts so a
 * bucket split across two captures adds up) and the bus (`mamori.telescope.*` events).
 */
import { sql, type Insertable, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Bus } from '@mamori/core';
import type { IntervalResult } from '../analysis/engine.js';
import type { IntervalSummary } from '../analysis/summary.js';
import { BulkUpsert, FULL_BATCH } from './bulk.js';
import type { TelescopeTables } from './tables.js';

/** Subjects the telescope publishes on. */
export const TELESCOPE_SUBJECTS = {
  interval: 'mamori.telescope.interval',
  alert: 'mamori.telescope.alert',
  victim: 'mamori.telescope.victim',
  infected: 'mamori.telescope.infected',
  rate: 'mamori.telescope.rate',
} as const;

/** Rows per INSERT: under SQLite's and PostgreSQL's bound-parameter limits for our widest table. */
const BATCH = FULL_BATCH;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += BATCH) out.push(rows.slice(i, i + BATCH));
  return out;
}

/** `a + excluded.a` for every named column. */
function adding<C extends string>(table: string, cols: C[]): Record<C, RawBuilder<number>> {
  const set = {} as Record<C, RawBuilder<number>>;
  for (const c of cols) set[c] = sql<number>`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`;
  return set;
}
function larger(table: string, col: string): RawBuilder<number> {
  return sql<number>`case when ${sql.ref(`excluded.${col}`)} > ${sql.ref(`${table}.${col}`)} then ${sql.ref(`excluded.${col}`)} else ${sql.ref(`${table}.${col}`)} end`;
}
function smaller(table: string, col: string): RawBuilder<number> {
  return sql<number>`case when ${sql.ref(`excluded.${col}`)} < ${sql.ref(`${table}.${col}`)} then ${sql.ref(`excluded.${col}`)} else ${sql.ref(`${table}.${col}`)} end`;
}

/**
 * True when the incoming row (`excluded`) sorts after the stored one on `cols`, compared in
 * order: for merges that keep one of two statements, the same winner in any commit order.
 */
function greater(table: string, cols: string[]): RawBuilder<boolean> {
  const [c, ...rest] = cols;
  const inc = sql.ref(`excluded.${c}`);
  const cur = sql.ref(`${table}.${c}`);
  if (rest.length === 0) return sql<boolean>`${inc} > ${cur}`;
  return sql<boolean>`(${inc} > ${cur} or (${inc} = ${cur} and ${greater(table, rest)}))`;
}

/** Scanner kinds by how specific their evidence is (an operator's list first, no fingerprint last). */
function fingerprintRank(col: string): RawBuilder<number> {
  return sql<number>`case ${sql.ref(col)} when 'research' then 4 when 'mirai' then 3 when 'masscan' then 2 when 'zmap' then 1 else 0 end`;
}

/**
 * One interval, or one part of an interval shipped in pieces (a sensor's batch): the
 * summary travels only in the first part, so later parts carry `summary: null`.
 */
export type IntervalPart = Omit<IntervalResult, 'summary'> & { summary: IntervalSummary | null };

/** Adds counters by name: the JSON columns (packets per class, per scanner kind) merge like the numeric ones. */
function addCounts(stored: string, add: object): string {
  const sum = JSON.parse(stored) as Record<string, number>;
  for (const [k, v] of Object.entries(add) as [string, number][]) sum[k] = (sum[k] ?? 0) + v;
  return JSON.stringify(sum);
}

async function mergeSummary(tx: Kysely<TelescopeTables>, startMs: number, endMs: number, s: IntervalSummary): Promise<void> {
  // The upsert takes the row's lock (PostgreSQL) before the JSON counters are read, so two
  // writers merging the same bucket add up instead of one overwriting the other.
  await tx.insertInto('telescope_intervals').values({
    bucket_ms: startMs, bucket_size_ms: endMs - startMs, packets: s.packets, bytes: s.bytes, sources: s.sources,
    by_class: '{}', amplification: s.amplificationProbes, fingerprinted: '{}',
  }).onConflict((oc) => oc.column('bucket_ms').doUpdateSet({
    // Unique sources of two partial buckets do not add; the larger is a lower bound.
    ...adding('telescope_intervals', ['packets', 'bytes', 'amplification']),
    sources: larger('telescope_intervals', 'sources'),
  })).execute();
  const stored = await tx.selectFrom('telescope_intervals').select(['by_class', 'fingerprinted']).where('bucket_ms', '=', startMs).executeTakeFirstOrThrow();
  await tx.updateTable('telescope_intervals')
    .set({ by_class: addCounts(stored.by_class, s.byClass), fingerprinted: addCounts(stored.fingerprinted, s.fingerprinted) })
    .where('bucket_ms', '=', startMs).execute();
}

const portUpsert = new BulkUpsert<TelescopeTables>(
  ['bucket_ms', 'proto', 'port', 'packets', 'bytes', 'sources'],
  (db, rows) => db.insertInto('telescope_port_rollups')
    .values(rows as Insertable<TelescopeTables['telescope_port_rollups']>[])
    .onConflict((oc) => oc.columns(['bucket_ms', 'proto', 'port']).doUpdateSet({
      ...adding('telescope_port_rollups', ['packets', 'bytes']),
      sources: larger('telescope_port_rollups', 'sources'),
    })),
);

/** Per-source rows: the largest output (one row per source and minute), so they skip the query builder. */
const sourceUpsert = new BulkUpsert<TelescopeTables>(
  ['bucket_ms', 'src', 'packets', 'bytes', 'syn_scan', 'tcp_other', 'udp_probe', 'icmp_probe', 'backscatter', 'ports', 'fingerprint', 'first_ms', 'last_ms'],
  (db, rows) => db.insertInto('telescope_source_rollups')
    .values(rows as Insertable<TelescopeTables['telescope_source_rollups']>[])
    .onConflict((oc) => oc.columns(['bucket_ms', 'src']).doUpdateSet({
      ...adding('telescope_source_rollups', ['packets', 'bytes', 'syn_scan', 'tcp_other', 'udp_probe', 'icmp_probe', 'backscatter']),
      ports: larger('telescope_source_rollups', 'ports'),
      // Two partial minutes may name different scanners: the higher-ranked one stays, in any order.
      fingerprint: sql<string | null>`case when ${fingerprintRank('excluded.fingerprint')} > ${fingerprintRank('telescope_source_rollups.fingerprint')} then ${sql.ref('excluded.fingerprint')} else ${sql.ref('telescope_source_rollups.fingerprint')} end`,
      first_ms: smaller('telescope_source_rollups', 'first_ms'),
      last_ms: larger('telescope_source_rollups', 'last_ms'),
    })),
);

/**
 * Writes one interval (or part) inside the caller's transaction, so a caller can commit
 * it together with its own rows (the analyzer's applied-batch marker). Every write is an
 * upsert that adds, so parts and partial buckets from several captures or sensors sum up.
 */
export async function writeIntervalIn(tx: Transaction<TelescopeTables>, r: IntervalPart): Promise<void> {
  if (r.summary) await mergeSummary(tx, r.startMs, r.endMs, r.summary);

  const ports = r.ports;
  const portOrder = ports.byPortOrder();
  for (let lo = 0; lo < portOrder.length; lo += BATCH) {
    const values: unknown[] = [];
    for (let k = lo; k < lo + BATCH && k < portOrder.length; k++) {
      const i = portOrder[k];
      values.push(ports.bucketMs, ports.proto(i), ports.port(i), ports.packets(i), ports.bytes(i), ports.sources(i));
    }
    await portUpsert.run(tx, values);
  }

  // In key order: each B-tree insert lands next to the previous one (random order cost the
  // store 2-3x as much), and concurrent merges lock rows in one order.
  const src = r.sources;
  const texts = Array.from({ length: src.length }, (_, i) => src.src(i));
  const order = Array.from({ length: src.length }, (_, i) => i).sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
  for (let lo = 0; lo < order.length; lo += BATCH) {
    const values: unknown[] = [];
    for (let k = lo; k < lo + BATCH && k < order.length; k++) {
      const i = order[k];
      values.push(src.bucketMs, texts[i], src.packets(i), src.bytes(i), src.synScan(i), src.tcpOther(i), src.udpProbe(i), src.icmpProbe(i),
        src.backscatter(i), src.ports(i), src.fingerprint(i), Math.floor(src.firstMs(i)), Math.floor(src.lastMs(i)));
    }
    await sourceUpsert.run(tx, values);
  }

  for (const v of r.victims) {
    // A victim's attack vector is cumulative: each interval re-states it in full. Merges
    // commit in any order (concurrent, redelivered), so the fullest statement wins, not the
    // last one written; within one capture the packet count only grows.
    await tx.insertInto('telescope_victims').values({
      victim: v.victim, first_ms: Math.floor(v.firstMs), last_ms: Math.floor(v.lastMs), packets: v.packets, bytes: v.bytes,
      ports: JSON.stringify(v.ports), max_ppm: v.maxPpm, observed_pps: v.observedPps, estimated_pps: v.estimatedAttackPps,
    }).onConflict((oc) => oc.columns(['victim', 'first_ms']).doUpdateSet({
      last_ms: sql.ref('excluded.last_ms'), packets: sql.ref('excluded.packets'), bytes: sql.ref('excluded.bytes'),
      ports: sql.ref('excluded.ports'), max_ppm: sql.ref('excluded.max_ppm'), observed_pps: sql.ref('excluded.observed_pps'),
      estimated_pps: sql.ref('excluded.estimated_pps'),
    }).where(greater('telescope_victims', ['packets', 'last_ms', 'bytes', 'max_ppm']))).execute();
  }

  for (const a of r.alerts) {
    // Sensors judge campaigns on their share of the darknet: of two alerts for one port and
    // minute the stronger one stays, whichever committed first.
    await tx.insertInto('telescope_alerts').values({
      bucket_ms: a.bucketMs, proto: a.proto, port: a.port, sources: a.sources, baseline_mean: a.baselineMean,
      baseline_stddev: a.baselineStddev, packets: a.packets,
    }).onConflict((oc) => oc.columns(['bucket_ms', 'proto', 'port']).doUpdateSet({
      sources: sql.ref('excluded.sources'), packets: sql.ref('excluded.packets'),
      baseline_mean: sql.ref('excluded.baseline_mean'), baseline_stddev: sql.ref('excluded.baseline_stddev'),
    }).where(greater('telescope_alerts', ['sources', 'packets', 'baseline_mean', 'baseline_stddev']))).execute();
  }

  if (r.infected.length > 0) await mergeInfected(tx, r.infected);
}

/** Ports kept per infected host: the smallest, so the cap gives the same set in any merge order. */
export const INFECTED_PORTS_KEPT = 64;

/** Sorted union of two port lists, capped to the smallest `INFECTED_PORTS_KEPT`. */
export function unionPorts(a: readonly number[], b: readonly number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y).slice(0, INFECTED_PORTS_KEPT);
}

/**
 * Infected hosts span intervals and sensors: packets add up, first/last seen widen, and the
 * ports are the union of every interval's (each interval reports only its own). The union is
 * read and written back after the upsert, which holds the rows' locks on PostgreSQL until
 * commit, so a concurrent merge of the same host waits instead of overwriting.
 */
async function mergeInfected(tx: Kysely<TelescopeTables>, hosts: IntervalPart['infected']): Promise<void> {
  for (const batch of chunks(hosts)) {
    await tx.insertInto('telescope_infected')
      .values(batch.map((h) => ({
        address: h.address, fingerprint: h.fingerprint, first_ms: Math.floor(h.firstMs), last_ms: Math.floor(h.lastMs),
        packets: h.packets, ports: JSON.stringify(unionPorts([], h.ports)),
      })))
      .onConflict((oc) => oc.column('address').doUpdateSet({
        packets: sql<number>`${sql.ref('telescope_infected.packets')} + ${sql.ref('excluded.packets')}`,
        first_ms: smaller('telescope_infected', 'first_ms'),
        last_ms: larger('telescope_infected', 'last_ms'),
      })).execute();
    const stored = await tx.selectFrom('telescope_infected').select(['address', 'ports'])
      .where('address', 'in', batch.map((h) => h.address)).orderBy('address').execute();
    const adding = new Map(batch.map((h) => [h.address, h.ports]));
    const changed: [string, string][] = [];
    for (const row of stored) {
      const now = JSON.stringify(unionPorts(JSON.parse(row.ports) as number[], adding.get(row.address) ?? []));
      if (now !== row.ports) changed.push([row.address, now]);
    }
    // One statement for the batch's changed unions, not one per host.
    if (changed.length > 0) {
      const ports = sql<string>`case ${sql.ref('address')} ${sql.join(changed.map(([a, p]) => sql`when ${a} then ${p}`), sql` `)} end`;
      await tx.updateTable('telescope_infected').set({ ports }).where('address', 'in', changed.map(([a]) => a)).execute();
    }
  }
}

/** Events for one interval: a summary, each alert, each victim report, the infected hosts seen. */
export async function publishInterval(bus: Bus, r: IntervalPart): Promise<void> {
  if (r.summary) await bus.publish(TELESCOPE_SUBJECTS.interval, { startMs: r.startMs, endMs: r.endMs, ...r.summary, ports: r.ports.length });
  for (const a of r.alerts) await bus.publish(TELESCOPE_SUBJECTS.alert, a);
  for (const v of r.victims) await bus.publish(TELESCOPE_SUBJECTS.victim, v);
  if (r.infected.length > 0) await bus.publish(TELESCOPE_SUBJECTS.infected, { bucketMs: r.startMs, hosts: r.infected });
}
