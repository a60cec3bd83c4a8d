/** TSTInfo (RFC 3161 §2.4.2): what a time-stamp token asserts. */
import {
  TAG, children, ctx, readBoolean, readInteger, readOctets, readOid, readRoot, readSmallInt, readTime, encodingOf, valueOf,
} from '../asn1/der.js';
import { MamoriError } from '@mamori/core';
import { DIGEST_LENGTH, digestByOid, type DigestName } from '../asn1/oids.js';
import { generalizedTime, implicit, integer, seq, tlv } from '../asn1/write.js';
import { plan, writePlan } from '../asn1/layout.js';

export interface Accuracy {
  seconds?: number;
  millis?: number;
  micros?: number;
}

export interface TstInfo {
  policy: string;
  digest: DigestName;
  hashedMessage: Uint8Array;
  messageImprintDer: Uint8Array;
  serialNumber: bigint;
  genTime: Date;
  accuracy?: Accuracy;
  ordering: boolean;
  nonce?: bigint;
  /** The TSA name, when present, as DER of the GeneralName. */
  tsaName?: Uint8Array;
}

export function encodeAccuracy(a: Accuracy): Buffer {
  return seq(
    a.seconds ? integer(a.seconds) : undefined,
    a.millis ? implicit(0, integer(a.millis)) : undefined,
    a.micros ? implicit(1, integer(a.micros)) : undefined,
  );
}

export interface TstInfoFields {
  policyDer: Buffer;
  messageImprintDer: Uint8Array;
  serialNumber: bigint;
  genTime: Date;
  accuracyDer?: Buffer;
  nonceDer?: Uint8Array;
  /** GeneralName of the TSA (directoryName [4] of its subject). */
  tsaNameDer?: Buffer;
}

const VERSION_1 = integer(1);

export function encodeTstInfo(f: TstInfoFields): Buffer {
  return writePlan(plan(TAG.SEQUENCE,
    VERSION_1,
    f.policyDer,
    f.messageImprintDer,
    integer(f.serialNumber),
    generalizedTime(f.genTime),
    f.accuracyDer,
    f.nonceDer,
    f.tsaNameDer && plan(0xa0, f.tsaNameDer),
  ));
}

export const directoryName = (nameDer: Uint8Array): Buffer => tlv(0xa4, nameDer);

export function parseTstInfo(der: Uint8Array): TstInfo {
  const c = children(readRoot(der, 'tstInfo', TAG.SEQUENCE));
  const version = readSmallInt(c.next('version', TAG.INTEGER), 255);
  if (version !== 1) throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `TSTInfo version ${version}`, field: 'tstInfo.version' });
  const policy = readOid(c.next('policy', TAG.OID));
  const imprintNode = c.next('messageImprint', TAG.SEQUENCE);
  const mi = children(imprintNode);
  const alg = children(mi.next('hashAlgorithm', TAG.SEQUENCE));
  const algOid = readOid(alg.next('algorithm', TAG.OID));
  alg.rest('parameters');
  const digest = digestByOid(algOid);
  if (!digest) throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `imprint hash algorithm ${algOid}`, field: 'tstInfo.messageImprint.hashAlgorithm' });
  const hashedNode = mi.next('hashedMessage', TAG.OCTET_STRING);
  const hashedMessage = readOctets(hashedNode);
  mi.end();
  if (hashedMessage.length !== DIGEST_LENGTH[digest]) throw new MamoriError('MAMORI_TRUST_DER', { reason: 'imprint length does not fit its algorithm', offset: hashedNode.valueStart, field: 'tstInfo.messageImprint.hashedMessage' });
  const serialNumber = readInteger(c.next('serialNumber', TAG.INTEGER));
  const genTimeNode = c.next('genTime', TAG.GENERALIZED_TIME);
  const genTime = readTime(genTimeNode);
  const accNode = c.optional('accuracy', TAG.SEQUENCE);
  let accuracy: Accuracy | undefined;
  if (accNode) {
    const a = children(accNode);
    const s = a.optional('seconds', TAG.INTEGER);
    const ms = a.optional('millis', 0x80);
    const us = a.optional('micros', 0x81);
    a.end();
    const small = (v: Uint8Array, max: number, field: string): number => {
      let n = 0;
      for (const b of v) n = n * 256 + b;
      if (v.length === 0 || v.length > 4 || n > max) throw new MamoriError('MAMORI_TRUST_DER', { reason: `accuracy ${field} out of range`, field: `tstInfo.accuracy.${field}` });
      return n;
    };
    accuracy = {
      seconds: s ? readSmallInt(s, 1_000_000) : undefined,
      millis: ms ? small(valueOf(ms), 999, 'millis') : undefined,
      micros: us ? small(valueOf(us), 999, 'micros') : undefined,
    };
  }
  const ordNode = c.optional('ordering', TAG.BOOLEAN);
  const nonceNode = c.optional('nonce', TAG.INTEGER);
  const tsaNode = c.optional('tsa', ctx(0));
  c.optional('extensions', 0xa1);
  c.end();
  return {
    policy, digest, hashedMessage, messageImprintDer: encodingOf(imprintNode), serialNumber, genTime, accuracy,
    ordering: ordNode ? readBoolean(ordNode) : false,
    nonce: nonceNode ? readInteger(nonceNode) : undefined,
    tsaName: tsaNode ? valueOf(tsaNode) : undefined,
  };
}

