/**
 * What the edges (CLI collector and importer, server) share: records in → rollups in the
 * store, optionally the raw archive, and a bounded window of recent records for detection.
 * Memory is bounded by `maxWindowRecords`; the oldest records leave the window first.
 */
import type { Store } from '@mamori/core';
import { detectCandidates } from './analysis/candidates.js';
import type { DetectionOptions, DetectionResult } from './analysis/types.js';
import type { FlowArchive } from './archive/archive.js';
import type { ExporterCounters } from './decoders/session.js';
import type { FlowRecord } from './record.js';
import { FlowsStore, type DetectionRun } from './store/flows-store.js';
import { Rollup } from './store/rollup.js';

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
  private window: FlowRecord[] = [];
  private windowStart = 0;
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
    for (const r of records) this.window.push(r);
    const excess = this.window.length - this.windowStart - this.maxWindow;
    if (excess > 0) {
      this.windowStart += excess;
      this.dropped += excess;
      // Compact now and then instead of shifting on every batch.
      if (this.windowStart > this.maxWindow / 2) { this.window = this.window.slice(this.windowStart); this.windowStart = 0; }
    }
  }

  get windowSize(): number {
    return this.window.length - this.windowStart;
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
    return detectCandidates(this.window.slice(this.windowStart), options);
  }

  async detectAndSave(options: DetectionOptions, source: string, now = Date.now()): Promise<{ run: DetectionRun; result: DetectionResult }> {
    const result = this.detect(options);
    const run = await this.flowsStore.saveDetection(result, source, now);
    return { run, result };
  }
}
