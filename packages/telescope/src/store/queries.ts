/**
 * Reads over stored rollups: top ports and sources over any window, time series, a
 * port × time heat map, victims, alerts and the infected-host list. The same Kysely code
 * runs on SQLite and PostgreSQL.
 */
import { sql } from 'kysely';
import type { Store } from '@mamori/core';
import type { TelescopeTables } from './tables.js';
import type { ProtoName } from '../analysis/plugin.js';
import type { VictimRow } from '../analysis/backscatter.js';

export interface Window {
  sinceMs: number;
  untilMs?: number;
}

const FAR_FUTURE = 8_640_000_000_000_000;

function db(store: Store) {
  return store.as<TelescopeTables>();
}

export interface TopPort {
  proto: ProtoName;
  port: number;
  packets: number;
  bytes: number;
  /** The largest per-bucket unique-source count in the window. */
  peakSources: number;
}

export async function topPorts(store: Store, w: Window & { limit?: number; proto?: ProtoName }): Promise<TopPort[]> {
  let q = db(store).selectFrom('telescope_port_rollups')
    .select((eb) => [
      'proto', 'port',
      eb.fn.sum<number>('packets').as('packets'),
      eb.fn.sum<number>('bytes').as('bytes'),
      eb.fn.max<number>('sources').as('peakSources'),
    ])
    .where('bucket_ms', '>=', w.sinceMs)
    .where('bucket_ms', '<', w.untilMs ?? FAR_FUTURE);
  if (w.proto) q = q.where('proto', '=', w.proto);
  const rows = await q.groupBy(['proto', 'port']).orderBy('packets', 'desc').orderBy('proto').orderBy('port').limit(w.limit ?? 10).execute();
  return rows.map((r) => ({ proto: r.proto as ProtoName, port: Number(r.port), packets: Number(r.packets), bytes: Number(r.bytes), peakSources: Number(r.peakSources) }));
}

export interface TopSource {
  src: string;
  packets: number;
  bytes: number;
  synScan: number;
  backscatter: number;
  fingerprint: string | null;
  firstMs: number;
  lastMs: number;
}

export async function topSources(store: Store, w: Window & { limit?: number }): Promise<TopSource[]> {
  const rows = await db(store).selectFrom('telescope_source_rollups')
    .select((eb) => [
      'src',
      eb.fn.sum<number>('packets').as('packets'),
      eb.fn.sum<number>('bytes').as('bytes'),
      eb.fn.sum<number>('syn_scan').as('synScan'),
      eb.fn.sum<number>('backscatter').as('backscatter'),
      eb.fn.max<string | null>('fingerprint').as('fingerprint'),
      eb.fn.min<number>('first_ms').as('firstMs'),
      eb.fn.max<number>('last_ms').as('lastMs'),
    ])
    .where('bucket_ms', '>=', w.sinceMs)
    .where('bucket_ms', '<', w.untilMs ?? FAR_FUTURE)
    .groupBy('src').orderBy('packets', 'desc').orderBy('src').limit(w.limit ?? 10).execute();
  return rows.map((r) => ({
    src: r.src, packets: Number(r.packets), bytes: Number(r.bytes), synScan: Number(r.synScan), backscatter: Number(r.backscatter),
    fingerprint: r.fingerprint ?? null, firstMs: Number(r.firstMs), lastMs: Number(r.lastMs),
  }));
}

/** A victim as stored: the same shape the backscatter analysis produces. */
export type StoredVictim = VictimRow;

export async function victims(store: Store, w: Window & { limit?: number }): Promise<StoredVictim[]> {
  const rows = await db(store).selectFrom('telescope_victims').selectAll()
    .where('last_ms', '>=', w.sinceMs)
    .where('first_ms', '<', w.untilMs ?? FAR_FUTURE)
    .orderBy('packets', 'desc').orderBy('victim').limit(w.limit ?? 50).execute();
  return rows.map((r) => ({
    victim: r.victim, firstMs: Number(r.first_ms), lastMs: Number(r.last_ms), packets: Number(r.packets), bytes: Number(r.bytes),
    ports: JSON.parse(r.ports) as string[], maxPpm: Number(r.max_ppm), observedPps: Number(r.observed_pps),
    estimatedAttackPps: r.estimated_pps === null ? null : Number(r.estimated_pps),
  }));
}

export interface StoredAlert {
  id: number;
  bucketMs: number;
  proto: ProtoName;
  port: number;
  sources: number;
  baselineMean: number;
  baselineStddev: number;
  packets: number;
}

export async function alerts(store: Store, w: Window & { limit?: number }): Promise<StoredAlert[]> {
  const rows = await db(store).selectFrom('telescope_alerts').selectAll()
    .where('bucket_ms', '>=', w.sinceMs)
    .where('bucket_ms', '<', w.untilMs ?? FAR_FUTURE)
    .orderBy('bucket_ms', 'desc').orderBy('sources', 'desc').limit(w.limit ?? 100).execute();
  return rows.map((r) => ({
    id: Number(r.id), bucketMs: Number(r.bucket_ms), proto: r.proto as ProtoName, port: Number(r.port), sources: Number(r.sources),
    baselineMean: Number(r.baseline_mean), baselineStddev: Number(r.baseline_stddev), packets: Number(r.packets),
  }));
}

/** A host the telescope saw scanning with Mirai's fingerprint (what survey and flows consume). */
export interface InfectedHost {
  address: string;
  fingerprint: string;
  firstMs: number;
  lastMs: number;
  packets: number;
  ports: number[];
}

