/**
 * A report's life: draft → submitted (to the coordinator, or to its sector's CEPTOAR
 * secretariat) → relayed (the secretariat sends an edited, anonymised copy onwards) →
 * under analysis → closed. Every change is audited, kept in history, and re-indexed for the
 * feed; publication enqueues alerts in the same transaction (transactional outbox).
 */
import type { Kysely } from 'kysely';
import { MamoriError } from '@mamori/core';
import { assertCan, assertCanRead, assertCanWrite, can, canRead, inheritTlp, type Principal } from '../access/policy.js';
import { parseTlp, tlpRank, type Tlp } from '../access/tlp.js';
import { audited, auditReads, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import type { HubTables } from '../model/tables.js';
import { fail, text } from '../model/validate.js';
import { contentHash, parseRecipients, parseReportFields, parseSharing, parseTimeline, reportProtection, type Report } from './model.js';
import { insertReport, loadReport, updateReport } from './repo.js';
import { enqueueAlerts, openPageIfSevere } from '../alerts/fanout.js';
import { TRANSITIONS, ROUTES, type ReportRoute, type ReportState } from './severity.js';

/** After commit: tell every server (SSE streams, dispatchers) through the bus. */
async function published(hub: HubContext, report: Report): Promise<void> {
  await hub.bus.publish('mamori.hub.report.published', { id: report.id, version: report.version, severity: report.severity })
    .catch((e) => hub.log.warn({ err: e }, 'hub: publishing report event failed'));
}

async function routeRecipients(db: Kysely<HubTables>, route: ReportRoute, sector: string): Promise<string[]> {
  const q = db.selectFrom('hub_org').select('id');
  const rows = route === 'coordinator'
    ? await q.where('role', '=', 'coordinator').execute()
    : await q.where('role', '=', 'ceptoar-secretariat').where('sector', '=', sector).execute();
  if (rows.length === 0) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: route === 'coordinator' ? 'no coordinator organisation is registered' : `sector ${sector} has no CEPTOAR secretariat registered` });
  return rows.map((r) => r.id);
}

/** Fills in the route's recipients and checks that a RED report names its readers. */
async function addressed(db: Kysely<HubTables>, report: Report): Promise<Report> {
  const orgIds = [...new Set([...(report.recipients.orgIds ?? []), ...(report.route === 'relay' ? [] : await routeRecipients(db, report.route, report.sector))])];
  if (report.tlp === 'RED' && (report.recipients.userIds ?? []).length === 0) fail('recipients.userIds', 'a TLP:RED report goes to named people only: name at least one recipient user');
  return { ...report, recipients: { orgIds, userIds: report.recipients.userIds ?? [] } };
}

async function receipts(trx: Kysely<HubTables>, reportId: string, delivered: Report, orgIds: string[], via: 'route' | 'relay', at: number): Promise<void> {
  const hash = contentHash(delivered);
  if (orgIds.length) await trx.insertInto('hub_receipt').values(orgIds.map((o) => ({ report_id: reportId, recipient_org_id: o, via, delivered_report_id: delivered.id, content_sha256: hash, at }))).execute();
}

/** Inside the publishing transaction: alerts to subscribers who may read it, and paging. */
async function publishInTrx(hub: HubContext, trx: Kysely<HubTables>, report: Report): Promise<void> {
  await enqueueAlerts(hub, trx, report);
  await openPageIfSevere(hub, trx, report);
}

export interface NewReport {
  route?: unknown;
  submit?: unknown;
  [field: string]: unknown;
}

