/**
 * What the edges (CLI collector and importer, server) share: records in → rollups in the
 * store, optionally the raw archive, and a bounded window of recent records for detection.
 * The window is kept as column chunks (≈100 bytes a record instead of an object's ≈250)
 * and bounded by `maxWindowRecords`; the oldest chunk leaves first. Detection turns it back
 * into records for the duration of one run.
 */
import type { Store } from '@mamori/core';
import { detectCandidates } from './analysis/candidates.js';
import type { DetectionOptions, DetectionResult } from './analysis/types.js';
import type { FlowArchive } from './archive/archive.js';
import type { ExporterCounters } from './decoders/session.js';
import { FlowColumns } from './columns.js';
import type { FlowRecord } from './record.js';
import { FlowsStore, type DetectionRun } from './store/flows-store.js';
import { Rollup } from './store/rollup.js';

const CHUNK_ROWS = 65_536;

export interface PipelineOptions {
  bucketMs?: number;
  maxWindowRecords?: number;
  archive?: FlowArchive;
  /** Rollup rows older than this (epoch-ms age) are pruned at each flush. */
  retentionMs?: number;
}

export class FlowPipeline {
  readonly flowsStore: FlowsStore;
  private readonly rollup: Rollup;
  private readonly chunks: FlowColumns[] = [];
  private windowRows = 0;
  private readonly maxWindow: number;
  dropped = 0;
  received = 0;

  constructor(store: Store, private readonly options: PipelineOptions = {}) {
    this.flowsStore = new FlowsStore(store);
    this.rollup = new Rollup(options.bucketMs ?? 3_600_000);
    this.maxWindow = options.maxWindowRecords ?? 2_000_000;
  }

  add(records: FlowRecord[], now = Date.now()): void {
    this.received += records.length;
    this.rollup.add(records);
    this.options.archive?.write(records, now);
    for (const r of records) {
      let c = this.chunks[this.chunks.length - 1];
      if (!c || c.length >= CHUNK_ROWS || c.exporter !== r.exporter) {
        c = new FlowColumns(1024, r.exporter);
        this.chunks.push(c);
      }
      c.push(r);
      this.windowRows++;
    }
    while (this.windowRows > this.maxWindow && this.chunks.length > 1) {
      const old = this.chunks.shift()!;
      this.windowRows -= old.length;
      this.dropped += old.length;
    }
  }

  get windowSize(): number {
    return this.windowRows;
  }

  /** The window as records (allocated for one detection run). */
  windowRecords(): FlowRecord[] {
    const out: FlowRecord[] = [];
    for (const c of this.chunks) for (let i = 0; i < c.length; i++) out.push(c.record(i));
    return out;
  }

  /** Writes pending rollups (and exporter counters), applies retention; returns rows written. */
  async flush(exporters: { exporter: string; counters: ExporterCounters }[] = [], now = Date.now()): Promise<number> {
    const rows = this.rollup.drain();
    await this.flowsStore.writeRollups(rows);
    if (exporters.length) await this.flowsStore.saveExporters(exporters, now);
    if (this.options.retentionMs) await this.flowsStore.pruneRollups(now - this.options.retentionMs);
    this.options.archive?.flush();
    return rows.length;
  }

  detect(options: DetectionOptions = {}): DetectionResult {
    return detectCandidates(this.windowRecords(), options);
  }

  async detectAndSave(options: DetectionOptions, source: string, now = Date.now()): Promise<{ run: DetectionRun; result: DetectionResult }> {
    const result = this.detect(options);
    const run = await this.flowsStore.saveDetection(result, source, now);
    return { run, result };
  }
}
