/**
 * Test helpers for scale-out: a few sensor captures with distinct seeds, darknets and
 * campaign ports, and everything the telescope stored, read back in key order with numbers
 * as numbers (PostgreSQL returns bigint as text), so two stores compare with toEqual.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '@mamori/core';
import { encodeCapture } from '@mamori/testbed';
import type { TelescopeTables } from '../store/tables.js';
import { scenarioFrames } from './captures.js';

export interface SensorCapture {
  path: string;
  darknet: string;
  packets: number;
}

/** Writes `n` captures, one per sensor, all covering the same minutes (so buckets merge). */
export function sensorCaptures(dir: string, n: number, options: { minutes?: number; scale?: number } = {}): SensorCapture[] {
  return Array.from({ length: n }, (_, i) => {
    const { frames, scenario } = scenarioFrames({
      seed: 100 + i, minutes: options.minutes ?? 4, scale: options.scale ?? 1,
      darknet: { base: `10.${30 + i}.0.0`, bits: 16 },
      campaign: { port: 5000 + i, baselineSources: 2, burstSources: 40, atMinute: 3 },
    });
    const path = join(dir, `sensor-${i}.pcap`);
    writeFileSync(path, encodeCapture(frames, { format: i % 2 === 0 ? 'pcap' : 'pcapng' }));
    return { path, darknet: `${scenario.truth.darknet},${scenario.truth.darknet6}`, packets: scenario.truth.packets };
  });
}

const num = (v: unknown): unknown => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
const numbers = <R extends object>(rows: R[]): R[] => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, num(v)])) as R);
const sortedJson = (text: string): Record<string, number> => Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, number>).sort(([a], [b]) => a.localeCompare(b)));

/** Every rollup the telescope stored, plus the ingest totals (runs are labelled differently per process). */
export async function storedRollups(store: Store): Promise<Record<string, unknown>> {
  const db = store.as<TelescopeTables>();
  const intervals = numbers(await db.selectFrom('telescope_intervals').selectAll().orderBy('bucket_ms').execute())
    .map((r) => ({ ...r, by_class: sortedJson(r.by_class), fingerprinted: sortedJson(r.fingerprinted) }));
  const ports = numbers(await db.selectFrom('telescope_port_rollups').selectAll().orderBy('bucket_ms').orderBy('proto').orderBy('port').execute());
  const sources = numbers(await db.selectFrom('telescope_source_rollups').selectAll().orderBy('bucket_ms').orderBy('src').execute());
  const victims = numbers(await db.selectFrom('telescope_victims').selectAll().orderBy('victim').orderBy('first_ms').execute());
  const alerts = numbers(await db.selectFrom('telescope_alerts').select(['bucket_ms', 'proto', 'port', 'sources', 'baseline_mean', 'baseline_stddev', 'packets'])
    .orderBy('bucket_ms').orderBy('proto').orderBy('port').execute());
  const infected = numbers(await db.selectFrom('telescope_infected').selectAll().orderBy('address').execute());
  const runs = numbers(await db.selectFrom('telescope_ingests').select(['frames', 'packets', 'bytes', 'first_ms', 'last_ms']).execute())
    .sort((a, b) => Number(a.first_ms) - Number(b.first_ms) || Number(a.frames) - Number(b.frames));
  return { intervals, ports, sources, victims, alerts, infected, runs };
}

/** Batches the analyzer has applied so far. */
export async function appliedCount(store: Store): Promise<number> {
  const r = await store.as<TelescopeTables>().selectFrom('telescope_applied').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