/** Creates a report (a draft, or submitted at once with `submit: true`). */
export async function createReport(hub: HubContext, p: Principal, actor: Actor, input: NewReport): Promise<Report> {
  assertCanWrite(p, undefined, 'report');
  const f = parseReportFields(input, hub.config.textLimit, false);
  const route = input.route === undefined ? 'coordinator' : input.route;
  if (route !== 'coordinator' && route !== 'secretariat') fail('route', 'must be coordinator or secretariat');
  if (input.submit !== undefined && typeof input.submit !== 'boolean') fail('submit', 'must be a boolean');
  const now = hub.now();
  let report: Report = {
    id: hub.newId(), ownerOrgId: p.orgId, authorUserId: p.userId, sector: f.sector!, affectedService: f.affectedService!, cause: f.cause!,
    severity: f.severity!, status: 'draft', route, title: f.title!, description: f.description!, impact: f.impact!, tlp: f.tlp!,
    sharing: f.sharing!, recipients: f.recipients!, timeline: f.timeline!, indicators: f.indicators!, occurredAt: f.occurredAt!,
    detectedAt: f.detectedAt!, createdAt: now, updatedAt: now, submittedAt: null, version: 1, anonymised: false,
  };
  if (input.submit === true) {
    report = await addressed(hub.db, { ...report, status: 'submitted', submittedAt: now });
  }
  await audited(hub, actor, { action: report.status === 'draft' ? 'report.create' : 'report.submit', objectType: 'report', objectId: report.id, tlp: report.tlp, detail: { route, severity: report.severity, sector: report.sector } }, async (trx) => {
    await insertReport(trx, report, p.userId, report.status === 'draft' ? 'create' : 'submit');
    if (report.status === 'submitted') {
      await receipts(trx, report.id, report, report.recipients.orgIds!, 'route', now);
      await publishInTrx(hub, trx, report);
    }
  });
  if (report.status === 'submitted') await published(hub, report);
  return report;
}

/** Changes fields of a report; history keeps every version. Only the originator loosens TLP. */
export async function updateReportFields(hub: HubContext, p: Principal, actor: Actor, id: string, input: Record<string, unknown>): Promise<Report> {
  const { seq, report } = await loadReport(hub.db, id);
  assertCanWrite(p, reportProtection(report), 'report', id);
  if (report.status === 'closed') throw new MamoriError('MAMORI_HUB_STATE', { action: 'edit', state: report.status });
  const f = parseReportFields(input, hub.config.textLimit, true);
  if (input.expectedVersion !== undefined && input.expectedVersion !== report.version) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `report is at version ${report.version}, not ${String(input.expectedVersion)}` });
  if (f.tlp && tlpRank(f.tlp) < tlpRank(report.tlp)) assertCan(p, 'loosen-tlp', reportProtection(report), 'report', id);
  let next: Report = { ...report, ...f, updatedAt: hub.now(), version: report.version + 1 } as Report;
  if (next.status !== 'draft') next = await addressed(hub.db, next);
  await audited(hub, actor, { action: 'report.update', objectType: 'report', objectId: id, tlp: next.tlp, detail: { fields: Object.keys(f), version: next.version } }, (trx) => updateReport(trx, seq, next, p.userId, 'update'));
  return next;
}

/** draft → submitted along its route. */
export async function submitReport(hub: HubContext, p: Principal, actor: Actor, id: string): Promise<Report> {
  const { seq, report } = await loadReport(hub.db, id);
  assertCanWrite(p, reportProtection(report), 'report', id);
  if (report.status !== 'draft') throw new MamoriError('MAMORI_HUB_STATE', { action: 'submit', state: report.status });
  const now = hub.now();
  const next = await addressed(hub.db, { ...report, status: 'submitted', submittedAt: now, updatedAt: now, version: report.version + 1 });
  await audited(hub, actor, { action: 'report.submit', objectType: 'report', objectId: id, tlp: next.tlp, detail: { route: next.route } }, async (trx) => {
    await updateReport(trx, seq, next, p.userId, 'submit');
    await receipts(trx, id, next, next.recipients.orgIds!, 'route', now);
    await publishInTrx(hub, trx, next);
  });
  await published(hub, next);
  return next;
}

