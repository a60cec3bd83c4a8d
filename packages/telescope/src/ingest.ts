/**
 * Ingest: capture → engine → store and bus. The reader runs the engine synchronously over
 * each window of the capture; between windows the finished intervals are written and
 * announced, and a packet-rate event goes out about once a second for live dashboards.
 */
import type { Readable } from 'node:stream';
import type { Bus, Store } from '@mamori/core';
import { readCapture } from './capture/read.js';
import type { CaptureFormat } from './capture/formats.js';
import { TelescopeEngine, type EngineOptions } from './analysis/engine.js';
import { TELESCOPE_SUBJECTS, TelescopeSink } from './store/sink.js';
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
  elapsedMs: number;
  framesPerSecond: number;
}

export async function ingestCapture(
  platform: { store: Store; bus: Bus },
  source: string | Readable,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const engine = new TelescopeEngine(options);
  const sink = new TelescopeSink(platform, { publish: options.publish });
  const started = Date.now();
  const t0 = performance.now();
  let lastRate = t0;
  let lastRateFrames = 0;
  const victims = new Set<string>();
  let alerts = 0;
  const infected = new Set<string>();

  const drain = async (): Promise<void> => {
    while (engine.pending.length > 0) {
      const r = engine.pending.shift()!;
      for (const v of r.victims) victims.add(`${v.victim}@${v.firstMs}`);
      alerts += r.alerts.length;
      for (const h of r.infected) infected.add(h.address);
      await sink.write(r);
    }
  };

  const onChunk = async (bytes: number): Promise<void> => {
    await drain();
    const now = performance.now();
    options.onProgress?.({ bytes, frames: engine.stats.frames, packets: engine.stats.packets, elapsedMs: now - t0, framesPerSecond: engine.stats.frames / ((now - t0) / 1000) });
    if (options.publish !== false && now - lastRate >= 1000) {
      const pps = (engine.stats.frames - lastRateFrames) / ((now - lastRate) / 1000);
      lastRate = now;
      lastRateFrames = engine.stats.frames;
      await platform.bus.publish(TELESCOPE_SUBJECTS.rate, { atMs: Date.now(), packetsPerSecond: pps, frames: engine.stats.frames, source: options.label ?? (typeof source === 'string' ? source : 'stream') });
    }
  };

  const read = await readCapture(source, engine.onFrame, { follow: options.follow, signal: options.signal, onChunk });
  engine.finish();
  await drain();
  const elapsedMs = performance.now() - t0;
  const st = engine.stats;
  const label = options.label ?? (typeof source === 'string' ? source : 'stream');
  await platform.store.as<TelescopeTables>().insertInto('telescope_ingests').values({
    source: label, started_ms: started, finished_ms: Date.now(), frames: st.frames, packets: st.packets, bytes: st.bytes,
    first_ms: st.firstMs === null ? null : Math.floor(st.firstMs), last_ms: st.lastMs,
  }).execute();
  return {
    source: label, format: read.format, linkType: read.linkType, gzip: read.gzip, frames: st.frames, packets: st.packets, bytes: st.bytes,
    nonIp: st.nonIp, outsideDarknet: st.outsideDarknet, malformed: st.malformed, intervals: st.intervals,
    firstMs: st.firstMs, lastMs: st.lastMs, victims: victims.size, alerts, infected: infected.size, elapsedMs,
    framesPerSecond: st.frames / Math.max(elapsedMs / 1000, 1e-9),
  };
}
