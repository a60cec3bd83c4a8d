/**
 * Report persistence: the row, its audience keys (the feed's index), its indicator index and
 * its history, always written together inside the caller's transaction.
 */
import type { Kysely } from 'kysely';
import { MamoriError } from '@mamori/core';
import { audienceKeys } from '../access/policy.js';
import type { HubTables } from '../model/tables.js';
import { reportProtection, reportToRow, rowToReport, type Report } from './model.js';

export async function loadReport(db: Kysely<HubTables>, id: string): Promise<{ seq: number; report: Report }> {
  const row = typeof id === 'string' && id.length <= 64 ? await db.selectFrom('hub_report').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'report', id: String(id).slice(0, 64) });
  return { seq: Number(row.seq), report: rowToReport(row) };
}

async function index(trx: Kysely<HubTables>, seq: number, report: Report): Promise<void> {
  await trx.deleteFrom('hub_report_audience').where('report_seq', '=', seq).execute();
  await trx.insertInto('hub_report_audience').values(audienceKeys(reportProtection(report)).map((key) => ({ key, report_seq: seq }))).execute();
  await trx.deleteFrom('hub_indicator').where('report_seq', '=', seq).execute();
  const seen = new Set<string>();
  const rows = report.indicators.filter((i) => !seen.has(i.value) && seen.add(i.value)).map((i) => ({ report_seq: seq, type: i.type, value: i.value }));
  for (let i = 0; i < rows.length; i += 200) await trx.insertInto('hub_indicator').values(rows.slice(i, i + 200)).execute();
}

async function history(trx: Kysely<HubTables>, report: Report, userId: string, action: string, at: number): Promise<void> {
  await trx.insertInto('hub_report_history').values({ report_id: report.id, version: report.version, at, user_id: userId, action, snapshot: JSON.stringify(report) }).execute();
}

export async function insertReport(trx: Kysely<HubTables>, report: Report, userId: string, action: string): Promise<number> {
  const { seq } = await trx.insertInto('hub_report').values(reportToRow(report)).returning('seq').executeTakeFirstOrThrow();
  await index(trx, Number(seq), report);
  await history(trx, report, userId, action, report.updatedAt);
  return Number(seq);
}

/** Writes `next` over version `next.version - 1` (optimistic: a concurrent change gives 409). */
export async function updateReport(trx: Kysely<HubTables>, seq: number, next: Report, userId: string, action: string): Promise<void> {
  const { id, ...rest } = reportToRow(next);
  const r = await trx.updateTable('hub_report').set(rest).where('id', '=', id).where('version', '=', next.version - 1).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `report ${id} was changed by someone else; reload it and try again` });
  await index(trx, seq, next);
  await history(trx, next, userId, action, next.updatedAt);
}
