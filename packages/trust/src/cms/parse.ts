/**
 * CMS ContentInfo / SignedData parsing (RFC 5652), strict DER, every fault a MamoriError with
 * the offset and the field (`contentInfo.content.signerInfos[0].signedAttrs`).
 */
import { MamoriError } from '@mamori/core';
import {
  TAG, children, ctx, derError, encodingOf, expectTag, readInteger, readOctets, readOid, readRoot, readSmallInt, valueOf, type DerNode,
} from '../asn1/der.js';
import { OID, digestByOid, type DigestName } from '../asn1/oids.js';
import { parseCertificate, type Certificate } from '../pki/certificate.js';

export type SignerId = { issuerDer: Buffer; serial: bigint } | { subjectKeyId: Buffer };

export interface SignerInfo {
  sid: SignerId;
  digest: DigestName;
  /** The signed attributes re-tagged as SET OF (what the signature covers), if present. */
  signedAttrsDer?: Buffer;
  signedAttrs: Map<string, DerNode[]>;
  signatureAlgorithm: string;
  signature: Uint8Array;
  unsignedAttrs: Map<string, DerNode[]>;
  /** The SignerInfo's signature field node, for time stamps over the signature value. */
  field: string;
}

export interface SignedData {
  contentType: string;
  /** The encapsulated content, when the signature is enveloping. */
  content?: Uint8Array;
  /** Where the eContent octets start in the input (to locate faults inside the content). */
  contentAt?: { start: number; field: string };
  certificates: Certificate[];
  signerInfos: SignerInfo[];
  /** The digestAlgorithms set (every signer's digest must be listed). */
  digestAlgorithms: DigestName[];
}

function readAlgorithm(node: DerNode): string {
  const c = children(expectTag(node, TAG.SEQUENCE));
  const id = readOid(c.next('algorithm', TAG.OID));
  c.rest('parameters'); // parameters are algorithm-specific; NULL or absent for ours
  return id;
}

function digestOf(node: DerNode): DigestName {
  const id = readAlgorithm(node);
  const d = digestByOid(id);
  if (!d) throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `digest algorithm ${id}`, offset: node.start, field: node.field });
  return d;
}

function readAttributes(node: DerNode): Map<string, DerNode[]> {
  const out = new Map<string, DerNode[]>();
  const c = children(node);
  for (let i = 0; !c.done; i++) {
    const a = children(c.next(`attribute[${i}]`, TAG.SEQUENCE));
    const type = readOid(a.next('attrType', TAG.OID));
    const values = children(a.next('attrValues', TAG.SET)).rest('value');
    a.end();
    if (out.has(type)) throw derError(`attribute ${type} appears twice`, node.start, node.field);
    out.set(type, values);
  }
  return out;
}

function readSignerInfo(node: DerNode): SignerInfo {
  const c = children(node);
  const version = readSmallInt(c.next('version', TAG.INTEGER), 5);
  const sidNode = c.next('sid');
  let sid: SignerId;
  if (sidNode.tag === TAG.SEQUENCE) {
    const s = children(sidNode);
    const issuer = s.next('issuer', TAG.SEQUENCE);
    const serial = readInteger(s.next('serialNumber', TAG.INTEGER));
    s.end();
    sid = { issuerDer: Buffer.from(encodingOf(issuer)), serial };
  } else if (sidNode.tag === 0x80) {
    sid = { subjectKeyId: Buffer.from(valueOf(sidNode)) };
  } else {
    throw derError(`unknown SignerIdentifier tag 0x${sidNode.tag.toString(16)}`, sidNode.start, sidNode.field);
  }
  if ((version === 1) !== ('issuerDer' in sid)) throw derError(`SignerInfo version ${version} does not match its sid form`, node.start, node.field);
  const digest = digestOf(c.next('digestAlgorithm', TAG.SEQUENCE));
  const signed = c.optional('signedAttrs', ctx(0));
  const signatureAlgorithm = readAlgorithm(c.next('signatureAlgorithm', TAG.SEQUENCE));
  const signature = readOctets(c.next('signature', TAG.OCTET_STRING));
  const unsigned = c.optional('unsignedAttrs', ctx(1));
  c.end();
  let signedAttrsDer: Buffer | undefined;
  if (signed) {
    signedAttrsDer = Buffer.from(encodingOf(signed));
    signedAttrsDer[0] = TAG.SET; // the signature covers the explicit SET OF encoding (RFC 5652 §5.4)
  }
  return {
    sid, digest, signedAttrsDer, signatureAlgorithm, signature,
    signedAttrs: signed ? readAttributes(signed) : new Map(),
    unsignedAttrs: unsigned ? readAttributes(unsigned) : new Map(),
    field: node.field,
  };
}

