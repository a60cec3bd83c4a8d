/**
 * OCSP requests (RFC 6960 §4.1), read strictly from DER (faults name offset and field) and
 * written for mamori's own client. A request asks about one or more CertIDs and may carry a
 * nonce (RFC 8954), which the responder echoes.
 */
import { randomBytes } from 'node:crypto';
import { TAG, children, ctx, derError, encodingOf, readRoot, readSmallInt } from '../asn1/der.js';
import { OID } from '../asn1/oids.js';
import { explicit, octets, oid, seq } from '../asn1/write.js';
import { readExtensions } from '../pki/crl.js';
import { encodeCertId, readCertId, type CertId } from './cert-id.js';

export interface OcspRequest {
  requests: { certId: CertId; der: Uint8Array }[];
  /** The nonce extension's extnValue, echoed as is. */
  nonce?: Uint8Array;
  /** The request carried an optionalSignature (mamori does not require or check one). */
  signed: boolean;
}

/** Parses a DER OCSPRequest; faults are MAMORI_TRUST_DER naming offset and field. */
export function parseOcspRequest(der: Uint8Array): OcspRequest {
  const root = children(readRoot(der, 'ocspRequest', TAG.SEQUENCE));
  const tbsNode = root.next('tbsRequest', TAG.SEQUENCE);
  const signed = root.optional('optionalSignature', ctx(0)) !== undefined;
  root.end();
  const tbs = children(tbsNode);
  const version = tbs.optional('version', ctx(0));
  if (version && readSmallInt(children(version).next('version', TAG.INTEGER), 0) !== 0) throw derError('OCSP request version must be v1', version.start, version.field);
  tbs.optional('requestorName', ctx(1));
  const listNode = tbs.next('requestList', TAG.SEQUENCE);
  const extNode = tbs.optional('requestExtensions', ctx(2));
  tbs.end();
  const requests: OcspRequest['requests'] = [];
  const list = children(listNode);
  while (!list.done) {
    const r = children(list.next(`request[${requests.length}]`, TAG.SEQUENCE));
    const idNode = r.next('reqCert', TAG.SEQUENCE);
    r.optional('singleRequestExtensions', ctx(0));
    r.end();
    requests.push({ certId: readCertId(idNode), der: encodingOf(idNode) });
  }
  if (requests.length === 0) throw derError('requestList is empty', listNode.start, listNode.field);
  let nonce: Uint8Array | undefined;
  if (extNode) {
    readExtensions(children(extNode).next('extensions', TAG.SEQUENCE), (id, value, critical, at) => {
      if (id === OID.ocspNonce) {
        // RFC 8954: an OCTET STRING of 1..32 octets (34 with its header); refuse anything larger.
        if (value.length < 1 || value.length > 34) throw derError(`nonce of ${value.length} octets (at most 32 are allowed)`, at.start, `${at.field}.nonce`);
        nonce = value;
      } else if (critical) {
        throw derError(`unknown critical request extension ${id}`, at.start, at.field);
      }
    });
  }
  return { requests, nonce, signed };
}

/** An OCSPRequest for `ids` with a fresh 16-octet nonce (returned for matching the reply). */
export function encodeOcspRequest(ids: CertId[], withNonce = true): { der: Buffer; nonce?: Buffer } {
  const nonce = withNonce ? octets(randomBytes(16)) : undefined;
  const exts = nonce ? explicit(2, seq(seq(oid(OID.ocspNonce), octets(nonce)))) : undefined;
  return { der: seq(seq(seq(...ids.map((id) => seq(encodeCertId(id)))), exts)), nonce };
}
