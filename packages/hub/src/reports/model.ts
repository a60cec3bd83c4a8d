/**
 * Reports as the hub hands them out, the protection each carries, and input validation.
 * Pure: rows in, objects out.
 */
import { createHash } from 'node:crypto';
import type { Protected, Recipients, Sharing } from '../access/policy.js';
import { parseTlp, type Tlp } from '../access/tlp.js';
import { isSectorId, type SectorId } from '../model/sectors.js';
import type { ReportRow } from '../model/tables.js';
import { fail, int, list, oneOf, optionalText, optionalTime, text } from '../model/validate.js';
import { normaliseIndicator, type Indicator } from './indicators.js';
import { CAUSES, type Cause, type ReportRoute, type ReportState } from './severity.js';

export interface TimelineEntry {
  at: number;
  text: string;
}

export interface Report {
  id: string;
  ownerOrgId: string;
  authorUserId: string;
  sector: SectorId;
  affectedService: string;
  cause: Cause;
  severity: number;
  status: ReportState;
  route: ReportRoute;
  title: string;
  description: string;
  impact: string;
  tlp: Tlp;
  sharing: Sharing;
  recipients: Recipients;
  timeline: TimelineEntry[];
  indicators: Indicator[];
  occurredAt: number | null;
  detectedAt: number | null;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  version: number;
  /** True on a copy relayed with the reporter's identity removed. */
  anonymised: boolean;
}

export function rowToReport(r: Omit<ReportRow, 'seq'> & { seq?: unknown }): Report {
  return {
    id: r.id, ownerOrgId: r.owner_org_id, authorUserId: r.author_user_id, sector: r.sector as SectorId,
    affectedService: r.affected_service, cause: r.cause as Cause, severity: Number(r.severity), status: r.status as ReportState,
    route: r.route as ReportRoute, title: r.title, description: r.description, impact: r.impact, tlp: r.tlp as Tlp,
    sharing: JSON.parse(r.sharing), recipients: JSON.parse(r.recipients), timeline: JSON.parse(r.timeline), indicators: JSON.parse(r.indicators),
    occurredAt: r.occurred_at === null ? null : Number(r.occurred_at), detectedAt: r.detected_at === null ? null : Number(r.detected_at),
    createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), submittedAt: r.submitted_at === null ? null : Number(r.submitted_at),
    version: Number(r.version), anonymised: r.anonymised === 1,
  };
}

export function reportToRow(r: Report): Omit<ReportRow, 'seq'> {
  return {
    id: r.id, owner_org_id: r.ownerOrgId, author_user_id: r.authorUserId, sector: r.sector, affected_service: r.affectedService,
    cause: r.cause, severity: r.severity, status: r.status, route: r.route, title: r.title, description: r.description, impact: r.impact,
    tlp: r.tlp, sharing: JSON.stringify(r.sharing), recipients: JSON.stringify(r.recipients), timeline: JSON.stringify(r.timeline),
    indicators: JSON.stringify(r.indicators), occurred_at: r.occurredAt, detected_at: r.detectedAt, created_at: r.createdAt,
    updated_at: r.updatedAt, submitted_at: r.submittedAt, version: r.version, anonymised: r.anonymised ? 1 : 0,
  };
}

/** What the access rules see of a report. */
export function reportProtection(r: Pick<Report, 'tlp' | 'sharing' | 'ownerOrgId' | 'authorUserId' | 'recipients' | 'status'>): Protected {
  return { tlp: r.tlp, sharing: r.sharing, ownerOrgId: r.ownerOrgId, authorUserId: r.authorUserId, recipients: r.recipients, draft: r.status === 'draft' };
}

/** SHA-256 over the text a recipient receives (so the reporter can tell exactly what went out). */
export function contentHash(r: Pick<Report, 'title' | 'description' | 'impact' | 'timeline' | 'indicators'>): string {
  return createHash('sha256').update(JSON.stringify([r.title, r.description, r.impact, r.timeline, r.indicators])).digest('hex');
}

