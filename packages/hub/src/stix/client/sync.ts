/**
 * Pull and push between a remote TAXII 2.1 collection and the local STIX store, resuming
 * where the last run stopped. The position is saved after every page or batch (in the
 * store's stix_sync table), so an interrupted run loses at most the page in flight, and
 * a page fetched twice is harmless (stored versions are idempotent).
 */
import { createHash } from 'node:crypto';
import { isMamoriError } from '@mamori/core';
import type { StixStore, PagePosition } from '../store/stix-store.js';
import { validateObjects } from '../validate/validate.js';
import type { ObjectsQuery, TaxiiClient, TaxiiStatus } from './taxii-client.js';

export interface PullPosition {
  /** The server's cursor for the next page, when a run stopped mid-way. */
  next?: string;
  /** The newest date_added seen (X-TAXII-Date-Added-Last): where a finished run resumes. */
  addedAfter?: string;
}

export interface PullProgress {
  pages: number;
  received: number;
  stored: number;
  invalid: number;
}

export interface PullOptions {
  client: TaxiiClient;
  remoteCollection: string;
  store: StixStore;
  localCollection: string;
  /** Identifies this sync in stix_sync; default derived from server URL and collection. */
  syncKey?: string;
  limit?: number;
  match?: ObjectsQuery['match'];
  /** Forget the saved position and start from the beginning. */
  restart?: boolean;
  onPage?: (p: PullProgress) => void;
}

export function pullKey(serverUrl: string, collection: string): string {
  return `pull|${serverUrl}|${collection}`;
}

export async function pullCollection(o: PullOptions): Promise<PullProgress & { position: PullPosition }> {
  const key = o.syncKey ?? pullKey(o.client.options.url, o.remoteCollection);
  let position: PullPosition = (o.restart ? undefined : await o.store.getSyncPosition<PullPosition>(key)) ?? {};
  const progress: PullProgress = { pages: 0, received: 0, stored: 0, invalid: 0 };
  const base: ObjectsQuery = { limit: o.limit, match: o.match };
  let query: ObjectsQuery = position.next ? { ...base, next: position.next } : { ...base, addedAfter: position.addedAfter };
  for (;;) {
    let pages;
    try {
      pages = o.client.pages(o.remoteCollection, query);
      for await (const page of pages) {
        const { valid, problems } = validateObjects(page.objects);
        const result = await o.store.add(o.localCollection, valid.map((v) => v.object));
        progress.pages++;
        progress.received += page.objects.length;
        progress.stored += result.successes.filter((s) => s.tlp !== undefined).length;
        progress.invalid += new Set(problems.map((p) => p.index)).size + result.failures.length;
        const newest = [position.addedAfter, page.last].filter((x): x is string => !!x).sort().pop();
        position = { addedAfter: newest, ...(page.more && page.next ? { next: page.next } : {}) };
        await o.store.setSyncPosition(key, position);
        o.onPage?.({ ...progress });
      }
      return { ...progress, position };
    } catch (e) {
      // A saved cursor the server no longer honours (restart, other key): resume by date.
      if (query.next && isMamoriError(e, 'MAMORI_HUB_TAXII_REMOTE') && e.details.status === 400) {
        query = { ...base, addedAfter: position.addedAfter };
        position = { addedAfter: position.addedAfter };
        continue;
      }
      throw e;
    }
  }
}

export interface PushProgress {
  batches: number;
  sent: number;
  succeeded: number;
  failed: number;
  failures: { id: string; message?: string }[];
}

/** Splits objects into batches whose envelope stays under `maxBytes` (and `maxCount`). */
export function batchesFor(objects: Record<string, unknown>[], maxBytes: number, maxCount = 1000): Record<string, unknown>[][] {
  const out: Record<string, unknown>[][] = [];
  let batch: Record<string, unknown>[] = [];
  let size = 16; // {"objects":[]}
  for (const o of objects) {
    const n = Buffer.byteLength(JSON.stringify(o)) + 1;
    if (batch.length && (size + n > maxBytes || batch.length >= maxCount)) {
      out.push(batch);
      batch = [];
      size = 16;
    }
    batch.push(o);
    size += n;
  }
  if (batch.length) out.push(batch);
  return out;
}

async function sendBatch(client: TaxiiClient, collection: string, batch: Record<string, unknown>[], progress: PushProgress): Promise<void> {
  let status: TaxiiStatus = await client.addObjects(collection, batch);
  if (status.status !== 'complete') status = await client.waitForStatus(status);
  progress.batches++;
  progress.sent += batch.length;
  progress.succeeded += status.success_count;
  progress.failed += status.failure_count;
  for (const f of status.failures ?? []) if (progress.failures.length < 100) progress.failures.push({ id: f.id, message: f.message });
}

export interface PushOptions {
  client: TaxiiClient;
  remoteCollection: string;
  store: StixStore;
  syncKey?: string;
  restart?: boolean;
  batchSize?: number;
  onBatch?: (p: PushProgress) => void;
}

/** Pushes a list of objects (a file), resuming after the last batch the server accepted. */
export async function pushObjects(o: PushOptions & { objects: Record<string, unknown>[] }): Promise<PushProgress> {
  const digest = createHash('sha256').update(JSON.stringify(o.objects.map((x) => [x.id, x.modified ?? x.created ?? '']))).digest('hex').slice(0, 16);
  const key = o.syncKey ?? `push|${o.client.options.url}|${o.remoteCollection}|${digest}`;
  const start = o.restart ? 0 : ((await o.store.getSyncPosition<{ done: number }>(key))?.done ?? 0);
  const { max_content_length: max } = await o.client.apiRootInfo();
  const progress: PushProgress = { batches: 0, sent: 0, succeeded: 0, failed: 0, failures: [] };
  let done = start;
  for (const batch of batchesFor(o.objects.slice(start), Math.max(1024, Math.floor((max || 1 << 20) * 0.9)), o.batchSize ?? 1000)) {
    await sendBatch(o.client, o.remoteCollection, batch, progress);
    done += batch.length;
    await o.store.setSyncPosition(key, { done });
    o.onBatch?.({ ...progress });
  }
  return progress;
}

/** Pushes a local collection, resuming after the last object sent (by the store's page order). */
export async function pushCollection(o: PushOptions & { localCollection: string }): Promise<PushProgress> {
  const key = o.syncKey ?? `push|${o.client.options.url}|${o.remoteCollection}|local:${o.localCollection}`;
  let after = o.restart ? undefined : await o.store.getSyncPosition<PagePosition>(key);
  const { max_content_length: max } = await o.client.apiRootInfo();
  const progress: PushProgress = { batches: 0, sent: 0, succeeded: 0, failed: 0, failures: [] };
  for (;;) {
    const page = await o.store.page({ collectionId: o.localCollection, after, limit: o.batchSize ?? 1000, versions: { all: true } });
    if (page.rows.length === 0) break;
    for (const batch of batchesFor(page.rows.map((r) => r.object), Math.max(1024, Math.floor((max || 1 << 20) * 0.9)))) {
      await sendBatch(o.client, o.remoteCollection, batch, progress);
    }
    const last = page.rows[page.rows.length - 1];
    after = { dateAdded: last.dateAdded, id: last.id, versionKey: last.versionKey };
    await o.store.setSyncPosition(key, after);
    o.onBatch?.({ ...progress });
    if (!page.more) break;
  }
  return progress;
}
