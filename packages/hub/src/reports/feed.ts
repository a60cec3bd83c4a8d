/**
 * Every way to read many reports: the feed (newest first, 50 a page), search (text and
 * indicator), export (JSON / CSV) and the dashboard's summary. All of them narrow in SQL by
 * the caller's audience keys, then pass every row through `canRead`.
 *
 * Why the page is right without a loop: a report in the true top N is, within each audience
 * key it is indexed under, among that key's top N; so the union of each key's top N+1
 * holds the true top N, and more than N distinct rows means there is a next page.
 */
import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { PREPARED_STATEMENT } from '@mamori/core';
import { canRead, principalKeys, type Principal } from '../access/policy.js';
import { auditReads, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import type { HubTables, ReportRow } from '../model/tables.js';
import { fail, int, oneOf, optionalTime, text } from '../model/validate.js';
import { isSectorId, type SectorId } from '../model/sectors.js';
import { normaliseIndicator, INDICATOR_TYPES } from './indicators.js';
import { reportProtection, rowToReport, type Report } from './model.js';
import type { Tlp } from '../access/tlp.js';
import { recipientsView, reportView } from './lifecycle.js';
import { CAUSES, REPORT_STATES } from './severity.js';

export interface FeedQuery {
  limit?: number;
  /** Opaque cursor from the previous page's `next`. */
  cursor?: string;
  sector?: SectorId;
  minSeverity?: number;
  status?: string;
  cause?: string;
  since?: number;
  /** Free text matched (case-insensitively) in title, description, impact and affected service. */
  q?: string;
  /** An indicator value (IP, domain, hash, ...), normalised before matching. */
  indicator?: string;
}

export interface FeedPage {
  items: Report[];
  next: string | null;
}

export const MAX_PAGE = 200;

/** Validates query-string style input into a FeedQuery (each error names its field). */
export function parseFeedQuery(raw: Record<string, unknown>): FeedQuery {
  const q: FeedQuery = {};
  const num = (v: unknown): unknown => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v);
  if (raw.limit !== undefined) q.limit = int(num(raw.limit), 'limit', 1, MAX_PAGE);
  if (raw.cursor !== undefined) q.cursor = text(raw.cursor, 'cursor', { min: 1, max: 32 });
  if (raw.sector !== undefined) q.sector = isSectorId(raw.sector) ? raw.sector : fail('sector', 'must be one of the 14 sector ids');
  if (raw.minSeverity !== undefined) q.minSeverity = int(num(raw.minSeverity), 'minSeverity', 0, 5);
  if (raw.status !== undefined) q.status = oneOf(raw.status, 'status', REPORT_STATES);
  if (raw.cause !== undefined) q.cause = oneOf(raw.cause, 'cause', CAUSES);
  if (raw.since !== undefined) q.since = optionalTime(num(raw.since), 'since') ?? undefined;
  if (raw.q !== undefined) q.q = text(raw.q, 'q', { min: 1, max: 200 });
  if (raw.indicator !== undefined) {
    const v = text(raw.indicator, 'indicator', { min: 1, max: 2048 });
    q.indicator = v;
  }
  return q;
}

/** The cursor of the page after `rows` (fetched as `limit + 1`): the last shown row's seq, or null on the last page. */
function nextCursor(rows: readonly { seq: unknown }[], limit: number): string | null {
  return rows.length > limit ? `s${Number(rows[limit - 1].seq)}` : null;
}

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = /^s(\d{1,15})$/.exec(cursor);
  if (!m) fail('cursor', 'is not a cursor this server issued');
  return Number(m[1]);
}

/** An indicator as typed by a person: try each type's normaliser and keep the values that parse. */
function indicatorValues(value: string): string[] {
  const out = new Set<string>([value.trim()]);
  for (const type of INDICATOR_TYPES) {
    try { out.add(normaliseIndicator({ type, value }, 'indicator').value); } catch { /* not this type */ }
  }
  return [...out];
}

const likeEscape = (s: string): string => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type ReportQuery = SelectQueryBuilder<HubTables & { a: HubTables['hub_report_audience']; r: HubTables['hub_report'] }, 'a' | 'r', ReportRow>;