/** Moves a received report to analysis or closes it. */
export async function transitionReport(hub: HubContext, p: Principal, actor: Actor, id: string, to: unknown): Promise<Report> {
  const { seq, report } = await loadReport(hub.db, id);
  const state = (typeof to === 'string' ? to : '') as ReportState;
  if (!['under-analysis', 'closed'].includes(state)) fail('status', 'must be under-analysis or closed (submit and relay have their own verbs)');
  assertCan(p, 'triage', reportProtection(report), 'report', id);
  if (!TRANSITIONS[report.status].includes(state)) throw new MamoriError('MAMORI_HUB_STATE', { action: `move to ${state}`, state: report.status });
  const next: Report = { ...report, status: state, updatedAt: hub.now(), version: report.version + 1 };
  await audited(hub, actor, { action: `report.${state}`, objectType: 'report', objectId: id, tlp: next.tlp }, (trx) => updateReport(trx, seq, next, p.userId, state));
  return next;
}

/** Words in `text` that could identify the reporter (its organisation, user name, e-mail). */
export function identityLeaks(textToCheck: string, identity: string[]): string[] {
  const hay = textToCheck.normalize('NFKC').toLowerCase();
  return identity.filter((term) => term.length >= 3 && hay.includes(term.normalize('NFKC').toLowerCase()));
}

export interface RelayInput {
  /** The secretariat confirms it reviewed (and edited) the free text. */
  reviewed: unknown;
  title?: unknown;
  description?: unknown;
  impact?: unknown;
  timeline?: unknown;
  /** Where the copy goes: ministries, other sectors, named organisations. */
  to: unknown;
  tlp?: unknown;
  /** Keep the reporter's name (only with its consent). Default: anonymised. */
  anonymise?: unknown;
}

/**
 * The secretariat relays a report onwards as a new report it owns: the reporter's identity
 * removed (owner and author become the secretariat's), free text as the secretariat edited
 * it, never looser than the original. The reporter's receipts record who got what and when.
 */
