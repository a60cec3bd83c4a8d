/**
 * Findings, runs and notification batches in the store (Kysely; same code on SQLite and
 * PostgreSQL). A run is recorded in one transaction; a re-survey turns findings it could
 * reach but no longer log in to into `fixed`, and leaves unreachable ones as they were
 * (a device that is offline, or whose address moved, is not evidence of a fix).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { MamoriError, type Store } from '@mamori/core';
import type { AttributionTable } from '../attribution/ip2asn.js';
import type { SurveyResult } from '../scheduler.js';
import type { FindingType, SurveyProtocol, WeakDevice } from '../types.js';
import type { SurveyTables } from './migrations.js';

export type FindingStatus = 'weak' | 'fixed';
export type BatchState = 'prepared' | 'sent' | 'acknowledged';

export interface StoredFinding {
  id: number;
  address: string;
  port: number;
  protocol: SurveyProtocol;
  type: FindingType;
  credentialId?: string;
  method: string;
  asn?: number;
  isp?: string;
  model?: string;
  banner?: string;
  firstSeen: number;
  lastSeen: number;
  evidenceAt: number;
  status: FindingStatus;
  fixedAt?: number;
  lastRunId: string;
}

export interface RunSummary {
  id: string;
  kind: 'survey' | 'resurvey';
  startedAt: number;
  finishedAt: number;
  scope: string[];
  stats: Record<string, number>;
}

const db = (store: Store): Kysely<SurveyTables> => store.as<SurveyTables>();
const n = (v: unknown): number => Number(v);
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toFinding(r: SurveyTables['survey_finding']): StoredFinding {
  return {
    id: n(r.id), address: r.address, port: n(r.port), protocol: r.protocol as SurveyProtocol, type: r.type as FindingType,
    credentialId: opt(r.credential_id), method: r.method, asn: r.asn === null ? undefined : n(r.asn), isp: opt(r.isp),
    model: opt(r.model), banner: opt(r.banner), firstSeen: n(r.first_seen), lastSeen: n(r.last_seen), evidenceAt: n(r.evidence_at),
    status: r.status as FindingStatus, fixedAt: r.fixed_at === null ? undefined : n(r.fixed_at), lastRunId: r.last_run_id,
  };
}

export interface RecordRunOptions {
  kind?: 'survey' | 'resurvey';
  attribution?: AttributionTable;
  scope?: string[];
}

export interface RecordRunSummary {
  newFindings: number;
  stillWeak: number;
  fixed: number;
  unreachable: number;
}

/** Stores a run's findings (upserted by service) and, for a re-survey, which past findings are fixed. */
export async function recordRun(store: Store, result: SurveyResult, options: RecordRunOptions = {}): Promise<RecordRunSummary> {
  const kind = options.kind ?? 'survey';
  const summary: RecordRunSummary = { newFindings: 0, stillWeak: 0, fixed: 0, unreachable: 0 };
  await db(store).transaction().execute(async (trx) => {
    await trx.insertInto('survey_run').values({
      id: result.runId, kind, started_at: result.startedAt, finished_at: result.finishedAt,
      scope: JSON.stringify(options.scope ?? []), stats: JSON.stringify(result.stats),
    }).execute();
    const foundKeys = new Set<string>();
    for (const f of result.findings) {
      foundKeys.add(`${f.address}|${f.port}|${f.protocol}`);
      const who = options.attribution?.lookup(f.address);
      const existing = await trx.selectFrom('survey_finding').select(['id'])
        .where('address', '=', f.address).where('port', '=', f.port).where('protocol', '=', f.protocol).executeTakeFirst();
      let id: number;
      if (existing) {
        id = n(existing.id);
        await trx.updateTable('survey_finding').set({
          type: f.type, credential_id: f.credentialId ?? null, method: f.method, last_seen: f.evidenceAt, evidence_at: f.evidenceAt,
          status: 'weak', fixed_at: null, last_run_id: result.runId, model: f.model ?? null, banner: f.banner ?? null,
          ...(who ? { asn: who.asn, isp: who.isp } : {}),
        }).where('id', '=', id).execute();
        summary.stillWeak++;
      } else {
        const row = await trx.insertInto('survey_finding').values({
          address: f.address, port: f.port, protocol: f.protocol, type: f.type, credential_id: f.credentialId ?? null, method: f.method,
          asn: who?.asn ?? null, isp: who?.isp ?? null, model: f.model ?? null, banner: f.banner ?? null,
          first_seen: f.evidenceAt, last_seen: f.evidenceAt, evidence_at: f.evidenceAt, status: 'weak', fixed_at: null, last_run_id: result.runId,
        }).returning('id').executeTakeFirstOrThrow();
        id = n(row.id);
        summary.newFindings++;
      }
      await trx.insertInto('survey_observation').values({ finding_id: id, run_id: result.runId, at: f.evidenceAt, result: 'weak' }).execute();
    }
    if (kind !== 'resurvey') return;
    // Re-survey: every past weak finding among the targets that was not found weak again.
    const reached = new Map(result.services.map((s) => [`${s.address}|${s.port}|${s.protocol}`, s]));
    const refused = new Map(result.checked.map((c) => [`${c.address}|${c.port}|${c.protocol}`, c]));
    const targets = new Set((result.targets ?? []).map((t) => `${t.address}|${t.port}`));
    const open = await trx.selectFrom('survey_finding').selectAll().where('status', '=', 'weak').execute();
    for (const row of open) {
      const key = `${row.address}|${row.port}|${row.protocol}`;
      if (foundKeys.has(key) || row.last_run_id === result.runId) continue;
      const targeted = reached.has(key) || refused.has(key) || targets.has(`${row.address}|${row.port}`);
      if (!targeted) continue;
      const check = refused.get(key);
      const fixed = reached.has(key) && (!check || check.stopped === undefined || check.stopped === 'unsupported');
      const at = result.finishedAt;
      if (fixed) {
        await trx.updateTable('survey_finding').set({ status: 'fixed', fixed_at: at, last_run_id: result.runId }).where('id', '=', row.id).execute();
        summary.fixed++;
      } else {
        summary.unreachable++;
      }
      await trx.insertInto('survey_observation').values({ finding_id: n(row.id), run_id: result.runId, at, result: fixed ? 'fixed' : 'unreachable' }).execute();
    }
  });
  return summary;
}

