/**
 * E-delivery evidence in the spirit of ETSI EN 319 522 (electronic registered delivery):
 * for one message, sealed and time-stamped evidence that it was submitted, accepted by the
 * delivery service and retrieved by the recipient. Each evidence is a level-T JAdES seal
 * (JSON serialisation) over a small JSON record naming the event, the parties, the content
 * digest and the previous evidence, so the set verifies offline with the trust anchors alone.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import type { SigningIdentity } from '../cms/sign.js';
import { sealJws, verifyJws, type JwsFlattened } from '../seal/jades.js';
import type { ValidationDataSource } from '../seal/jades-lt.js';
import type { Certificate } from '../pki/certificate.js';
import type { Crl } from '../pki/crl.js';
import type { OcspResponse } from '../ocsp/response.js';
import type { TimeStamper } from '../tsp/client.js';

export type DeliveryEvent = 'submission' | 'acceptance' | 'retrieval';

/** EN 319 522-2 evidence names for the events mamori records. */
export const EVIDENCE_TYPE: Record<DeliveryEvent, string> = {
  submission: 'SubmissionAcceptanceRejection',
  acceptance: 'ContentConsignment',
  retrieval: 'ContentHandover',
};

const ORDER: DeliveryEvent[] = ['submission', 'acceptance', 'retrieval'];

export interface EvidenceRecord {
  version: 1;
  evidenceId: string;
  evidenceType: string;
  eventCode: 'Accepted';
  event: DeliveryEvent;
  /** The issuer's clock at the event; the time stamp is the proof. */
  eventTime: string;
  messageId: string;
  senderId: string;
  recipientId: string;
  contentDigest: { alg: 'sha256'; value: string };
  /** SHA-256 (hex) of the previous evidence's signature value, linking the set. */
  previousEvidence: string | null;
  details?: Record<string, unknown>;
}

export type DeliveryEvidence = JwsFlattened;

export interface EvidenceInput {
  event: DeliveryEvent;
  messageId: string;
  sender: string;
  recipient: string;
  /** The delivered content, or its SHA-256 in hex. */
  content: Uint8Array | { sha256: string };
  previous?: DeliveryEvidence;
  details?: Record<string, unknown>;
}

export interface EvidenceIssuer {
  identity: SigningIdentity;
  timeStamper: TimeStamper;
  /** JAdES level of each evidence: T (default), or LT/LTA carrying its own validation data. */
  level?: 'T' | 'LT' | 'LTA';
  validationData?: ValidationDataSource;
}

const evidenceLink = (e: DeliveryEvidence): string => createHash('sha256').update(e.signature, 'ascii').digest('hex');

export async function createDeliveryEvidence(issuer: EvidenceIssuer, input: EvidenceInput): Promise<DeliveryEvidence> {
  const digest = input.content instanceof Uint8Array ? createHash('sha256').update(input.content).digest('hex') : input.content.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: 'content digest must be 64 hex digits', field: 'content.sha256' });
  if (!ORDER.includes(input.event)) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `unknown event ${input.event}`, field: 'event' });
  const record: EvidenceRecord = {
    version: 1,
    evidenceId: randomUUID(),
    evidenceType: EVIDENCE_TYPE[input.event],
    eventCode: 'Accepted',
    event: input.event,
    eventTime: new Date().toISOString(),
    messageId: input.messageId,
    senderId: input.sender,
    recipientId: input.recipient,
    contentDigest: { alg: 'sha256', value: digest },
    previousEvidence: input.previous ? evidenceLink(input.previous) : null,
    details: input.details,
  };
  return (await sealJws(issuer.identity, Buffer.from(JSON.stringify(record), 'utf8'), {
    serialization: 'json', level: issuer.level ?? 'T', timeStamper: issuer.timeStamper, validationData: issuer.validationData,
  })) as JwsFlattened;
}