function applyFilters(qb: ReportQuery, q: FeedQuery): ReportQuery {
  if (q.sector) qb = qb.where('r.sector', '=', q.sector);
  if (q.minSeverity !== undefined) qb = qb.where('r.severity', '>=', q.minSeverity);
  if (q.status) qb = qb.where('r.status', '=', q.status);
  if (q.cause) qb = qb.where('r.cause', '=', q.cause);
  if (q.since !== undefined) qb = qb.where('r.updated_at', '>=', q.since);
  if (q.q) {
    const pattern = likeEscape(q.q);
    qb = qb.where((eb) => eb.or((['r.title', 'r.description', 'r.impact', 'r.affected_service'] as const).map((c) => sql<boolean>`lower(${sql.ref(c)}) like ${pattern} escape '\\'`)));
  }
  if (q.indicator) {
    const values = indicatorValues(q.indicator);
    qb = qb.where('r.seq', 'in', (eb) => eb.selectFrom('hub_indicator').select('report_seq').where('value', 'in', values));
  }
  return qb;
}

const hasRowFilters = (q: FeedQuery): boolean =>
  q.sector !== undefined || q.minSeverity !== undefined || q.status !== undefined || q.cause !== undefined || q.since !== undefined || q.q !== undefined || q.indicator !== undefined;

/**
 * The newest `limit + 1` readable-by-key report rows, in two statements:
 *   1. each audience key's newest `limit + 1` matching sequence numbers (a UNION ALL of
 *      per-key index range scans, one round trip; without filters they are index-only
 *      scans that never touch hub_report), merged newest first in memory;
 *   2. those rows, by primary key.
 * Fetching whole rows per key (up to keys × (limit + 1) of them) cost PostgreSQL more in
 * planning the five-way join than in running it, and shipped rows that were then discarded.
 */
async function candidates(hub: HubContext, p: Principal, q: FeedQuery, limit: number, before: number | undefined): Promise<ReportRow[]> {
  const filtered = hasRowFilters(q);
  if (!filtered && hub.dialect === 'postgres') return newestByKeysPostgres(hub, principalKeys(p), limit, before);
  const perKey = principalKeys(p).map((key) => {
    let qb = hub.db.selectFrom('hub_report_audience as a').select('a.report_seq as seq').where('a.key', '=', key);
    if (before !== undefined) qb = qb.where('a.report_seq', '<', before);
    if (filtered) qb = applyFilters(qb.innerJoin('hub_report as r', 'r.seq', 'a.report_seq') as unknown as ReportQuery, q) as unknown as typeof qb;
    return qb.orderBy('a.report_seq', 'desc').limit(limit + 1);
  });
  // SQLite allows ORDER BY / LIMIT only on a whole compound select, so each part is a subquery.
  const parts = perKey.map((qb, i) => hub.db.selectFrom(qb.as(`k${i}`) as never).selectAll() as unknown as SelectQueryBuilder<any, any, { seq: number }>);
  const union = parts.slice(1).reduce((acc, part) => acc.unionAll(part), parts[0]);
  const seqs = [...new Set((await union.execute()).map((r) => Number(r.seq)))].sort((x, y) => y - x).slice(0, limit + 1);
  if (seqs.length === 0) return [];
  const rows = await hub.db.selectFrom('hub_report').selectAll().where('seq', 'in', seqs).execute();
  return (rows as unknown as ReportRow[]).sort((x, y) => Number(y.seq) - Number(x.seq));
}

/**
 * The unfiltered feed on PostgreSQL in one statement of fixed text: the same per-key index
 * scans (a lateral join over the keys instead of a UNION ALL of one subquery per key), then
 * the rows by primary key. One round trip instead of two, and a plan far cheaper to make than
 * the union's; prepared once per connection. (Exported so the benchmark can EXPLAIN it.)
 */
// Named, not `r.*`: the statement is prepared per connection, and a prepared `*` breaks when a column is added.
const REPORT_COLUMNS = sql.raw(['seq', 'id', 'owner_org_id', 'author_user_id', 'sector', 'affected_service', 'cause', 'severity', 'status', 'route', 'title', 'description',
  'impact', 'tlp', 'sharing', 'recipients', 'timeline', 'indicators', 'occurred_at', 'detected_at', 'created_at', 'updated_at', 'submitted_at', 'version', 'anonymised']
  .map((c) => `r.${c}`).join(', '));

