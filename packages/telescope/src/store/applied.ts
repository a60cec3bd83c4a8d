/**
 * Applied markers: a row in `telescope_applied` per merged unit, written in the unit's own
 * transaction, so a unit handed over again (a redelivered sensor batch, a capture file
 * ingested again after a crash) is recognised and adds nothing.
 *
 * Sensor batches are keyed (sensor id, batch id). A capture file's intervals are keyed
 * (`@file:<sha256>`, bucket start): sensor ids cannot start with `@`, so the two never meet.
 * File markers live only until the file's row in `telescope_files` is written, which then
 * stands for the whole file; age-based pruning leaves them alone.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Kysely, Transaction } from 'kysely';
import { MamoriError, type Store } from '@mamori/core';
import type { TelescopeTables } from './tables.js';

const FILE_PREFIX = '@file:';

/** The marker key of a capture file's intervals. */
export function fileMarker(digest: string): string {
  return `${FILE_PREFIX}${digest}`;
}

/** Inserts a marker unless it is there; true when this transaction is the first to apply the unit. */
export async function markApplied(tx: Transaction<TelescopeTables>, sensor: string, batch: string, rows: number): Promise<boolean> {
  const marked = await tx.insertInto('telescope_applied')
    .values({ sensor, batch, applied_ms: Date.now(), rows })
    .onConflict((oc) => oc.columns(['sensor', 'batch']).doNothing())
    .executeTakeFirst();
  return Number(marked.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Deletes sensor-batch markers applied before `beforeMs` (file markers stay: see above).
 * Safe once no message older than that can still arrive: JetStream removes a work-queue
 * message when it is acknowledged, so a marker is needed only while its message may be
 * redelivered (ack wait after a crash between commit and ack) or a sensor may re-send the
 * same capture. Returns the rows deleted.
 */
export async function pruneApplied(store: Store, beforeMs: number): Promise<number> {
  const r = await store.as<TelescopeTables>().deleteFrom('telescope_applied')
    .where('applied_ms', '<', beforeMs)
    .where('sensor', 'not like', `${FILE_PREFIX}%`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** SHA-256 (hex) of a file's bytes as stored: a gzip copy and a plain copy differ. */
export async function captureDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (e) {
    throw new MamoriError('MAMORI_TELESCOPE_INPUT', { reason: `cannot read ${path}: ${(e as Error).message}` }, { cause: e });
  }
  return hash.digest('hex');
}

export interface IngestedFile {
  digest: string;
  source: string;
  size: number;
  ingestedMs: number;
  /** The report of the run that counted the file (an `IngestReport`). */
  report: Record<string, unknown>;
}

/** The file with this digest, if it has been counted into the store. */
export async function ingestedFile(db: Kysely<TelescopeTables>, digest: string): Promise<IngestedFile | null> {
  const row = await db.selectFrom('telescope_files').selectAll().where('digest', '=', digest).executeTakeFirst();
  if (!row) return null;
  return { digest: row.digest, source: row.source, size: Number(row.size), ingestedMs: Number(row.ingested_ms), report: JSON.parse(row.report) as Record<string, unknown> };
}
