/**
 * Sealed hub advisories: a report an organisation has published is sealed with the
 * installation's e-seal (JAdES, JSON serialisation, level T: time-stamped by the TSA) and the
 * seal travels with the report as two attachments under the report's own TLP and audience:
 *   advisory.json        the advisory document, exactly the bytes that were sealed
 *   advisory.jades.json  the JWS (its payload is the same document)
 * so any recipient can check it offline: `mamori trust verify advisory.json advisory.jades.json`.
 *
 * This is where hub and trust meet, through their public APIs only: the hub keeps reports
 * and attachments (with its access rules and audit log), trust seals; neither knows the other.
 */
import { MamoriError } from '@mamori/core';
import { addAttachment, getReport, type Actor, type AttachmentInfo, type HubContext, type Principal, type Report } from '@mamori/hub';
import { jwsPayload, type SealLevel, type TrustServices } from '@mamori/trust';

export const ADVISORY_DOCUMENT = 'advisory.json';
export const ADVISORY_SEAL = 'advisory.jades.json';

/** Who may put the organisation's seal on an advisory: its administrators and secretariat. */
const SEALING_ROLES = ['admin', 'secretariat'] as const;

export interface AdvisoryDocument {
  type: 'mamori-advisory';
  id: string;
  version: number;
  issuedBy: string;
  issuedAt: string;
  sector: string;
  severity: number;
  tlp: string;
  title: string;
  description: string;
  impact: string;
  indicators: Report['indicators'];
}

/** What the seal covers: the published content of the report, not its routing or audience. */
export function advisoryDocument(r: Report): AdvisoryDocument {
  return {
    type: 'mamori-advisory',
    id: r.id,
    version: r.version,
    issuedBy: r.ownerOrgId,
    issuedAt: new Date(r.submittedAt ?? r.createdAt).toISOString(),
    sector: r.sector,
    severity: r.severity,
    tlp: r.tlp,
    title: r.title,
    description: r.description,
    impact: r.impact,
    indicators: r.indicators,
  };
}

export interface SealedAdvisory {
  reportId: string;
  level: SealLevel;
  document: AttachmentInfo;
  seal: AttachmentInfo;
}

/**
 * Seals a published report of the caller's organisation and attaches document and seal.
 * The report is read with the caller's rights (TLP and audience apply), so nobody can seal
 * what they may not read.
 */
export async function sealAdvisory(
  hub: HubContext,
  trust: Pick<TrustServices, 'sealJson'>,
  p: Principal,
  actor: Actor,
  reportId: string,
  options: { level?: SealLevel } = {},
): Promise<SealedAdvisory> {
  const report = await getReport(hub, p, actor, reportId);
  if (report.status === 'draft') throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'a draft is not an advisory: submit it first' });
  if (report.ownerOrgId !== p.orgId || !SEALING_ROLES.some((r) => p.roles.includes(r))) {
    throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: `only the ${SEALING_ROLES.join(' or ')} of the publishing organisation may seal its advisory` });
  }
  const level = options.level ?? 'T';
  const jws = await trust.sealJson(advisoryDocument(report), { serialization: 'json', level });
  const attach = (filename: string, mediaType: string, content: Buffer) => addAttachment(hub, p, actor, reportId, { filename, mediaType, content });
  const document = await attach(ADVISORY_DOCUMENT, 'application/json', jwsPayload(jws));
  const seal = await attach(ADVISORY_SEAL, 'application/jose+json', Buffer.from(`${JSON.stringify(jws, null, 2)}\n`));
  return { reportId, level, document, seal };
}
