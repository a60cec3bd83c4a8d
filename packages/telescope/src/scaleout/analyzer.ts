/**
 * The analyzer: takes sensor batches off the work queue and merges them into the store
 * with an exactly-once effect. Each batch's marker (sensor, batch id) goes into
 * `telescope_applied` in the same transaction as its rows; a batch whose marker is already
 * there (a redelivery after a crash between commit and ack, or a re-sent capture) is
 * acknowledged without effect. The queue acknowledges only after the handler resolves,
 * that is after the commit; a failed merge rolls back and the batch is redelivered.
 */
import type { Bus, Logger, Store, WorkMessage, WorkQueue } from '@mamori/core';
import { recordIngest } from '../ingest.js';
import { markApplied, pruneApplied } from '../store/applied.js';
import { publishInterval, writeIntervalIn } from '../store/sink.js';
import type { TelescopeTables } from '../store/tables.js';
import { batchId, batchRows, decodeBatch, intervalPartOf, type SensorBatch } from './batch.js';

export interface AnalyzerOptions {
  /** Batches merged at once (default 4: merges wait on the database, so several overlap). */
  concurrency?: number;
  /** Publish interval, alert, victim and infected events after each merge (default true). */
  publish?: boolean;
  log?: Logger;
  /**
   * Runs inside the merge's transaction, after its rows are written and before the commit.
   * A throw rolls the merge back and the batch is redelivered (instrumentation and tests).
   */
  beforeCommit?: (batch: SensorBatch, deliveryCount: number) => void | Promise<void>;
  /** Pause before a failed merge is handed back for redelivery (default 500 ms). */
  retryDelayMs?: number;
  /**
   * How long applied markers are kept (default 7 days). Long enough for any redelivery (an
   * ack wait after the analyzers come back) and for a sensor re-sending an old capture to
   * be recognised; JetStream's own duplicate window is only 2 minutes.
   */
  appliedRetentionMs?: number;
  /** How often old markers are pruned, the first time one period after the start (default 1 hour; 0: never). */
  pruneEveryMs?: number;
}

export const DEFAULT_APPLIED_RETENTION_MS = 7 * 24 * 3_600_000;

export interface AnalyzerStats {
  /** Messages taken off the queue. */
  received: number;
  /** Batches merged (first time). */
  applied: number;
  /** Batches found already applied: acknowledged without effect. */
  duplicates: number;
  /** Messages that were not sensor batches: logged and dropped. */
  rejected: number;
  /** Merges that failed and were handed back for redelivery. */
  failed: number;
  /** Rows merged. */
  rows: number;
  /** Old applied markers deleted. */
  pruned: number;
  /** Time spent parsing and checking messages, and inside merge transactions (where the bottleneck is). */
  decodeMs: number;
  mergeMs: number;
}

/** Merges one batch and its applied marker in one transaction; false if it was already applied. */
export async function applyBatch(store: Store, batch: SensorBatch, beforeCommit?: () => void | Promise<void>): Promise<boolean> {
  return store.as<TelescopeTables>().transaction().execute(async (tx) => {
    if (!(await markApplied(tx, batch.sensor, batchId(batch), batchRows(batch)))) return false;
    if (batch.kind === 'interval') await writeIntervalIn(tx, intervalPartOf(batch));
    else await recordIngest(tx, { ...batch.report, source: `${batch.sensor}:${batch.report.source}` });
    await beforeCommit?.();
    return true;
  });
}

export interface Analyzer {
  readonly stats: AnalyzerStats;
  /** Stops taking batches; in-flight merges finish (or are redelivered to another analyzer). */
  stop(): Promise<void>;
}

export function startAnalyzer(platform: { store: Store; bus: Bus }, queue: WorkQueue, options: AnalyzerOptions = {}): Analyzer {
  const stats: AnalyzerStats = { received: 0, applied: 0, duplicates: 0, rejected: 0, failed: 0, rows: 0, pruned: 0, decodeMs: 0, mergeMs: 0 };
  const handle = async (msg: WorkMessage): Promise<void> => {
    stats.received++;
    let batch: SensorBatch;
    const t0 = performance.now();
    try {
      batch = decodeBatch(msg.data);
      stats.decodeMs += performance.now() - t0;
    } catch (e) {
      // Redelivering a message that can never parse would loop forever: drop it, loudly.
      stats.rejected++;
      options.log?.error({ err: e, queue: queue.name }, 'telescope analyzer: dropped a message that is not a sensor batch');
      return;
    }
    const t1 = performance.now();
    try {
      const applied = await applyBatch(platform.store, batch, options.beforeCommit && (() => options.beforeCommit!(batch, msg.deliveryCount)));
      stats.mergeMs += performance.now() - t1;
      if (!applied) {
        stats.duplicates++;
        return;
      }
      stats.applied++;
      stats.rows += batchRows(batch);
    } catch (e) {
      stats.failed++;
      options.log?.warn({ err: e, sensor: batch.sensor, batch: batchId(batch) }, 'telescope analyzer: merge failed; the batch will be redelivered');
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 500));
      throw e;
    }
    // Events are advisory (live dashboards): sent after the commit, not part of exactly-once.
    if (batch.kind === 'interval' && options.publish !== false) await publishInterval(platform.bus, intervalPartOf(batch)).catch(() => undefined);
  };
  const consumer = queue.consume(handle, { concurrency: options.concurrency ?? 4 });
  // The first prune waits a period, so a restarted analyzer takes its redeliveries first.
  const retention = options.appliedRetentionMs ?? DEFAULT_APPLIED_RETENTION_MS;
  const every = options.pruneEveryMs ?? 3_600_000;
  let pruning: Promise<void> = Promise.resolve();
  const timer = every > 0 ? setInterval(() => {
    pruning = pruneApplied(platform.store, Date.now() - retention)
      .then((n) => { stats.pruned += n; })
      .catch((e: unknown) => options.log?.warn({ err: e }, 'telescope analyzer: pruning applied markers failed; will retry'));
  }, every) : null;
  timer?.unref();
  return {
    stats,
    async stop() {
      if (timer) clearInterval(timer);
      await consumer.stop();
      await pruning;
    },
  };
}

/** Resolves once the queue has had nothing pending for `idleMs` (or the signal aborts). */
export async function untilIdle(queue: WorkQueue, idleMs: number, signal?: AbortSignal, pollMs = 250): Promise<void> {
  let idleSince: number | null = null;
  while (!signal?.aborted) {
    const pending = await queue.pending();
    const now = Date.now();
    if (pending > 0) idleSince = null;
    else if (idleSince === null) idleSince = now;
    else if (now - idleSince >= idleMs) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
