/**
 * A sensor: the one-process ingest's reader and engine, with the finished intervals sent
 * to a work queue instead of a store. Each interval becomes a few compact batches (see
 * batch.ts); the capture's totals follow in a last `run` batch so the analyzer can record
 * the run. Pushes are awaited between capture windows, so a slow queue slows the reader
 * rather than filling memory.
 */
import type { Readable } from 'node:stream';
import { MamoriError, type Bus, type WorkQueue } from '@mamori/core';
import { analyseCapture, type IngestOptions, type IngestReport } from '../ingest.js';
import { batchId, encodeInterval, runBatchOf, runOf, type SensorBatch } from './batch.js';

/** The default queue sensors feed and analyzers consume (stream `MAMORI_Q_TELESCOPE`). */
export const TELESCOPE_QUEUE = 'telescope';
export const SENSOR_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;


export interface SensorOptions extends IngestOptions {
  /** This sensor's name: part of every batch id (letters, digits, `_ . : -`). */
  sensorId: string;
  /** Rows per message (default 4000). */
  maxRows?: number;
}

export interface SensorReport extends IngestReport {
  sensor: string;
  run: string;
  /** Messages pushed (interval parts and the closing run batch). */
  batches: number;
  /** Their JSON size. */
  messageBytes: number;
}

export async function runSensor(bus: Bus, queue: WorkQueue, source: string | Readable, options: SensorOptions): Promise<SensorReport> {
  const sensor = options.sensorId;
  if (!SENSOR_ID.test(sensor)) throw new MamoriError('MAMORI_USAGE', { reason: `sensor id "${sensor}": letters, digits and _ . : - only, at most 64` });
  let run: string | null = null;
  let batches = 0;
  let messageBytes = 0;
  const push = async (b: SensorBatch, json = JSON.stringify(b)): Promise<void> => {
    messageBytes += json.length;
    batches++;
    // The id makes a re-publish (a retry, a restarted sensor) land once within JetStream's window.
    await queue.push(json, { id: `${sensor}.${batchId(b)}` });
  };
  const report = await analyseCapture(source, {
    ...options,
    bus,
    onInterval: async (r, stats) => {
      run ??= runOf(stats.firstMs);
      const encoded = encodeInterval(sensor, run, r, options.maxRows);
      // Encoded into JSON: the engine reuses the counters.
      r.sources.release();
      r.ports.release();
      await Promise.all(encoded.map((e) => push(e.batch, e.json)));
    },
  });
  run ??= runOf(report.firstMs);
  await push(runBatchOf(sensor, run, report));
  return { ...report, sensor, run, batches, messageBytes };
}
