/**
 * OCSP responses (RFC 6960 §4.2): written by mamori's responder, read strictly by its
 * verifiers. A successful response is a BasicOCSPResponse signed by the CA itself or by a
 * certificate the CA issued for OCSP signing (id-kp-OCSPSigning), which it carries in `certs`.
 */
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import {
  TAG, children, ctx, derError, encodingOf, readBitString, readOctets, readOid, readRoot, readSmallInt, readTime, valueOf, type DerNode,
} from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { bitString, explicit, generalizedTime, octets, oid, seq, tlv } from '../asn1/write.js';
import { digestForKey, signatureAlgorithmFor } from '../cms/sign.js';
import { parseCertificate, signedBy, type Certificate } from '../pki/certificate.js';
import { signatureVerifies } from '../pki/signature.js';
import { CRL_REASONS, readExtensions } from '../pki/crl.js';
import { publicKeyBits, readCertId, type CertId } from './cert-id.js';

export const OCSP_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '', 'sigRequired', 'unauthorized'] as const;
export type OcspResponseStatus = Exclude<(typeof OCSP_STATUS)[number], ''>;

export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface SingleResponse {
  certId: CertId;
  status: CertStatus;
  revokedAt?: Date;
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
}

export interface OcspResponse {
  readonly der: Buffer;
  readonly status: OcspResponseStatus;
  readonly producedAt?: Date;
  /** ResponderID: byName (the Name's DER) or byKey (SHA-1 of the key bits). */
  readonly responderName?: Buffer;
  readonly responderKeyHash?: Buffer;
  readonly responses: SingleResponse[];
  readonly nonce?: Uint8Array;
  readonly certs: Certificate[];
  readonly tbsDer?: Uint8Array;
  readonly signatureAlgorithm?: string;
  readonly signature?: Uint8Array;
}

/** A response without responseBytes (malformedRequest, internalError, tryLater, unauthorized). */
export const encodeOcspError = (status: Exclude<OcspResponseStatus, 'successful'>): Buffer =>
  seq(tlv(TAG.ENUMERATED, Buffer.from([OCSP_STATUS.indexOf(status)])));

export interface ResponseItem {
  certIdDer: Uint8Array;
  status: CertStatus;
  revokedAt?: Date;
  reason?: string;
  thisUpdate: Date;
  nextUpdate?: Date;
}

function encodeSingle(r: ResponseItem): Buffer {
  let status: Buffer;
  if (r.status === 'good') status = Buffer.from([0x80, 0x00]);
  else if (r.status === 'unknown') status = Buffer.from([0x82, 0x00]);
  else {
    const code = r.reason ? CRL_REASONS.indexOf(r.reason as (typeof CRL_REASONS)[number]) : -1;
    status = tlv(0xa1, generalizedTime(r.revokedAt ?? new Date(0), false), code >= 0 ? explicit(0, tlv(TAG.ENUMERATED, Buffer.from([code]))) : Buffer.alloc(0));
  }
  return seq(Buffer.from(r.certIdDer), status, generalizedTime(r.thisUpdate, false), r.nextUpdate && explicit(0, generalizedTime(r.nextUpdate, false)));
}

/** ResponderID byKey: SHA-1 of the responder's subjectPublicKey bits (RFC 6960 §4.2.1 fixes SHA-1). */
export const responderKeyHash = (cert: Certificate): Buffer => createHash('sha1').update(publicKeyBits(cert)).digest();

/** A successful response signed by `signer` (the CA or its delegated responder), responder named by key. */
export function encodeOcspResponse(signer: { key: KeyObject; cert: Certificate; keyHash?: Buffer }, items: ResponseItem[], producedAt: Date, nonce?: Uint8Array): Buffer {
  const keyHash = signer.keyHash ?? responderKeyHash(signer.cert);
  const tbs = seq(
    explicit(2, octets(keyHash)),
    generalizedTime(producedAt, false),
    seq(...items.map(encodeSingle)),
    nonce && explicit(1, seq(seq(oid(OID.ocspNonce), octets(nonce)))),
  );
  const digest = digestForKey(signer.key);
  const basic = seq(tbs, signatureAlgorithmFor(signer.key, digest), bitString(cryptoSign(digest, tbs, signer.key)), explicit(0, seq(signer.cert.der)));
  return seq(tlv(TAG.ENUMERATED, Buffer.from([0])), explicit(0, seq(oid(OID.ocspBasic), octets(basic))));
}

