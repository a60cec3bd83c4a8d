/**
 * The store side of a distributed run: its definition (written once by the coordinator,
 * read by every worker), each finished work item, and the findings. An item's findings
 * and its done marker are committed in one transaction, both insert-if-absent, and the
 * queue message is acknowledged only after that commit: an item redelivered after a crash
 * (before or after the commit) can never add a finding twice.
 */
import type { Kysely } from 'kysely';
import { MamoriError, type Store } from '@mamori/core';
import type { ConnectorLimits } from '../scope/connector.js';
import type { ProbeTimeouts } from '../probes/context.js';
import type { Finding } from '../types.js';
import type { SurveyResult } from '../scheduler.js';
import type { SurveyTables } from '../store/migrations.js';

/** Everything a worker needs to survey an item of the run exactly as the operator asked. */
export interface DistributedRun {
  runId: string;
  /** The authorised scope and exclusion list, as the operator's files had them. */
  scope: string;
  exclude: string;
  ports: number[];
  limits: Partial<ConnectorLimits>;
  timeouts: Partial<ProbeTimeouts>;
  telnetAttemptsPerConnection: number;
  /** Work items are aligned blocks of this prefix length (24 = one /24 per item). */
  itemBits: number;
  /** The dictionary every worker must hold: a worker with another one refuses the run. */
  dictionary: { version: number; digest: string; pairs: number };
}

/** A finished item's survey statistics and how long it took. */
export type ItemStats = SurveyResult['stats'] & { ms: number };

const db = (store: Store): Kysely<SurveyTables> => store.as<SurveyTables>();

export async function createDistributedRun(store: Store, run: DistributedRun, items: number): Promise<void> {
  await db(store).insertInto('survey_dist_run').values({ id: run.runId, created_at: Date.now(), finished_at: null, definition: JSON.stringify(run), items }).execute();
}

export async function loadDistributedRun(store: Store, runId: string): Promise<DistributedRun> {
  const row = await db(store).selectFrom('survey_dist_run').select(['definition']).where('id', '=', runId).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_SURVEY_NOT_FOUND', { what: 'distributed run', id: runId });
  return JSON.parse(row.definition) as DistributedRun;
}

export async function itemDone(store: Store, runId: string, item: string): Promise<boolean> {
  return (await db(store).selectFrom('survey_dist_item').select(['item']).where('run_id', '=', runId).where('item', '=', item).executeTakeFirst()) !== undefined;
}

/** The item's findings and its done marker, in one transaction; repeats are ignored. Returns findings newly stored. */
export async function commitItem(
  store: Store, runId: string, item: string, findings: readonly Finding[],
  meta: { worker: string; holder?: string; delivery: number; startedAt: number; stats: ItemStats },
): Promise<number> {
  return db(store).transaction().execute(async (trx) => {
    let added = 0;
    for (const f of findings) {
      const r = await trx.insertInto('survey_dist_finding').values({
        run_id: runId, address: f.address, port: f.port, credential_key: f.credentialId ?? '-', finding: JSON.stringify(f), worker: meta.worker,
      }).onConflict((oc) => oc.columns(['run_id', 'address', 'port', 'credential_key']).doNothing()).executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0n);
    }
    await trx.insertInto('survey_dist_item').values({
      run_id: runId, item, worker: meta.worker, delivery: meta.delivery, started_at: meta.startedAt, done_at: Date.now(), stats: JSON.stringify(meta.stats),
    }).onConflict((oc) => oc.columns(['run_id', 'item']).doNothing()).execute();
    // The item is done: its claim (see claims.ts) has nothing left to guard.
    if (meta.holder) await trx.deleteFrom('survey_dist_claim').where('run_id', '=', runId).where('item', '=', item).where('holder', '=', meta.holder).execute();
    return added;
  });
}

export interface DistributedProgress {
  items: number;
  itemsDone: number;
  findings: number;
  attempts: number;
  openPorts: number;
  /** Per worker: items, attempts, and `ms` from its first block's start to its last block's end (blocks overlap). */
  workers: Record<string, { items: number; attempts: number; ms: number; redelivered: number; first: number; last: number }>;
  /** Each finished item's statistics. */
  statsOfItems: ItemStats[];
}

export async function distributedProgress(store: Store, runId: string): Promise<DistributedProgress> {
  const run = await db(store).selectFrom('survey_dist_run').select(['items']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw new MamoriError('MAMORI_SURVEY_NOT_FOUND', { what: 'distributed run', id: runId });
  const rows = await db(store).selectFrom('survey_dist_item').select(['worker', 'delivery', 'stats', 'started_at', 'done_at']).where('run_id', '=', runId).execute();
  const found = await db(store).selectFrom('survey_dist_finding').select((eb) => eb.fn.countAll<number>().as('n')).where('run_id', '=', runId).executeTakeFirstOrThrow();
  const p: DistributedProgress = { items: Number(run.items), itemsDone: rows.length, findings: Number(found.n), attempts: 0, openPorts: 0, workers: {}, statsOfItems: [] };
  for (const r of rows) {
    const s = JSON.parse(r.stats) as ItemStats;
    p.statsOfItems.push(s);
    p.attempts += s.attempts;
    p.openPorts += s.openPorts;
    const w = (p.workers[r.worker] ??= { items: 0, attempts: 0, ms: 0, redelivered: 0, first: Infinity, last: 0 });
    w.items++;
    w.attempts += s.attempts;
    w.first = Math.min(w.first, Number(r.started_at));
    w.last = Math.max(w.last, Number(r.done_at));
    w.ms = w.last - w.first;
    if (Number(r.delivery) > 1) w.redelivered++;
  }
  return p;
}

export async function distributedFindings(store: Store, runId: string): Promise<Finding[]> {
  const rows = await db(store).selectFrom('survey_dist_finding').select(['finding']).where('run_id', '=', runId).orderBy('address').orderBy('port').execute();
  return rows.map((r) => JSON.parse(r.finding) as Finding);
}

export async function finishDistributedRun(store: Store, runId: string): Promise<void> {
  await db(store).updateTable('survey_dist_run').set({ finished_at: Date.now() }).where('id', '=', runId).execute();
}