export async function infectedHosts(store: Store, w: Window & { limit?: number }): Promise<InfectedHost[]> {
  const rows = await db(store).selectFrom('telescope_infected').selectAll()
    .where('last_ms', '>=', w.sinceMs)
    .where('first_ms', '<', w.untilMs ?? FAR_FUTURE)
    .orderBy('packets', 'desc').orderBy('address').limit(w.limit ?? 100_000).execute();
  return rows.map((r) => ({
    address: r.address, fingerprint: r.fingerprint, firstMs: Number(r.first_ms), lastMs: Number(r.last_ms),
    packets: Number(r.packets), ports: JSON.parse(r.ports) as number[],
  }));
}

export interface SeriesPoint {
  bucketMs: number;
  packets: number;
  bytes: number;
  sources: number;
}

/** Per bucket: everything (from interval totals), one protocol, or one port. */
export async function timeseries(store: Store, w: Window & { proto?: ProtoName; port?: number }): Promise<SeriesPoint[]> {
  const until = w.untilMs ?? FAR_FUTURE;
  if (!w.proto) {
    const rows = await db(store).selectFrom('telescope_intervals').select(['bucket_ms', 'packets', 'bytes', 'sources'])
      .where('bucket_ms', '>=', w.sinceMs).where('bucket_ms', '<', until).orderBy('bucket_ms').execute();
    return rows.map((r) => ({ bucketMs: Number(r.bucket_ms), packets: Number(r.packets), bytes: Number(r.bytes), sources: Number(r.sources) }));
  }
  let q = db(store).selectFrom('telescope_port_rollups')
    .select((eb) => ['bucket_ms', eb.fn.sum<number>('packets').as('packets'), eb.fn.sum<number>('bytes').as('bytes'), eb.fn.max<number>('sources').as('sources')])
    .where('bucket_ms', '>=', w.sinceMs).where('bucket_ms', '<', until).where('proto', '=', w.proto);
  if (w.port !== undefined) q = q.where('port', '=', w.port);
  const rows = await q.groupBy('bucket_ms').orderBy('bucket_ms').execute();
  return rows.map((r) => ({ bucketMs: Number(r.bucket_ms), packets: Number(r.packets), bytes: Number(r.bytes), sources: Number(r.sources) }));
}

export interface Heatmap {
  buckets: number[];
  ports: { proto: ProtoName; port: number }[];
  /** packets[i][j]: port i in bucket j. */
  packets: number[][];
}

/** The busiest `limit` ports of the window against time. */
export async function heatmap(store: Store, w: Window & { limit?: number; proto?: ProtoName }): Promise<Heatmap> {
  const top = await topPorts(store, { ...w, limit: w.limit ?? 20 });
  if (top.length === 0) return { buckets: [], ports: [], packets: [] };
  const rows = await db(store).selectFrom('telescope_port_rollups').select(['bucket_ms', 'proto', 'port', 'packets'])
    .where('bucket_ms', '>=', w.sinceMs).where('bucket_ms', '<', w.untilMs ?? FAR_FUTURE)
    .where((eb) => eb.or(top.map((t) => eb.and([eb('proto', '=', t.proto), eb('port', '=', t.port)]))))
    .orderBy('bucket_ms').execute();
  const buckets = [...new Set(rows.map((r) => Number(r.bucket_ms)))].sort((a, b) => a - b);
  const col = new Map(buckets.map((b, i) => [b, i]));
  const rowOf = new Map(top.map((t, i) => [`${t.proto}/${t.port}`, i]));
  const packets = top.map(() => new Array<number>(buckets.length).fill(0));
  for (const r of rows) packets[rowOf.get(`${r.proto}/${r.port}`)!][col.get(Number(r.bucket_ms))!] += Number(r.packets);
  return { buckets, ports: top.map((t) => ({ proto: t.proto, port: t.port })), packets };
}

export interface TelescopeSummary {
  packets: number;
  bytes: number;
  buckets: number;
  firstBucketMs: number | null;
  lastBucketMs: number | null;
  byClass: Record<string, number>;
  victims: number;
  alerts: number;
  infected: number;
}

export async function summary(store: Store, w: Window): Promise<TelescopeSummary> {
  const until = w.untilMs ?? FAR_FUTURE;
  const rows = await db(store).selectFrom('telescope_intervals').select(['bucket_ms', 'packets', 'bytes', 'by_class'])
    .where('bucket_ms', '>=', w.sinceMs).where('bucket_ms', '<', until).orderBy('bucket_ms').execute();
  const byClass: Record<string, number> = {};
  let packets = 0;
  let bytes = 0;
  for (const r of rows) {
    packets += Number(r.packets);
    bytes += Number(r.bytes);
    for (const [k, v] of Object.entries(JSON.parse(r.by_class) as Record<string, number>)) byClass[k] = (byClass[k] ?? 0) + v;
  }
  const count = async (table: 'telescope_victims' | 'telescope_infected', col: 'last_ms'): Promise<number> => {
    const r = await db(store).selectFrom(table).select(sql<number>`count(*)`.as('n')).where(col, '>=', w.sinceMs).executeTakeFirst();
    return Number(r?.n ?? 0);
  };
  const alertCount = await db(store).selectFrom('telescope_alerts').select(sql<number>`count(*)`.as('n'))
    .where('bucket_ms', '>=', w.sinceMs).where('bucket_ms', '<', until).executeTakeFirst();
  return {
    packets, bytes, buckets: rows.length,
    firstBucketMs: rows.length ? Number(rows[0].bucket_ms) : null,
    lastBucketMs: rows.length ? Number(rows[rows.length - 1].bucket_ms) : null,
    byClass, victims: await count('telescope_victims', 'last_ms'), alerts: Number(alertCount?.n ?? 0), infected: await count('telescope_infected', 'last_ms'),
  };
}
