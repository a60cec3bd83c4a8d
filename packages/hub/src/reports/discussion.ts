/**
 * Comments and attachments. Each carries its own TLP (never looser than its report's) and is
 * read only by someone who may read both the report and the item itself.
 */
import { createHash } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { assertCan, assertCanRead, canRead, inheritTlp, type Principal, type Protected, type Recipients } from '../access/policy.js';
import { parseTlp, type Tlp } from '../access/tlp.js';
import { audited, auditReads, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import { fail, text } from '../model/validate.js';
import { parseRecipients, reportProtection, type Report } from './model.js';
import { loadReport } from './repo.js';

export interface Comment {
  id: string;
  reportId: string;
  authorUserId: string;
  orgId: string;
  tlp: Tlp;
  recipients: Recipients;
  body: string;
  createdAt: number;
}

export interface AttachmentInfo {
  id: string;
  reportId: string;
  authorUserId: string;
  orgId: string;
  tlp: Tlp;
  recipients: Recipients;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: number;
}

/** A comment's or attachment's protection: its report's audience, at the stricter TLP. */
export function childProtection(report: Report, child: { tlp: Tlp; authorUserId: string; recipients: Recipients }): Protected {
  return {
    ...reportProtection(report),
    tlp: inheritTlp(child.tlp, report.tlp),
    authorUserId: child.authorUserId,
    recipients: { orgIds: report.recipients.orgIds, userIds: childRedReaders(report, child) },
  };
}

/**
 * Who reads a child at RED: the people it names, plus (on a RED report) the report's own
 * author and named readers, so a thread on a RED report stays visible to its participants.
 */
function childRedReaders(report: Report, child: { tlp: Tlp; recipients: Recipients }): string[] | undefined {
  if (child.tlp !== 'RED') return report.recipients.userIds;
  const own = child.recipients.userIds ?? [];
  return report.tlp === 'RED' ? [...own, report.authorUserId, ...(report.recipients.userIds ?? [])] : own;
}

const childReadable = (p: Principal, report: Report, child: { tlp: Tlp; authorUserId: string; recipients: Recipients }): boolean =>
  canRead(p, reportProtection(report)) && canRead(p, childProtection(report, child));

function childTlp(value: unknown, report: Report): Tlp {
  return inheritTlp(value === undefined ? report.tlp : parseTlp(value), report.tlp);
}

export async function addComment(hub: HubContext, p: Principal, actor: Actor, reportId: string, input: { body: unknown; tlp?: unknown; recipients?: unknown }): Promise<Comment> {
  const { report } = await loadReport(hub.db, reportId);
  assertCan(p, 'comment', reportProtection(report), 'report', reportId);
  const c: Comment = {
    id: hub.newId(), reportId, authorUserId: p.userId, orgId: p.orgId, tlp: childTlp(input.tlp, report),
    recipients: parseRecipients(input.recipients), body: text(input.body, 'body', { min: 1, max: hub.config.textLimit, multiline: true }), createdAt: hub.now(),
  };
  if (c.tlp === 'RED' && !c.recipients.userIds!.length && report.tlp !== 'RED') fail('recipients.userIds', 'a TLP:RED comment names the people who may read it');
  await audited(hub, actor, { action: 'comment.add', objectType: 'comment', objectId: c.id, tlp: c.tlp, detail: { reportId } }, (trx) =>
    trx.insertInto('hub_comment').values({ id: c.id, report_id: reportId, author_user_id: p.userId, org_id: p.orgId, tlp: c.tlp, recipients: JSON.stringify(c.recipients), body: c.body, created_at: c.createdAt }).execute());
  return c;
}

export async function listComments(hub: HubContext, p: Principal, actor: Actor, reportId: string): Promise<Comment[]> {
  const { report } = await loadReport(hub.db, reportId);
  assertCanRead(p, reportProtection(report), 'report', reportId);
  const rows = await hub.db.selectFrom('hub_comment').selectAll().where('report_id', '=', reportId).orderBy('created_at').orderBy('id').execute();
  const out = rows.map((r): Comment => ({ id: r.id, reportId, authorUserId: r.author_user_id, orgId: r.org_id, tlp: r.tlp as Tlp, recipients: JSON.parse(r.recipients), body: r.body, createdAt: Number(r.created_at) }))
    .filter((c) => childReadable(p, report, c));
  await auditReads(hub, actor, 'comment', out, 'comments');
  return out;
}

export async function addAttachment(hub: HubContext, p: Principal, actor: Actor, reportId: string, input: { filename: unknown; mediaType?: unknown; content: Buffer; tlp?: unknown; recipients?: unknown }): Promise<AttachmentInfo> {
  const { report } = await loadReport(hub.db, reportId);
  assertCan(p, 'comment', reportProtection(report), 'report', reportId);
  const limit = hub.config.attachmentLimit;
  if (!Buffer.isBuffer(input.content)) fail('content', 'must be bytes');
  if (input.content.length > limit) throw new MamoriError('MAMORI_HUB_TOO_LARGE', { what: 'attachment', size: input.content.length, limit });
  const filename = text(input.filename, 'filename', { min: 1, max: 255 });
  if (/[/\\]/.test(filename) || filename === '.' || filename === '..') fail('filename', 'must be a plain file name without a path');
  const mediaType = input.mediaType === undefined ? 'application/octet-stream' : text(input.mediaType, 'mediaType', { min: 3, max: 127 });
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(mediaType)) fail('mediaType', 'must be a media type such as text/plain');
  const a: AttachmentInfo = {
    id: hub.newId(), reportId, authorUserId: p.userId, orgId: p.orgId, tlp: childTlp(input.tlp, report), recipients: parseRecipients(input.recipients),
    filename, mediaType, size: input.content.length, sha256: createHash('sha256').update(input.content).digest('hex'), createdAt: hub.now(),
  };
  if (a.tlp === 'RED' && !a.recipients.userIds!.length && report.tlp !== 'RED') fail('recipients.userIds', 'a TLP:RED attachment names the people who may read it');
  await audited(hub, actor, { action: 'attachment.add', objectType: 'attachment', objectId: a.id, tlp: a.tlp, detail: { reportId, filename, size: a.size, sha256: a.sha256 } }, (trx) =>
    trx.insertInto('hub_attachment').values({
      id: a.id, report_id: reportId, author_user_id: p.userId, org_id: p.orgId, tlp: a.tlp, recipients: JSON.stringify(a.recipients),
      filename, media_type: mediaType, size: a.size, sha256: a.sha256, content: input.content, created_at: a.createdAt,
    }).execute());
  return a;
}