export async function relayReport(hub: HubContext, p: Principal, actor: Actor, id: string, input: RelayInput): Promise<{ relayed: Report; source: Report }> {
  const { seq, report } = await loadReport(hub.db, id);
  assertCan(p, 'relay', { ...reportProtection(report), sector: report.sector }, 'report', id);
  if (!['submitted', 'relayed', 'under-analysis'].includes(report.status)) throw new MamoriError('MAMORI_HUB_STATE', { action: 'relay', state: report.status });
  if (input.reviewed !== true) fail('reviewed', 'the free text must be reviewed before relay: send reviewed: true with the edited fields');
  if (typeof input.to !== 'object' || input.to === null) fail('to', 'must name recipients { orgIds?, sectors?, groupIds?, userIds? }');
  const to = input.to as Record<string, unknown>;
  const recipients = parseRecipients({ orgIds: to.orgIds, userIds: to.userIds }, 'to');
  const sharing = parseSharing({ scope: 'restricted', sectors: to.sectors, groupIds: to.groupIds }, 'to');
  if (!recipients.orgIds!.length && !sharing.sectors!.length && !sharing.groupIds!.length && !recipients.userIds!.length) fail('to', 'names nobody');
  const anonymise = input.anonymise === undefined ? true : input.anonymise === true ? true : input.anonymise === false ? false : fail('anonymise', 'must be a boolean');
  let tlp: Tlp = report.tlp;
  if (input.tlp !== undefined) {
    tlp = inheritTlp(parseTlp(input.tlp), report.tlp);
  }
  const limit = hub.config.textLimit;
  const edited = {
    title: input.title === undefined ? report.title : text(input.title, 'title', { min: 1, max: 300 }),
    description: input.description === undefined ? report.description : text(input.description, 'description', { max: limit, multiline: true }),
    impact: input.impact === undefined ? report.impact : text(input.impact, 'impact', { max: limit, multiline: true }),
    timeline: input.timeline === undefined ? report.timeline : parseTimeline(input.timeline, 'timeline', limit),
  };
  const reporterOrg = await hub.db.selectFrom('hub_org').select('name').where('id', '=', report.ownerOrgId).executeTakeFirstOrThrow();
  const reporter = await hub.db.selectFrom('hub_user').select(['username', 'display_name', 'email']).where('id', '=', report.authorUserId).executeTakeFirstOrThrow();
  if (anonymise) {
    const identity = [reporterOrg.name, reporter.username, reporter.display_name, ...(reporter.email ? [reporter.email, reporter.email.split('@')[1]] : [])];
    const fields: [string, string][] = [['title', edited.title], ['description', edited.description], ['impact', edited.impact], ...edited.timeline.map((t, i): [string, string] => [`timeline[${i}].text`, t.text]), ['affectedService', report.affectedService]];
    for (const [field, value] of fields) {
      const found = identityLeaks(value, identity);
      if (found.length) throw new MamoriError('MAMORI_HUB_RELAY_IDENTITY', { field, found: found.join(', ') });
    }
  }
  const now = hub.now();
  const relayed: Report = {
    ...report, ...edited, id: hub.newId(), ownerOrgId: p.orgId, authorUserId: p.userId, status: 'submitted', route: 'relay', tlp, sharing, recipients,
    description: anonymise ? edited.description : `${edited.description}\n\nReported by ${reporterOrg.name}.`,
    createdAt: now, updatedAt: now, submittedAt: now, version: 1, anonymised: anonymise,
  };
  if (relayed.tlp === 'RED' && !recipients.userIds!.length) fail('to.userIds', 'a TLP:RED report is relayed to named people only');
  const source: Report = { ...report, status: report.status === 'submitted' ? 'relayed' : report.status, updatedAt: now, version: report.version + 1 };
  await audited(hub, actor, { action: 'report.relay', objectType: 'report', objectId: id, tlp: report.tlp, detail: { relayed: relayed.id, anonymised: anonymise, to: { ...recipients, sectors: sharing.sectors, groupIds: sharing.groupIds } } }, async (trx) => {
    await insertReport(trx, relayed, p.userId, 'relay-copy');
    await updateReport(trx, seq, source, p.userId, 'relay');
    await trx.insertInto('hub_relay').values({ id: hub.newId(), source_report_id: id, relayed_report_id: relayed.id, by_user_id: p.userId, anonymised: anonymise ? 1 : 0, at: now }).execute();
    const reached = await organisationsReached(trx, relayed);
    await receipts(trx, id, relayed, reached.filter((o) => o !== report.ownerOrgId && o !== p.orgId), 'relay', now);
    await publishInTrx(hub, trx, relayed);
  });
  await published(hub, relayed);
  return { relayed, source };
}

/**
 * The organisations whose members can read `r` (for receipts): candidates from its named
 * recipients, listed sectors and groups, each checked by `canRead` as a plain member of that
 * organisation (for RED: the organisations of the named people).
 */
async function organisationsReached(db: Kysely<HubTables>, r: Report): Promise<string[]> {
  const prot = reportProtection(r);
  if (r.tlp === 'RED') {
    const ids = r.recipients.userIds ?? [];
    return ids.length ? [...new Set((await db.selectFrom('hub_user').select('org_id').where('id', 'in', ids).execute()).map((u) => u.org_id))] : [];
  }
  const candidates = new Set(r.recipients.orgIds ?? []);
  if (r.sharing.sectors?.length) for (const o of await db.selectFrom('hub_org').select('id').where('sector', 'in', r.sharing.sectors).execute()) candidates.add(o.id);
  if (r.sharing.groupIds?.length) for (const o of await db.selectFrom('hub_group_member').select('org_id').where('group_id', 'in', r.sharing.groupIds).execute()) candidates.add(o.org_id);
  for (const o of r.sharing.orgIds ?? []) candidates.add(o);
  if (candidates.size === 0) return [];
  const orgs = await db.selectFrom('hub_org').select(['id', 'sector', 'role']).where('id', 'in', [...candidates]).execute();
  const groups = await db.selectFrom('hub_group_member').select(['group_id', 'org_id']).where('org_id', 'in', [...candidates]).execute();
  return orgs.filter((o) => canRead({
    userId: '', orgId: o.id, orgSector: o.sector as Principal['orgSector'], orgRole: o.role as Principal['orgRole'], roles: ['reader'],
    groupIds: groups.filter((g) => g.org_id === o.id).map((g) => g.group_id), scopes: ['read'], via: 'local',
  }, prot)).map((o) => o.id);
}