export function parseSharing(value: unknown, field = 'sharing'): Sharing {
  if (value === undefined || value === null) return { scope: 'community' };
  if (typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object { scope, sectors?, orgIds?, groupIds? }');
  const v = value as Record<string, unknown>;
  const scope = oneOf(v.scope, `${field}.scope`, ['community', 'restricted'] as const);
  if (scope === 'community') return { scope };
  const sectors = list(v.sectors, `${field}.sectors`, 14, (s, f) => (isSectorId(s) ? s : fail(f, 'not a sector id')));
  const orgIds = list(v.orgIds, `${field}.orgIds`, 500, (s, f) => text(s, f, { min: 1, max: 64 }));
  const groupIds = list(v.groupIds, `${field}.groupIds`, 100, (s, f) => text(s, f, { min: 1, max: 64 }));
  return { scope, sectors, orgIds, groupIds };
}

export function parseRecipients(value: unknown, field = 'recipients'): Recipients {
  if (value === undefined || value === null) return { orgIds: [], userIds: [] };
  if (typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object { orgIds?, userIds? }');
  const v = value as Record<string, unknown>;
  return {
    orgIds: list(v.orgIds, `${field}.orgIds`, 500, (s, f) => text(s, f, { min: 1, max: 64 })),
    userIds: list(v.userIds, `${field}.userIds`, 500, (s, f) => text(s, f, { min: 1, max: 64 })),
  };
}

export function parseTimeline(value: unknown, field = 'timeline', max = 2000): TimelineEntry[] {
  return list(value, field, 200, (e, f) => {
    if (typeof e !== 'object' || e === null) fail(f, 'must be an object { at, text }');
    const o = e as Record<string, unknown>;
    const at = optionalTime(o.at, `${f}.at`);
    if (at === null) fail(`${f}.at`, 'is required');
    return { at, text: text(o.text, `${f}.text`, { min: 1, max, multiline: true }) };
  });
}

/** The editable fields of a report, validated; `partial` for updates (absent = unchanged). */
export interface ReportFields {
  sector?: SectorId;
  affectedService?: string;
  cause?: Cause;
  severity?: number;
  title?: string;
  description?: string;
  impact?: string;
  tlp?: Tlp;
  sharing?: Sharing;
  recipients?: Recipients;
  timeline?: TimelineEntry[];
  indicators?: Indicator[];
  occurredAt?: number | null;
  detectedAt?: number | null;
}

const FIELD_NAMES = new Set(['sector', 'affectedService', 'cause', 'severity', 'title', 'description', 'impact', 'tlp', 'sharing', 'recipients', 'timeline', 'indicators', 'occurredAt', 'detectedAt']);

export function parseReportFields(input: unknown, textLimit: number, partial: boolean): ReportFields {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('(body)', 'must be an object');
  const v = input as Record<string, unknown>;
  const out: ReportFields = {};
  const present = (k: string): boolean => v[k] !== undefined;
  const need = (k: string): void => { if (!partial && !present(k)) fail(k, 'is required'); };
  for (const k of ['sector', 'affectedService', 'cause', 'severity', 'title']) need(k);
  if (present('sector')) out.sector = isSectorId(v.sector) ? v.sector : fail('sector', 'must be one of the 14 sector ids');
  if (present('affectedService')) out.affectedService = text(v.affectedService, 'affectedService', { min: 1, max: 200 });
  if (present('cause')) out.cause = oneOf(v.cause, 'cause', CAUSES);
  if (present('severity')) out.severity = int(v.severity, 'severity', 0, 5);
  if (present('title')) out.title = text(v.title, 'title', { min: 1, max: 300 });
  if (present('description') || !partial) out.description = optionalText(v.description, 'description', { max: textLimit, multiline: true });
  if (present('impact') || !partial) out.impact = optionalText(v.impact, 'impact', { max: textLimit, multiline: true });
  if (present('tlp') || !partial) out.tlp = v.tlp === undefined ? 'AMBER' : parseTlp(v.tlp);
  if (present('sharing') || !partial) out.sharing = parseSharing(v.sharing);
  if (present('recipients') || !partial) out.recipients = parseRecipients(v.recipients);
  if (present('timeline') || !partial) out.timeline = parseTimeline(v.timeline, 'timeline', textLimit);
  if (present('indicators') || !partial) out.indicators = list(v.indicators, 'indicators', 1000, normaliseIndicator);
  if (present('occurredAt') || !partial) out.occurredAt = optionalTime(v.occurredAt, 'occurredAt');
  if (present('detectedAt') || !partial) out.detectedAt = optionalTime(v.detectedAt, 'detectedAt');
  for (const k of Object.keys(v)) if (!FIELD_NAMES.has(k) && !['route', 'submit', 'expectedVersion'].includes(k)) fail(k, 'is not a report field');
  return out;
}
