/**
 * Time-stamp token verification: the token is a SignedData over a TSTInfo, signed by a
 * certificate with the sole, critical EKU id-kp-timeStamping that chains to a trusted root at
 * genTime; its imprint matches the data (or digest); nonce and policy match when asked. Any
 * parse fault is an invalid verdict with the reason, never "valid".
 */
import { createHash } from 'node:crypto';
import { MamoriError, isMamoriError } from '@mamori/core';
import { OID, type DigestName } from '../asn1/oids.js';
import { parseSignedData, withBase } from '../cms/parse.js';
import { checkSignerInfo } from '../cms/verify.js';
import { displayName, type Certificate } from '../pki/certificate.js';
import { timeStampingEkuProblems, validatePath } from '../pki/path.js';
import type { Crl } from '../pki/crl.js';
import type { OcspResponse } from '../ocsp/response.js';
import { describeRevocation, type CertRevocation, type RevocationData } from '../pki/revocation.js';
import { parseTstInfo, type TstInfo } from './tst-info.js';

export interface StampVerifyOptions {
  /** The time-stamped data, or its digest (`digest` must then match the token's algorithm). */
  data?: Uint8Array;
  digest?: { algorithm: DigestName; value: Uint8Array };
  trustAnchors: Certificate[];
  /** Extra certificates: the TSA certificate when the token carries none, intermediates. */
  certificates?: Certificate[];
  nonce?: bigint;
  policy?: string;
  /** CRLs the TSA's chain is checked against. */
  crls?: Crl[];
  /** OCSP responses the TSA's chain is checked against. */
  ocsp?: OcspResponse[];
  /** crls/ocsp came embedded in a signature (JAdES LT): no staleness check against now. */
  archivedRevocation?: RevocationData['archived'];
}

export interface StampVerdict {
  valid: boolean;
  reasons: string[];
  genTime?: Date;
  serialNumber?: bigint;
  policy?: string;
  tsa?: string;
  tstInfo?: TstInfo;
  tsaCertificate?: Certificate;
  /** The TSA certificate's revocation status at genTime. */
  revocation?: CertRevocation & { summary: string };
}

const reason = (e: unknown): string => (isMamoriError(e) ? e.message : `unexpected: ${(e as Error)?.message ?? e}`);

export function verifyTimeStampToken(token: Uint8Array, options: StampVerifyOptions): StampVerdict {
  const reasons: string[] = [];
  let tstInfo: TstInfo;
  let signer: Certificate | undefined;
  try {
    const sd = parseSignedData(token, 'timeStampToken');
    if (sd.contentType !== OID.tstInfo) return { valid: false, reasons: [`eContentType ${sd.contentType} is not id-ct-TSTInfo`] };
    if (!sd.content) return { valid: false, reasons: ['token carries no TSTInfo'] };
    if (sd.signerInfos.length !== 1) return { valid: false, reasons: [`token has ${sd.signerInfos.length} signers, expected 1`] };
    const content = sd.content;
    tstInfo = withBase(sd.contentAt ?? { start: 0, field: 'eContent' }, () => parseTstInfo(content));
    const check = checkSignerInfo(sd, sd.signerInfos[0], sd.content, options.certificates);
    reasons.push(...check.reasons);
    signer = check.signer;
    if (signer && check.essCertId === 'none') reasons.push('token lacks the ESS signing-certificate attribute');
  } catch (e) {
    return { valid: false, reasons: [`malformed token: ${reason(e)}`] };
  }
  let revocation: StampVerdict['revocation'];
  if (signer) {
    reasons.push(...timeStampingEkuProblems(signer));
    const path = validatePath(signer, [...(options.certificates ?? [])], options.trustAnchors, {
      at: tstInfo.genTime, crls: options.crls, ocsp: options.ocsp, archivedRevocation: options.archivedRevocation,
    });
    if (!path.ok) reasons.push(...path.reasons.map((r) => `TSA chain: ${r}`));
    const leaf = path.revocation?.[0];
    if (leaf) revocation = { ...leaf, summary: describeRevocation(leaf, tstInfo.genTime, `genTime ${tstInfo.genTime.toISOString()}`) };
  }
  if (options.data) {
    const d = createHash(tstInfo.digest).update(options.data).digest();
    if (!d.equals(Buffer.from(tstInfo.hashedMessage))) reasons.push('data does not match the token (message imprint differs)');
  } else if (options.digest) {
    if (options.digest.algorithm !== tstInfo.digest) reasons.push(`token imprint uses ${tstInfo.digest}, not ${options.digest.algorithm}`);
    else if (!Buffer.from(options.digest.value).equals(Buffer.from(tstInfo.hashedMessage))) reasons.push('digest does not match the token (message imprint differs)');
  } else {
    reasons.push('nothing to compare the imprint with (give data or digest)');
  }
  if (options.nonce !== undefined && tstInfo.nonce !== options.nonce) reasons.push('nonce does not match the request');
  if (options.policy && tstInfo.policy !== options.policy) reasons.push(`policy ${tstInfo.policy} is not the requested ${options.policy}`);
  return {
    valid: reasons.length === 0,
    reasons,
    genTime: tstInfo.genTime,
    serialNumber: tstInfo.serialNumber,
    policy: tstInfo.policy,
    tsa: signer ? displayName(signer) : undefined,
    tstInfo,
    tsaCertificate: signer,
    revocation,
  };
}

/** The TSTInfo and certificates of a token, unverified (for display after a fresh stamp). */
export function readTimeStampToken(token: Uint8Array): { tstInfo: TstInfo; certificates: Certificate[] } {
  const sd = parseSignedData(token, 'timeStampToken');
  if (sd.contentType !== OID.tstInfo || !sd.content) throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: 'not a time-stamp token', field: 'timeStampToken.encapContentInfo' });
  return { tstInfo: parseTstInfo(sd.content), certificates: sd.certificates };
}