const toInfo = (r: { id: string; report_id: string; author_user_id: string; org_id: string; tlp: string; recipients: string; filename: string; media_type: string; size: number; sha256: string; created_at: number }): AttachmentInfo => ({
  id: r.id, reportId: r.report_id, authorUserId: r.author_user_id, orgId: r.org_id, tlp: r.tlp as Tlp, recipients: JSON.parse(r.recipients),
  filename: r.filename, mediaType: r.media_type, size: Number(r.size), sha256: r.sha256, createdAt: Number(r.created_at),
});

export async function listAttachments(hub: HubContext, p: Principal, actor: Actor, reportId: string): Promise<AttachmentInfo[]> {
  const { report } = await loadReport(hub.db, reportId);
  assertCanRead(p, reportProtection(report), 'report', reportId);
  const rows = await hub.db.selectFrom('hub_attachment').select(['id', 'report_id', 'author_user_id', 'org_id', 'tlp', 'recipients', 'filename', 'media_type', 'size', 'sha256', 'created_at']).where('report_id', '=', reportId).orderBy('created_at').execute();
  const out = rows.map(toInfo).filter((a) => childReadable(p, report, a));
  await auditReads(hub, actor, 'attachment', out, 'attachments');
  return out;
}

/** The bytes of one attachment (checked against its stored SHA-256 before they go out). */
export async function getAttachment(hub: HubContext, p: Principal, actor: Actor, attachmentId: string): Promise<{ info: AttachmentInfo; content: Buffer }> {
  const row = await hub.db.selectFrom('hub_attachment').selectAll().where('id', '=', attachmentId).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'attachment', id: attachmentId });
  const { report } = await loadReport(hub.db, row.report_id);
  const info = toInfo(row);
  if (!childReadable(p, report, info)) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'attachment', id: attachmentId });
  const content = Buffer.from(row.content);
  if (createHash('sha256').update(content).digest('hex') !== row.sha256) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `attachment ${attachmentId} does not match its stored SHA-256` });
  await auditReads(hub, actor, 'attachment', [info], 'download');
  return { info, content };
}