/** Re-bases errors from a nested parse so offsets and fields point into the whole input. */
export function withBase<T>(at: { start: number; field: string }, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof MamoriError && typeof e.details.offset === 'number') {
      throw new MamoriError(e.code, { ...e.details, offset: e.details.offset + at.start, field: `${at.field}/${e.details.field ?? ''}` }, { cause: e });
    }
    throw e;
  }
}

/** Parses a DER ContentInfo that must hold SignedData. */
export function parseSignedData(der: Uint8Array, field = 'contentInfo'): SignedData {
  const ci = children(readRoot(der, field, TAG.SEQUENCE));
  const type = readOid(ci.next('contentType', TAG.OID));
  if (type !== OID.signedData) throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `content type ${type} is not signedData`, field: `${field}.contentType` });
  const wrapper = children(ci.next('content', ctx(0)));
  ci.end();
  const sd = children(wrapper.next('signedData', TAG.SEQUENCE));
  wrapper.end();
  const version = readSmallInt(sd.next('version', TAG.INTEGER), 5);
  if (![1, 3, 4, 5].includes(version)) throw derError(`SignedData version ${version} is not one RFC 5652 defines`, 0, `${field}.version`);
  const digestAlgorithms: DigestName[] = [];
  for (const a of children(sd.next('digestAlgorithms', TAG.SET)).rest('digestAlgorithm')) {
    const d = digestByOid(readAlgorithm(a));
    if (d) digestAlgorithms.push(d); // unknown ones are tolerated here; a signer using one is not
  }
  const encap = children(sd.next('encapContentInfo', TAG.SEQUENCE));
  const contentType = readOid(encap.next('eContentType', TAG.OID));
  // RFC 5652 §5.1: any eContentType other than id-data means version 3 or more
  if (contentType !== OID.data && version < 3) throw derError(`SignedData version ${version} with eContentType ${contentType} (must be >= 3)`, 0, `${field}.version`);
  const eContent = encap.optional('eContent', ctx(0));
  encap.end();
  let content: Uint8Array | undefined;
  let contentAt: SignedData['contentAt'];
  if (eContent) {
    const inner = children(eContent);
    const octetsNode = inner.next('octets', TAG.OCTET_STRING);
    content = readOctets(octetsNode);
    contentAt = { start: octetsNode.valueStart, field: octetsNode.field };
    inner.end();
  }
  const certificates: Certificate[] = [];
  const certs = sd.optional('certificates', ctx(0));
  if (certs) {
    const list = children(certs);
    for (let i = 0; !list.done; i++) {
      const n = list.next(`certificates[${i}]`);
      if (n.tag === TAG.SEQUENCE) {
        if (certificates.length >= 32) throw derError('more than 32 certificates', n.start, n.field);
        certificates.push(withBase(n, () => parseCertificate(encodingOf(n))));
      }
    }
  }
  sd.optional('crls', ctx(1));
  const infos = children(sd.next('signerInfos', TAG.SET));
  const signerInfos: SignerInfo[] = [];
  for (let i = 0; !infos.done; i++) signerInfos.push(readSignerInfo(infos.next(`signerInfos[${i}]`, TAG.SEQUENCE)));
  sd.end();
  return { contentType, content, contentAt, certificates, signerInfos, digestAlgorithms };
}
