/**
 * X.509 certificate revocation lists (RFC 5280 §5), read strictly from DER like everything
 * else mamori accepts from outside, and checked during path validation: a certificate whose
 * issuer published a CRL (signed by that issuer's key) is refused if the CRL lists it as
 * revoked at or before the time the path must be valid at, or if the CRL is out of date.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MamoriError } from '@mamori/core';
import {
  TAG, children, ctx, derError, encodingOf, readBitString, readInteger, readOctets, readOid, readRoot, readSmallInt, readTime, type DerNode,
} from '../asn1/der.js';
import type { Certificate } from './certificate.js';
import { signatureVerifies } from './signature.js';

const CRL_NUMBER = '2.5.29.20';
const REASON_CODE = '2.5.29.21';

/** CRLReason (RFC 5280 §5.3.1); 7 is unused. */
export const CRL_REASONS = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
  'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
] as const;

export interface RevokedCertificate {
  serial: bigint;
  revokedAt: Date;
  reason?: string;
}

export interface Crl {
  readonly der: Buffer;
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
  readonly revoked: ReadonlyMap<bigint, RevokedCertificate>;
  readonly tbsDer: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly signature: Uint8Array;
}

export function readExtensions(node: DerNode, each: (id: string, value: Uint8Array, critical: boolean, at: DerNode) => void): void {
  const list = children(node);
  while (!list.done) {
    const extNode = list.next('extension', TAG.SEQUENCE);
    const ext = children(extNode);
    const id = readOid(ext.next('extnID', TAG.OID));
    const crit = ext.optional('critical', TAG.BOOLEAN);
    const value = readOctets(ext.next('extnValue', TAG.OCTET_STRING));
    ext.end();
    each(id, value, crit !== undefined && crit.input[crit.valueStart] === 0xff, extNode);
  }
}

function readEntry(node: DerNode): RevokedCertificate {
  const e = children(node);
  const serial = readInteger(e.next('userCertificate', TAG.INTEGER));
  const revokedAt = readTime(e.next('revocationDate'));
  const extNode = e.optional('crlEntryExtensions', TAG.SEQUENCE);
  e.end();
  let reason: string | undefined;
  if (extNode) {
    readExtensions(extNode, (id, value, critical, at) => {
      if (id === REASON_CODE) {
        const enumerated = readRoot(value, `${at.field}.reasonCode`, TAG.ENUMERATED);
        const code = readSmallInt({ ...enumerated, tag: TAG.INTEGER }, 10); // ENUMERATED is encoded like INTEGER
        reason = CRL_REASONS[code] || `reason ${code}`;
      } else if (critical) {
        throw derError(`unknown critical CRL entry extension ${id}`, at.start, at.field);
      }
    });
  }
  return { serial, revokedAt, reason };
}

/** Parses a DER CertificateList. Faults are MAMORI_TRUST_DER with offset and field. */
export function parseCrl(der: Uint8Array): Crl {
  const root = children(readRoot(der, 'crl', TAG.SEQUENCE));
  const tbsNode = root.next('tbsCertList', TAG.SEQUENCE);
  const sigAlg = children(root.next('signatureAlgorithm', TAG.SEQUENCE));
  const signatureAlgorithm = readOid(sigAlg.next('algorithm', TAG.OID));
  sigAlg.rest('parameters');
  const signature = readBitString(root.next('signatureValue', TAG.BIT_STRING));
  root.end();

  const tbs = children(tbsNode);
  const versionNode = tbs.optional('version', TAG.INTEGER);
  if (versionNode && readSmallInt(versionNode, 1) !== 1) throw derError('CRL version must be v2 (1) when present', versionNode.start, versionNode.field);
  const innerAlg = children(tbs.next('signature', TAG.SEQUENCE));
  if (readOid(innerAlg.next('algorithm', TAG.OID)) !== signatureAlgorithm) throw derError('tbsCertList.signature differs from signatureAlgorithm', tbsNode.start, 'crl.tbsCertList.signature');
  const issuerDer = Buffer.from(encodingOf(tbs.next('issuer', TAG.SEQUENCE)));
  const thisUpdate = readTime(tbs.next('thisUpdate'));
  const next = tbs.optional('nextUpdate', TAG.UTC_TIME) ?? tbs.optional('nextUpdate', TAG.GENERALIZED_TIME);
  const nextUpdate = next ? readTime(next) : undefined;
  const revoked = new Map<bigint, RevokedCertificate>();
  const listNode = tbs.optional('revokedCertificates', TAG.SEQUENCE);
  if (listNode) {
    const list = children(listNode);
    while (!list.done) {
      const entry = readEntry(list.next('revokedCertificate', TAG.SEQUENCE));
      revoked.set(entry.serial, entry);
    }
  }
  let crlNumber: bigint | undefined;
  const extNode = tbs.optional('crlExtensions', ctx(0));
  if (extNode) {
    readExtensions(children(extNode).next('extensions', TAG.SEQUENCE), (id, value, critical, at) => {
      if (id === CRL_NUMBER) crlNumber = readInteger(readRoot(value, `${at.field}.cRLNumber`, TAG.INTEGER));
      // RFC 5280 §5.2: a critical extension we do not understand makes the CRL unusable.
      else if (critical && id !== '2.5.29.35') throw derError(`unknown critical CRL extension ${id}`, at.start, at.field);
    });
  }
  tbs.end();
  return { der: Buffer.from(der), issuerDer, thisUpdate, nextUpdate, crlNumber, revoked, tbsDer: encodingOf(tbsNode), signatureAlgorithm, signature };
}

export function crlsFromPem(text: string): Crl[] {
  const out: Crl[] = [];
  for (const m of text.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)) out.push(parseCrl(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

export const crlToPem = (crl: Pick<Crl, 'der'>): string =>
  `-----BEGIN X509 CRL-----\n${crl.der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END X509 CRL-----\n`;

/** Where `mamori trust init` publishes its root's CRL. */
export const crlFile = (dir: string): string => join(dir, 'root.crl.pem');

/** The CRLs of a trust directory (none when it has no CRL file). */
export function loadCrls(dir: string): Crl[] {
  const path = crlFile(dir);
  if (!existsSync(path)) return [];
  try {
    return crlsFromPem(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${path}: ${(e as Error).message}` }, { cause: e });
  }
}

export const crlSignedBy = (crl: Crl, issuer: Certificate): boolean =>
  crl.issuerDer.equals(issuer.subjectDer) && signatureVerifies(crl.signatureAlgorithm, crl.tbsDer, issuer.publicKey, crl.signature);