export interface FindingQuery {
  isp?: string;
  status?: FindingStatus;
  limit?: number;
}

export async function listFindings(store: Store, q: FindingQuery = {}): Promise<StoredFinding[]> {
  let query = db(store).selectFrom('survey_finding').selectAll().orderBy('id');
  if (q.isp !== undefined) query = query.where('isp', '=', q.isp);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  if (q.limit !== undefined) query = query.limit(q.limit);
  return (await query.execute()).map(toFinding);
}

/** Devices known to be weak now — what `flows` (known bots' neighbours) and `supply` (models) read. */
export async function listWeakDevices(store: Store, q: { isp?: string } = {}): Promise<WeakDevice[]> {
  return (await listFindings(store, { ...q, status: 'weak' })).map((f) => ({
    address: f.address, port: f.port, protocol: f.protocol, type: f.type, banner: f.banner, model: f.model,
    asn: f.asn, isp: f.isp, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
  }));
}

/** Past weak findings as re-survey targets. */
export async function resurveyTargets(store: Store, q: { isp?: string } = {}): Promise<{ address: string; port: number }[]> {
  return (await listFindings(store, { ...q, status: 'weak' })).map((f) => ({ address: f.address, port: f.port }));
}

export async function listRuns(store: Store, limit = 100): Promise<RunSummary[]> {
  const rows = await db(store).selectFrom('survey_run').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    id: r.id, kind: r.kind as RunSummary['kind'], startedAt: n(r.started_at), finishedAt: n(r.finished_at),
    scope: JSON.parse(r.scope) as string[], stats: JSON.parse(r.stats) as Record<string, number>,
  }));
}

