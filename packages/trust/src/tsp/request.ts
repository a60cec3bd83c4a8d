/**
 * TimeStampReq (RFC 3161 §2.4.1): parsing for the TSA and encoding for the client. Faults are
 * MamoriErrors carrying the PKIFailureInfo the TSA answers with (`details.failInfo`).
 */
import { randomBytes } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import {
  TAG, children, encodingOf, readBoolean, readInteger, readOctets, readOid, readRoot, readSmallInt, valueOf,
} from '../asn1/der.js';
import { DIGEST_LENGTH, digestByOid, digestOid, type DigestName } from '../asn1/oids.js';
import { bool, integer, octets, oid, seq } from '../asn1/write.js';

export type FailInfo =
  | 'badAlg' | 'badRequest' | 'badDataFormat' | 'timeNotAvailable' | 'unacceptedPolicy' | 'unacceptedExtension'
  | 'addInfoNotAvailable' | 'systemFailure';

export const FAIL_INFO_BIT: Record<FailInfo, number> = {
  badAlg: 0, badRequest: 2, badDataFormat: 5, timeNotAvailable: 14, unacceptedPolicy: 15, unacceptedExtension: 16,
  addInfoNotAvailable: 17, systemFailure: 25,
};

export interface TimeStampRequest {
  digest: DigestName;
  hashedMessage: Uint8Array;
  /** The messageImprint exactly as received: the token repeats it byte for byte. */
  messageImprintDer: Uint8Array;
  policy?: string;
  /** The nonce INTEGER's encoding, echoed verbatim. */
  nonceDer?: Uint8Array;
  nonce?: bigint;
  certReq: boolean;
}

function reject(failInfo: FailInfo, reason: string, at: { offset?: number; field?: string } = {}): MamoriError {
  return new MamoriError(failInfo === 'badDataFormat' ? 'MAMORI_TRUST_DER' : 'MAMORI_TRUST_UNSUPPORTED', { reason, failInfo, ...at });
}

/** Parses a DER TimeStampReq. Throws MamoriError with `details.failInfo` set. */
export function parseTimeStampReq(der: Uint8Array): TimeStampRequest {
  try {
    const c = children(readRoot(der, 'timeStampReq', TAG.SEQUENCE));
    const versionNode = c.next('version', TAG.INTEGER);
    const version = readSmallInt(versionNode, 255);
    if (version !== 1) throw reject('badRequest', `version ${version}, expected 1`, { offset: versionNode.valueStart, field: 'timeStampReq.version' });
    const imprintNode = c.next('messageImprint', TAG.SEQUENCE);
    const mi = children(imprintNode);
    const algNode = mi.next('hashAlgorithm', TAG.SEQUENCE);
    const alg = children(algNode);
    const algOid = readOid(alg.next('algorithm', TAG.OID));
    const params = alg.rest('parameters');
    const digest = digestByOid(algOid);
    if (!digest || digest === 'sha1') throw reject('badAlg', `hash algorithm ${algOid} is not accepted (SHA-256, SHA-384, SHA-512)`, { offset: algNode.start, field: 'timeStampReq.messageImprint.hashAlgorithm' });
    if (params.length > 1 || (params.length === 1 && (params[0].tag !== TAG.NULL || params[0].end !== params[0].valueStart))) {
      throw reject('badAlg', 'hash algorithm parameters must be absent or NULL', { offset: params[0].start, field: 'timeStampReq.messageImprint.hashAlgorithm.parameters' });
    }
    const hashedNode = mi.next('hashedMessage', TAG.OCTET_STRING);
    const hashedMessage = readOctets(hashedNode);
    mi.end();
    if (hashedMessage.length !== DIGEST_LENGTH[digest]) {
      throw reject('badDataFormat', `${digest} imprint of ${hashedMessage.length} octets, expected ${DIGEST_LENGTH[digest]}`, { offset: hashedNode.valueStart, field: 'timeStampReq.messageImprint.hashedMessage' });
    }
    const policyNode = c.optional('reqPolicy', TAG.OID);
    const nonceNode = c.optional('nonce', TAG.INTEGER);
    let nonce: bigint | undefined;
    if (nonceNode) {
      const v = valueOf(nonceNode);
      if (v.length > 64) throw reject('badRequest', `nonce of ${v.length} octets is too long`, { offset: nonceNode.valueStart, field: 'timeStampReq.nonce' });
      nonce = readInteger(nonceNode);
    }
    const certReqNode = c.optional('certReq', TAG.BOOLEAN);
    const certReq = certReqNode ? readBoolean(certReqNode) : false;
    const ext = c.optional('extensions', 0xa0);
    if (ext) throw reject('unacceptedExtension', 'request extensions are not supported', { offset: ext.start, field: 'timeStampReq.extensions' });
    c.end();
    return {
      digest,
      hashedMessage,
      messageImprintDer: encodingOf(imprintNode),
      policy: policyNode ? readOid(policyNode) : undefined,
      nonceDer: nonceNode ? encodingOf(nonceNode) : undefined,
      nonce,
      certReq,
    };
  } catch (e) {
    if (e instanceof MamoriError && e.details.failInfo === undefined) {
      throw new MamoriError(e.code, { ...e.details, failInfo: 'badDataFormat' }, { cause: e });
    }
    throw e;
  }
}

export interface RequestOptions {
  digest?: DigestName;
  policy?: string;
  /** true (default) for a random 64-bit nonce, false for none, or a given value. */
  nonce?: boolean | bigint;
  certReq?: boolean;
}

/** Encodes a TimeStampReq for a digest; returns the DER and the nonce used. */
export function encodeTimeStampReq(hashedMessage: Uint8Array, options: RequestOptions = {}): { der: Buffer; nonce?: bigint } {
  const digest = options.digest ?? 'sha256';
  if (hashedMessage.length !== DIGEST_LENGTH[digest]) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `a ${digest} digest has ${DIGEST_LENGTH[digest]} octets, got ${hashedMessage.length}` });
  const nonce = options.nonce === false ? undefined : typeof options.nonce === 'bigint' ? options.nonce : BigInt(`0x${randomBytes(8).toString('hex')}`);
  const der = seq(
    integer(1),
    seq(seq(oid(digestOid(digest))), octets(hashedMessage)),
    options.policy ? oid(options.policy) : undefined,
    nonce !== undefined ? integer(nonce) : undefined,
    options.certReq !== false ? bool(true) : undefined,
  );
  return { der, nonce };
}