function readSingle(node: DerNode): SingleResponse {
  const s = children(node);
  const certId = readCertId(s.next('certID', TAG.SEQUENCE));
  const st = s.next('certStatus');
  let status: CertStatus;
  let revokedAt: Date | undefined;
  let reason: string | undefined;
  if (st.tag === 0x80 || st.tag === 0x82) {
    if (st.end !== st.valueStart) throw derError('good/unknown status with content', st.valueStart, st.field);
    status = st.tag === 0x80 ? 'good' : 'unknown';
  } else if (st.tag === 0xa1) {
    status = 'revoked';
    const r = children(st);
    revokedAt = readTime(r.next('revocationTime', TAG.GENERALIZED_TIME));
    const rn = r.optional('revocationReason', ctx(0));
    r.end();
    if (rn) {
      const e = children(rn).next('reason', TAG.ENUMERATED);
      const code = readSmallInt({ ...e, tag: TAG.INTEGER }, 10);
      reason = CRL_REASONS[code] || `reason ${code}`;
    }
  } else {
    throw derError(`unknown certStatus tag 0x${st.tag.toString(16)}`, st.start, st.field);
  }
  const thisUpdate = readTime(s.next('thisUpdate', TAG.GENERALIZED_TIME));
  const nu = s.optional('nextUpdate', ctx(0));
  const nextUpdate = nu ? readTime(children(nu).next('nextUpdate', TAG.GENERALIZED_TIME)) : undefined;
  s.optional('singleExtensions', ctx(1));
  s.end();
  return { certId, status, revokedAt, reason, thisUpdate, nextUpdate };
}

/** Parses a DER OCSPResponse (faults are MAMORI_TRUST_DER with offset and field); the signature is checked by `ocspSignerFor`. */
export function parseOcspResponse(der: Uint8Array): OcspResponse {
  const root = children(readRoot(der, 'ocspResponse', TAG.SEQUENCE));
  const statusNode = root.next('responseStatus', TAG.ENUMERATED);
  const code = readSmallInt({ ...statusNode, tag: TAG.INTEGER }, 6);
  const status = OCSP_STATUS[code];
  if (!status) throw derError(`unknown responseStatus ${code}`, statusNode.valueStart, statusNode.field);
  const bytes = root.optional('responseBytes', ctx(0));
  root.end();
  if (status !== 'successful' || !bytes) return { der: Buffer.from(der), status, responses: [], certs: [] };
  const rb = children(children(bytes).next('responseBytes', TAG.SEQUENCE));
  const type = readOid(rb.next('responseType', TAG.OID));
  const inner = rb.next('response', TAG.OCTET_STRING);
  rb.end();
  if (type !== OID.ocspBasic) throw derError(`response type ${type} is not id-pkix-ocsp-basic`, inner.start, inner.field);
  // Parse the BasicOCSPResponse in place so offsets point into the whole response.
  const basicNode = readNodeWithin(inner);
  const b = children(basicNode);
  const tbsNode = b.next('tbsResponseData', TAG.SEQUENCE);
  const alg = children(b.next('signatureAlgorithm', TAG.SEQUENCE));
  const signatureAlgorithm = readOid(alg.next('algorithm', TAG.OID));
  alg.rest('parameters');
  const signature = readBitString(b.next('signature', TAG.BIT_STRING));
  const certsNode = b.optional('certs', ctx(0));
  b.end();
  const certs = certsNode ? children(children(certsNode).next('certs', TAG.SEQUENCE)).rest('certificate').map((n) => parseCertificate(encodingOf(n))) : [];
  const t = children(tbsNode);
  const version = t.optional('version', ctx(0));
  if (version && readSmallInt(children(version).next('version', TAG.INTEGER), 0) !== 0) throw derError('OCSP response version must be v1', version.start, version.field);
  const rid = t.next('responderID');
  let responderName: Buffer | undefined;
  let responderKeyHash: Buffer | undefined;
  if (rid.tag === ctx(1)) responderName = Buffer.from(encodingOf(children(rid).next('byName', TAG.SEQUENCE)));
  else if (rid.tag === ctx(2)) responderKeyHash = Buffer.from(readOctets(children(rid).next('byKey', TAG.OCTET_STRING)));
  else throw derError(`responderID tag 0x${rid.tag.toString(16)}`, rid.start, rid.field);
  const producedAt = readTime(t.next('producedAt', TAG.GENERALIZED_TIME));
  const list = children(t.next('responses', TAG.SEQUENCE));
  const responses: SingleResponse[] = [];
  while (!list.done) responses.push(readSingle(list.next(`responses[${responses.length}]`, TAG.SEQUENCE)));
  const extNode = t.optional('responseExtensions', ctx(1));
  t.end();
  let nonce: Uint8Array | undefined;
  if (extNode) {
    readExtensions(children(extNode).next('extensions', TAG.SEQUENCE), (id, value, critical, at) => {
      if (id === OID.ocspNonce) nonce = value;
      else if (critical) throw derError(`unknown critical response extension ${id}`, at.start, at.field);
    });
  }
  return { der: Buffer.from(der), status, producedAt, responderName, responderKeyHash, responses, nonce, certs, tbsDer: encodingOf(tbsNode), signatureAlgorithm, signature };
}