/** What a principal sees of a report: other people's named recipients stay private. */
export function reportView(p: Principal, r: Report): Report {
  if (p.orgId === r.ownerOrgId) return r;
  return { ...r, recipients: recipientsView(p, r.ownerOrgId, r.recipients) };
}

/** The recipients `p` is shown: all of them to the owning organisation, else only `p` among the users. */
export function recipientsView(p: Principal, ownerOrgId: string, recipients: Report['recipients']): Report['recipients'] {
  if (p.orgId === ownerOrgId) return recipients;
  return { orgIds: recipients.orgIds ?? [], userIds: (recipients.userIds ?? []).filter((u) => u === p.userId) };
}

/** One report, if `p` may read it (404 otherwise); AMBER/RED reads are audited. */
export async function getReport(hub: HubContext, p: Principal, actor: Actor, id: string): Promise<Report> {
  const { report } = await loadReport(hub.db, id);
  assertCanRead(p, reportProtection(report), 'report', id);
  await auditReads(hub, actor, 'report', [report], 'item');
  return reportView(p, report);
}

export interface Receipt {
  recipientOrgId: string;
  recipientOrgName: string;
  via: 'route' | 'relay';
  deliveredReportId: string;
  contentSha256: string;
  at: number;
}

/** Who received what and when: the reporter's organisation (and whoever relayed it) may ask. */
export async function reportReceipts(hub: HubContext, p: Principal, actor: Actor, id: string): Promise<Receipt[]> {
  const { report } = await loadReport(hub.db, id);
  const prot = reportProtection(report);
  assertCanRead(p, prot, 'report', id);
  const relayer = await hub.db.selectFrom('hub_relay').select('id').where('source_report_id', '=', id).where('by_user_id', '=', p.userId).executeTakeFirst();
  if (p.orgId !== report.ownerOrgId && !relayer && !can(p, 'triage', prot)) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only the reporting organisation sees its delivery receipts' });
  const rows = await hub.db.selectFrom('hub_receipt as r').innerJoin('hub_org as o', 'o.id', 'r.recipient_org_id')
    .select(['r.recipient_org_id', 'o.name', 'r.via', 'r.delivered_report_id', 'r.content_sha256', 'r.at']).where('r.report_id', '=', id).orderBy('r.id').execute();
  await auditReads(hub, actor, 'report.receipts', [report], 'receipts');
  return rows.map((r) => ({ recipientOrgId: r.recipient_org_id, recipientOrgName: r.name, via: r.via as Receipt['via'], deliveredReportId: r.delivered_report_id, contentSha256: r.content_sha256, at: Number(r.at) }));
}

export interface HistoryEntry {
  version: number;
  at: number;
  userId: string;
  action: string;
  report: Report;
}

/** Every version of a report (readers of the current version see its history). */
export async function reportHistory(hub: HubContext, p: Principal, actor: Actor, id: string): Promise<HistoryEntry[]> {
  const { report } = await loadReport(hub.db, id);
  assertCanRead(p, reportProtection(report), 'report', id);
  const rows = await hub.db.selectFrom('hub_report_history').selectAll().where('report_id', '=', id).orderBy('version').orderBy('id').execute();
  const entries = rows.map((h) => ({ version: h.version, at: Number(h.at), userId: h.user_id, action: h.action, report: reportView(p, JSON.parse(h.snapshot) as Report) }));
  // An older version may have been stricter than today's: show only those this reader may read.
  const visible = entries.filter((e) => canRead(p, reportProtection(e.report)));
  await auditReads(hub, actor, 'report.history', visible.map((e) => e.report), 'history');
  return visible;
}

export const REPORT_ROUTES = ROUTES;