/** The newest `limit + 1` report seqs any of `keys` may see, below `before`: one index scan per key. */
const newestSeqsByKeys = (keys: string[], limit: number, before: number | undefined): RawBuilder<unknown> => sql`
      select distinct s.seq from unnest(${keys}::text[]) as k(key) cross join lateral (
        select a.report_seq as seq from hub_report_audience a where a.key = k.key and a.report_seq < ${before ?? Number.MAX_SAFE_INTEGER} order by a.report_seq desc limit ${limit + 1}
      ) s order by s.seq desc limit ${limit + 1}`;

export function newestByKeysStatement(keys: string[], limit: number, before: number | undefined): RawBuilder<ReportRow> {
  return sql<ReportRow>`${sql.raw(PREPARED_STATEMENT)} select ${REPORT_COLUMNS} from hub_report r where r.seq in (${newestSeqsByKeys(keys, limit, before)})
    order by r.seq desc`;
}

/**
 * The same page as JSON text, items built by PostgreSQL (json_build_object; the JSON columns
 * pass through as the text stored), so the server neither parses 25 columns per row nor
 * re-serialises them. Only what the access rules need comes back as columns: each row still
 * goes through `canRead`, and `recipients` is still cut to the reader's view here.
 */
const ITEM_JSON = sql.raw(`json_build_object('id', r.id, 'ownerOrgId', r.owner_org_id, 'authorUserId', r.author_user_id, 'sector', r.sector,
  'affectedService', r.affected_service, 'cause', r.cause, 'severity', r.severity, 'status', r.status, 'route', r.route, 'title', r.title,
  'description', r.description, 'impact', r.impact, 'tlp', r.tlp, 'sharing', r.sharing::json, 'timeline', r.timeline::json,
  'indicators', r.indicators::json, 'occurredAt', r.occurred_at, 'detectedAt', r.detected_at, 'createdAt', r.created_at,
  'updatedAt', r.updated_at, 'submittedAt', r.submitted_at, 'version', r.version, 'anonymised', r.anonymised = 1)::text`);

interface ItemJsonRow { seq: number; id: string; owner_org_id: string; author_user_id: string; tlp: string; status: string; sharing: string; recipients: string; item: string }

export function newestByKeysJsonStatement(keys: string[], limit: number, before: number | undefined): RawBuilder<ItemJsonRow> {
  return sql<ItemJsonRow>`${sql.raw(PREPARED_STATEMENT)} select r.seq, r.id, r.owner_org_id, r.author_user_id, r.tlp, r.status, r.sharing, r.recipients, ${ITEM_JSON} as item
    from hub_report r where r.seq in (${newestSeqsByKeys(keys, limit, before)})
    order by r.seq desc`;
}

/**
 * `listReports` as response text, when PostgreSQL can build it (the unfiltered feed); null
 * otherwise, and the caller uses `listReports`. Same rows, same checks, same audit (durable
 * before this returns), same object shape.
 */
export async function listReportsJson(hub: HubContext, p: Principal, actor: Actor, q: FeedQuery = {}): Promise<string | null> {
  if (hub.dialect !== 'postgres' || hasRowFilters(q)) return null;
  const limit = Math.min(q.limit ?? 50, MAX_PAGE);
  const rows = (await newestByKeysJsonStatement(principalKeys(p), limit, decodeCursor(q.cursor)).execute(hub.db)).rows;
  const page = rows.slice(0, limit);
  const read: { id: string; tlp: string }[] = [];
  const parts: string[] = [];
  for (const r of page) {
    const recipients = JSON.parse(r.recipients) as Report['recipients'];
    const prot = reportProtection({ tlp: r.tlp as Tlp, sharing: JSON.parse(r.sharing), ownerOrgId: r.owner_org_id, authorUserId: r.author_user_id, recipients, status: r.status as Report['status'] });
    if (!canRead(p, prot)) continue;
    const shown = recipientsView(p, r.owner_org_id, recipients);
    read.push({ id: r.id, tlp: r.tlp });
    parts.push(`{"recipients":${JSON.stringify({ orgIds: shown.orgIds, userIds: shown.userIds })},${r.item.slice(1)}`);
  }
  await auditReads(hub, actor, 'report', read, 'feed');
  return `{"items":[${parts.join(',')}],"next":${JSON.stringify(nextCursor(rows, limit))}}`;
}

async function newestByKeysPostgres(hub: HubContext, keys: string[], limit: number, before: number | undefined): Promise<ReportRow[]> {
  return (await newestByKeysStatement(keys, limit, before).execute(hub.db)).rows;
}

