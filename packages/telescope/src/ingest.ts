/**
 * Ingest: capture → engine → store and bus. The reader runs the engine synchronously over
 * each window of the capture; between windows the finished intervals are handed on
 * (written and announced here, queued by a sensor), and a packet-rate event goes out about
 * once a second for live dashboards.
 */
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Bus, Store } from '@mamori/core';
import { readCapture } from './capture/read.js';
import type { CaptureFormat } from './capture/formats.js';
import { TelescopeEngine, type EngineOptions, type EngineStats, type IntervalResult } from './analysis/engine.js';
import { captureDigest, fileMarker, ingestedFile, markApplied } from './store/applied.js';
import { TELESCOPE_SUBJECTS, publishInterval, writeIntervalIn } from './store/sink.js';
import type { TelescopeTables } from './store/tables.js';

export interface IngestProgress {
  /** Bytes of the (decompressed) capture consumed. */
  bytes: number;
  frames: number;
  packets: number;
  elapsedMs: number;
  /** Frames per second since the start. */
  framesPerSecond: number;
}

export interface IngestOptions extends EngineOptions {
  follow?: boolean;
  signal?: AbortSignal;
  /** Publish interval, alert, victim and rate events (default true). */
  publish?: boolean;
  onProgress?: (p: IngestProgress) => void;
  /** Label stored with the run (defaults to the path). */
  label?: string;
}

export interface IngestReport {
  source: string;
  format: CaptureFormat;
  linkType: number;
  gzip: boolean;
  frames: number;
  packets: number;
  bytes: number;
  nonIp: number;
  outsideDarknet: number;
  malformed: Record<string, number>;
  intervals: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Distinct attack vectors reported. */
  victims: number;
  alerts: number;
  infected: number;
  /** Wall-clock start (epoch ms). */
  startedMs: number;
  elapsedMs: number;
  framesPerSecond: number;
}

export interface AnalyseOptions extends IngestOptions {
  /** Where each finished interval goes (awaited before the next window is read: back-pressure). */
  onInterval: (r: IntervalResult, stats: EngineStats) => Promise<void>;
  /** Bus for the once-a-second packet-rate event (none: no rate events). */
  bus?: Bus;
}

/**
 * Reads a capture through the engine and hands every finished interval to `onInterval`:
 * the part shared by the one-process ingest (store) and the sensor (work queue).
 */
export async function analyseCapture(source: string | Readable, options: AnalyseOptions): Promise<IngestReport> {
  const engine = new TelescopeEngine(options);
  const startedMs = Date.now();
  const t0 = performance.now();
  let lastRate = t0;
  let lastRateFrames = 0;
  const victims = new Set<string>();
  let alerts = 0;
  const infected = new Set<string>();
  const label = options.label ?? (typeof source === 'string' ? source : 'stream');

  const drain = async (): Promise<void> => {
    while (engine.pending.length > 0) {
      const r = engine.pending.shift()!;
      for (const v of r.victims) victims.add(`${v.victim}@${v.firstMs}`);
      alerts += r.alerts.length;
      for (const h of r.infected) infected.add(h.address);
      await options.onInterval(r, engine.stats);
    }
  };

  const onChunk = async (bytes: number): Promise<void> => {
    await drain();
    const now = performance.now();
    options.onProgress?.({ bytes, frames: engine.stats.frames, packets: engine.stats.packets, elapsedMs: now - t0, framesPerSecond: engine.stats.frames / ((now - t0) / 1000) });
    if (options.bus && options.publish !== false && now - lastRate >= 1000) {
      const pps = (engine.stats.frames - lastRateFrames) / ((now - lastRate) / 1000);
      lastRate = now;
      lastRateFrames = engine.stats.frames;
      await options.bus.publish(TELESCOPE_SUBJECTS.rate, { atMs: Date.now(), packetsPerSecond: pps, frames: engine.stats.frames, source: label });
    }
  };

  const read = await readCapture(source, engine.onFrame, { follow: options.follow, signal: options.signal, onChunk });
  engine.finish();
  await drain();
  const elapsedMs = performance.now() - t0;
  const st = engine.stats;
  return {
    source: label, format: read.format, linkType: read.linkType, gzip: read.gzip, frames: st.frames, packets: st.packets, bytes: st.bytes,
    nonIp: st.nonIp, outsideDarknet: st.outsideDarknet, malformed: st.malformed, intervals: st.intervals,
    firstMs: st.firstMs, lastMs: st.lastMs, victims: victims.size, alerts, infected: infected.size, startedMs, elapsedMs,
    framesPerSecond: st.frames / Math.max(elapsedMs / 1000, 1e-9),
  };
}