// ---- notification batches ----

export interface Batch {
  id: string;
  isp: string;
  state: BatchState;
  createdAt: number;
  sentAt?: number;
  acknowledgedAt?: number;
  items: number;
}

/** One row per device in a notification to an ISP (no credential, not even its id). */
export interface NotificationRow {
  address: string;
  port: number;
  protocol: string;
  firstSeen: number;
  lastSeen: number;
  findingType: string;
  evidenceAt: number;
}

function toBatch(r: SurveyTables['survey_batch']): Batch {
  return {
    id: r.id, isp: r.isp, state: r.state as BatchState, createdAt: n(r.created_at),
    sentAt: r.sent_at === null ? undefined : n(r.sent_at), acknowledgedAt: r.acknowledged_at === null ? undefined : n(r.acknowledged_at), items: n(r.items),
  };
}

/** Gathers an ISP's weak findings not yet in any batch into a new `prepared` batch; null if there are none. */
export async function prepareBatch(store: Store, isp: string, now = Date.now()): Promise<Batch | null> {
  return db(store).transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('survey_finding').select(['id']).where('isp', '=', isp).where('status', '=', 'weak')
      .where('id', 'not in', trx.selectFrom('survey_batch_item').select('finding_id')).orderBy('id').execute();
    if (rows.length === 0) return null;
    const batch = { id: randomUUID(), isp, state: 'prepared', created_at: now, sent_at: null, acknowledged_at: null, items: rows.length };
    await trx.insertInto('survey_batch').values(batch).execute();
    for (let i = 0; i < rows.length; i += 500) {
      await trx.insertInto('survey_batch_item').values(rows.slice(i, i + 500).map((r) => ({ batch_id: batch.id, finding_id: n(r.id) }))).execute();
    }
    return toBatch(batch);
  });
}

export async function getBatch(store: Store, id: string): Promise<Batch> {
  const r = await db(store).selectFrom('survey_batch').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new MamoriError('MAMORI_SURVEY_NOT_FOUND', { what: 'batch', id });
  return toBatch(r);
}

export async function listBatches(store: Store, q: { isp?: string } = {}): Promise<Batch[]> {
  let query = db(store).selectFrom('survey_batch').selectAll().orderBy('created_at', 'desc');
  if (q.isp !== undefined) query = query.where('isp', '=', q.isp);
  return (await query.execute()).map(toBatch);
}

export async function batchRows(store: Store, id: string): Promise<NotificationRow[]> {
  await getBatch(store, id);
  const rows = await db(store).selectFrom('survey_batch_item').innerJoin('survey_finding', 'survey_finding.id', 'survey_batch_item.finding_id')
    .select(['address', 'port', 'protocol', 'first_seen', 'last_seen', 'type', 'evidence_at'])
    .where('batch_id', '=', id).orderBy('survey_finding.id').execute();
  return rows.map((r) => ({
    address: r.address, port: n(r.port), protocol: r.protocol, firstSeen: n(r.first_seen), lastSeen: n(r.last_seen), findingType: r.type, evidenceAt: n(r.evidence_at),
  }));
}

const NEXT: Record<BatchState, BatchState | null> = { prepared: 'sent', sent: 'acknowledged', acknowledged: null };

/** prepared → sent → acknowledged, each once and in order. */
export async function setBatchState(store: Store, id: string, to: BatchState, at = Date.now()): Promise<Batch> {
  const b = await getBatch(store, id);
  if (NEXT[b.state] !== to) throw new MamoriError('MAMORI_SURVEY_BATCH_STATE', { id, from: b.state, to });
  await db(store).updateTable('survey_batch')
    .set(to === 'sent' ? { state: to, sent_at: at } : { state: to, acknowledged_at: at })
    .where('id', '=', id).where('state', '=', b.state).execute();
  return getBatch(store, id);
}