/** One page of the reports `p` may read, newest first; AMBER/RED reads are audited. */
export async function listReports(hub: HubContext, p: Principal, actor: Actor, q: FeedQuery = {}, via = 'feed'): Promise<FeedPage> {
  const limit = Math.min(q.limit ?? 50, MAX_PAGE);
  const rows = await candidates(hub, p, q, limit, decodeCursor(q.cursor));
  const page = rows.slice(0, limit);
  const items = page.map(rowToReport).filter((r) => canRead(p, reportProtection(r))).map((r) => reportView(p, r));
  await auditReads(hub, actor, 'report', items, via);
  return { items, next: nextCursor(rows, limit) };
}

/** Search is the feed with a text or indicator filter (at least one is required). */
export async function searchReports(hub: HubContext, p: Principal, actor: Actor, q: FeedQuery): Promise<FeedPage> {
  if (!q.q && !q.indicator) fail('q', 'give q (text) or indicator');
  return listReports(hub, p, actor, q, 'search');
}

const CSV_COLUMNS = ['id', 'submittedAt', 'sector', 'severity', 'status', 'cause', 'tlp', 'affectedService', 'title', 'indicators'] as const;

/** A CSV cell: quoted, and defused against spreadsheet formula injection (=, +, -, @, tab, CR). */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

/** Exports up to `max` readable reports matching `q` (each page through canRead and audited). */
export async function exportReports(hub: HubContext, p: Principal, actor: Actor, q: FeedQuery, format: 'json' | 'csv', max = 10_000): Promise<string> {
  const all: Report[] = [];
  let cursor = q.cursor;
  do {
    const page = await listReports(hub, p, actor, { ...q, cursor, limit: MAX_PAGE }, 'export');
    all.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor && all.length < max);
  const items = all.slice(0, max);
  if (format === 'json') return JSON.stringify(items);
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of items) {
    lines.push([r.id, r.submittedAt === null ? '' : new Date(r.submittedAt).toISOString(), r.sector, r.severity, r.status, r.cause, r.tlp, r.affectedService, r.title,
      r.indicators.map((i) => `${i.type}:${i.value}`).join(' ')].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export interface DashboardSummary {
  since: number;
  total: number;
  bySector: Record<string, number>;
  bySeverity: Record<string, number>;
  byStatus: Record<string, number>;
  byTlp: Record<string, number>;
  /** True when more rows matched than were counted (`scanLimit`). */
  truncated: boolean;
}

/** Counts for the dashboard over the reports `p` may read, updated since `since`. */
/** Counts over the reports `p` may read, updated in [since, until) (until: open-ended when omitted). */
export async function dashboardSummary(hub: HubContext, p: Principal, since: number, scanLimit = 50_000, until?: number): Promise<DashboardSummary> {
  const perKey = await Promise.all(principalKeys(p).map((key) =>
    hub.db.selectFrom('hub_report_audience as a').innerJoin('hub_report as r', 'r.seq', 'a.report_seq')
      .select(['r.seq', 'r.sector', 'r.severity', 'r.status', 'r.tlp', 'r.sharing', 'r.owner_org_id', 'r.author_user_id', 'r.recipients'])
      .where('a.key', '=', key).where('r.updated_at', '>=', since).$if(until !== undefined, (q) => q.where('r.updated_at', '<', until!))
      .orderBy('a.report_seq', 'desc').limit(scanLimit + 1).execute()));
  const seen = new Map<number, (typeof perKey)[number][number]>();
  let truncated = false;
  for (const rows of perKey) {
    if (rows.length > scanLimit) truncated = true;
    for (const r of rows.slice(0, scanLimit)) seen.set(Number(r.seq), r);
  }
  const out: DashboardSummary = { since, total: 0, bySector: {}, bySeverity: {}, byStatus: {}, byTlp: {}, truncated };
  const bump = (m: Record<string, number>, k: string | number): void => { m[k] = (m[k] ?? 0) + 1; };
  for (const r of seen.values()) {
    const prot = reportProtection({ tlp: r.tlp as Report['tlp'], sharing: JSON.parse(r.sharing), ownerOrgId: r.owner_org_id, authorUserId: r.author_user_id, recipients: JSON.parse(r.recipients), status: r.status as Report['status'] });
    if (!canRead(p, prot)) continue;
    out.total++;
    bump(out.bySector, r.sector); bump(out.bySeverity, r.severity); bump(out.byStatus, r.status); bump(out.byTlp, r.tlp);
  }
  return out;
}