/** The row in `telescope_ingests` that records one capture's run. */
export async function recordIngest(
  db: Kysely<TelescopeTables>,
  r: Pick<IngestReport, 'source' | 'startedMs' | 'elapsedMs' | 'frames' | 'packets' | 'bytes' | 'firstMs' | 'lastMs'>,
): Promise<void> {
  await db.insertInto('telescope_ingests').values({
    source: r.source, started_ms: r.startedMs, finished_ms: Math.round(r.startedMs + r.elapsedMs), frames: r.frames, packets: r.packets, bytes: r.bytes,
    first_ms: r.firstMs === null ? null : Math.floor(r.firstMs), last_ms: r.lastMs,
  }).execute();
}

export interface FileIngestOptions extends IngestOptions {
  /**
   * Count a capture file once per store: its SHA-256 is recorded with the run, a file
   * already counted is not read again (the report says `alreadyIngested`), and each interval
   * commits with a marker, so a run cut short (crash, failed write, broken record) and
   * started again counts every minute once. Files only: stdin and `follow` cannot be
   * digested before they are read, so they are counted every time.
   */
  once?: boolean;
  /** With `once`: count the file even if it was counted before (and record this run). */
  force?: boolean;
}

/** What the `once` bookkeeping adds to a report. */
export interface FileIngestReport extends IngestReport {
  /** SHA-256 of the file's bytes; null when not digested (stdin, follow, `once` off). */
  digest: string | null;
  /**
   * True when the file had been counted before: then it was not read and the other figures
   * are that run's (or, rarely, another run of it finished first while this one read it).
   */
  alreadyIngested: boolean;
  /** When and under which name the file was counted (with `alreadyIngested`). */
  ingestedMs?: number;
  ingestedAs?: string;
  /** Intervals found already committed by an earlier, unfinished run of the same file. */
  intervalsSkipped: number;
}

/** One process: capture → engine → store and bus. */
export async function ingestCapture(
  platform: { store: Store; bus: Bus },
  source: string | Readable,
  options: FileIngestOptions = {},
): Promise<FileIngestReport> {
  const db = platform.store.as<TelescopeTables>();
  const publish = options.publish !== false;
  const digest = options.once && typeof source === 'string' && source !== '-' && !options.follow ? await captureDigest(source) : null;
  if (digest && !options.force) {
    const before = await ingestedFile(db, digest);
    if (before) {
      const label = options.label ?? (source as string);
      return { ...(before.report as unknown as IngestReport), source: label, digest, alreadyIngested: true, ingestedMs: before.ingestedMs, ingestedAs: before.source, intervalsSkipped: 0 };
    }
  }
  // Markers only when counting once: a forced run counts everything again on purpose.
  const marker = digest && !options.force ? fileMarker(digest) : null;
  let intervalsSkipped = 0;
  const onInterval = async (r: IntervalResult): Promise<void> => {
    const written = await db.transaction().execute(async (tx) => {
      if (marker && !(await markApplied(tx, marker, String(r.startMs), r.ports.length + r.sources.length))) return false;
      await writeIntervalIn(tx, r);
      return true;
    });
    if (!written) intervalsSkipped++;
    else if (publish) await publishInterval(platform.bus, r);
    // Written: the engine reuses the counters for a later interval.
    r.sources.release();
    r.ports.release();
  };
  const report = await analyseCapture(source, { ...options, bus: platform.bus, onInterval });
  if (!digest) {
    await recordIngest(db, report);
    return { ...report, digest: null, alreadyIngested: false, intervalsSkipped };
  }
  const counted = await db.transaction().execute(async (tx) => {
    const row = { digest, source: report.source, size: statSync(source as string).size, ingested_ms: Date.now(), report: JSON.stringify(report) };
    const inserted = await tx.insertInto('telescope_files').values(row)
      .onConflict((oc) => (options.force ? oc.column('digest').doUpdateSet({ source: row.source, ingested_ms: row.ingested_ms, report: row.report }) : oc.column('digest').doNothing()))
      .executeTakeFirst();
    // The file's row now stands for every interval: the per-interval markers are done.
    await tx.deleteFrom('telescope_applied').where('sensor', '=', fileMarker(digest)).execute();
    // Another run of the same file may have finished first: its intervals were shared, its run recorded.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
    await recordIngest(tx, report);
    return true;
  });
  return { ...report, digest, alreadyIngested: !counted, intervalsSkipped };
}