export interface EvidenceVerdict {
  valid: boolean;
  /** Submission, acceptance and retrieval are all present and valid. */
  complete: boolean;
  messageId?: string;
  /** `revocation`: the sealing certificate's status when a CRL or OCSP response covered it. */
  events: { event: DeliveryEvent; time?: Date; sealedBy?: string; valid: boolean; reasons: string[]; revocation?: string }[];
  reasons: string[];
}

export interface EvidenceVerifyOptions {
  trustAnchors: Certificate[];
  certificates?: Certificate[];
  /** The delivered content, to check the digest every evidence names. */
  content?: Uint8Array;
  /** Revocation data for the sealing and TSA chains (a seal revoked before its time stamp is invalid). */
  crls?: Crl[];
  ocsp?: OcspResponse[];
}

/** Verifies an evidence set (any order); every item must verify and agree with the others. */
export function verifyDeliveryEvidence(set: DeliveryEvidence[], options: EvidenceVerifyOptions): EvidenceVerdict {
  const reasons: string[] = [];
  const items = set.map((jws) => {
    const v = verifyJws(jws, { trustAnchors: options.trustAnchors, certificates: options.certificates, crls: options.crls, ocsp: options.ocsp });
    const r = [...v.reasons];
    let record: EvidenceRecord | undefined;
    try {
      record = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as EvidenceRecord;
      if (record?.version !== 1 || !ORDER.includes(record.event) || typeof record.messageId !== 'string') throw new Error('not an evidence record');
    } catch (e) {
      r.push(`not a mamori delivery evidence: ${(e as Error).message}`);
      record = undefined;
    }
    if (v.level === 'B' || !v.timeStamp?.valid) r.push('evidence is not time-stamped');
    return { jws, record, verdict: v, reasons: r };
  });
  // By time stamp; events stamped within the same millisecond (a fast TSA) by their place in the protocol.
  const rank = (i: (typeof items)[number]): number => (i.record ? ORDER.indexOf(i.record.event) : -1);
  items.sort((a, b) => (a.verdict.timeStamp?.genTime?.getTime() ?? 0) - (b.verdict.timeStamp?.genTime?.getTime() ?? 0) || rank(a) - rank(b));
  const first = items.find((i) => i.record)?.record;
  const digest = options.content ? createHash('sha256').update(options.content).digest('hex') : first?.contentDigest.value;
  const byLink = new Map(items.map((i) => [evidenceLink(i.jws), i]));
  for (const i of items) {
    if (!i.record || !first) continue;
    if (i.record.messageId !== first.messageId) i.reasons.push('evidence is for another message');
    if (i.record.senderId !== first.senderId || i.record.recipientId !== first.recipientId) i.reasons.push('evidence names other parties');
    if (i.record.contentDigest?.value !== digest) i.reasons.push(options.content ? 'content differs from the delivered content' : 'evidence names another content digest');
    if (i.record.event !== 'submission') {
      const prev = i.record.previousEvidence ? byLink.get(i.record.previousEvidence) : undefined;
      if (!prev) i.reasons.push('previous evidence missing from the set');
      else if (prev.record && ORDER.indexOf(prev.record.event) >= ORDER.indexOf(i.record.event)) i.reasons.push(`${i.record.event} follows ${prev.record.event}`);
    }
  }
  const events = items.map((i) => ({
    event: i.record?.event ?? ('submission' as DeliveryEvent),
    time: i.verdict.timeStamp?.genTime,
    sealedBy: i.verdict.sealedBy,
    valid: i.reasons.length === 0,
    reasons: i.reasons,
    revocation: i.verdict.revocation?.summary,
  }));
  for (const e of events) if (!e.valid) reasons.push(...e.reasons.map((r) => `${e.event}: ${r}`));
  const complete = ORDER.every((ev) => events.some((e) => e.event === ev && e.valid));
  if (items.length === 0) reasons.push('no evidence given');
  return { valid: reasons.length === 0, complete, messageId: first?.messageId, events, reasons };
}