/** The single value an OCTET STRING holds, read in the same input (offsets stay global). */
function readNodeWithin(octetString: DerNode): DerNode {
  const v = valueOf(octetString);
  const node = readRoot(v, `${octetString.field}.basicOCSPResponse`, TAG.SEQUENCE);
  return { ...node, input: octetString.input, start: node.start + octetString.valueStart, valueStart: node.valueStart + octetString.valueStart, end: node.end + octetString.valueStart };
}

const signedWith = (resp: OcspResponse, cert: Certificate): boolean =>
  !!resp.signatureAlgorithm && !!resp.tbsDer && !!resp.signature && signatureVerifies(resp.signatureAlgorithm, resp.tbsDer, cert.publicKey, resp.signature);

const names = (resp: OcspResponse, cert: Certificate): boolean =>
  resp.responderName ? resp.responderName.equals(cert.subjectDer) : !!resp.responderKeyHash?.equals(responderKeyHash(cert));

/**
 * Who may answer for `issuer`'s certificates (RFC 6960 §4.2.2.2): the issuer itself, or a
 * certificate it issued with id-kp-OCSPSigning, valid when the response was produced. Returns
 * the signer when the response's signature verifies with it, else a reason.
 */
export function ocspSignerFor(resp: OcspResponse, issuer: Certificate): { signer?: Certificate; reason?: string } {
  if (names(resp, issuer)) return signedWith(resp, issuer) ? { signer: issuer } : { reason: 'OCSP response signature does not verify with the CA key' };
  for (const c of resp.certs) {
    if (!names(resp, c)) continue;
    if (!signedBy(c, issuer)) return { reason: `OCSP responder ${c.subject} is not issued by ${issuer.subject}` };
    if (!c.extKeyUsage?.oids.includes(OID.kpOcspSigning)) return { reason: `OCSP responder ${c.subject} lacks id-kp-OCSPSigning` };
    const at = resp.producedAt ?? new Date();
    if (at < c.notBefore || at > c.notAfter) return { reason: `OCSP responder ${c.subject} was not valid when the response was produced` };
    return signedWith(resp, c) ? { signer: c } : { reason: 'OCSP response signature does not verify with the responder key' };
  }
  return { reason: 'OCSP response is not signed by the CA or a responder it authorised' };
}
