/**
 * Verifies one SignerInfo of a SignedData: finds the signer's certificate, checks the signed
 * attributes (contentType, messageDigest, ESS signing certificate) and the signature. Returns
 * reasons instead of throwing, so callers can assemble one verdict; an empty `reasons` list is
 * the only way to "valid".
 */
import { createHash } from 'node:crypto';
import { children, readOctets, readOid, readTime, readInteger, TAG, ctx, encodingOf } from '../asn1/der.js';
import { OID, digestByOid, type DigestName } from '../asn1/oids.js';
import type { Certificate } from '../pki/certificate.js';
import { signatureFault } from '../pki/signature.js';
import type { SignedData, SignerInfo } from './parse.js';

export interface SignerCheck {
  signer?: Certificate;
  signingTime?: Date;
  /** Which ESS signing-certificate attribute bound the certificate: v2 (SHA-2), v1 (SHA-1) or none. */
  essCertId: 'v2' | 'v1' | 'none';
  /** The signature verifies with the signer's key (over the signed attributes, or the content). */
  signatureOk: boolean;
  /** The message-digest attribute matches the content (true when there are no signed attributes and the signature covers the content). */
  contentOk: boolean;
  reasons: string[];
}

export function findSigner(sd: SignedData, si: SignerInfo, extra: Certificate[] = []): Certificate | undefined {
  const pool = [...sd.certificates, ...extra];
  const sid = si.sid;
  if ('issuerDer' in sid) return pool.find((c) => c.serial === sid.serial && c.issuerDer.equals(sid.issuerDer));
  return pool.find((c) => c.subjectKeyId?.equals(sid.subjectKeyId));
}

function single(si: SignerInfo, type: string, reasons: string[], name: string) {
  const values = si.signedAttrs.get(type);
  if (!values) return undefined;
  if (values.length !== 1) {
    reasons.push(`${name} attribute must have exactly one value`);
    return undefined;
  }
  return values[0];
}

/** ESSCertID(v2) matching: the first entry must identify the signer's certificate. */
function checkEss(si: SignerInfo, signer: Certificate, reasons: string[]): SignerCheck['essCertId'] {
  const v2 = single(si, OID.signingCertificateV2, reasons, 'signing-certificate-v2');
  const v1 = single(si, OID.signingCertificate, reasons, 'signing-certificate');
  const node = v2 ?? v1;
  if (!node) return 'none';
  const certs = children(children(node).next('certs', TAG.SEQUENCE));
  const first = children(certs.next('essCertId[0]', TAG.SEQUENCE));
  let digest: DigestName = v2 ? 'sha256' : 'sha1';
  if (v2) {
    const alg = first.optional('hashAlgorithm', TAG.SEQUENCE);
    if (alg) {
      const id = readOid(children(alg).next('algorithm', TAG.OID));
      const d = digestByOid(id);
      if (!d || d === 'sha1') {
        reasons.push(`signing-certificate-v2 uses unsupported hash ${id}`);
        return 'v2';
      }
      digest = d;
    }
  }
  const hash = readOctets(first.next('certHash', TAG.OCTET_STRING));
  if (!createHash(digest).update(signer.der).digest().equals(Buffer.from(hash))) {
    reasons.push('signing-certificate attribute does not identify the signer certificate');
  }
  const issuerSerial = first.optional('issuerSerial', TAG.SEQUENCE);
  if (issuerSerial) {
    const is = children(issuerSerial);
    const names = children(is.next('issuer', TAG.SEQUENCE));
    const dn = names.next('generalName', ctx(4));
    const serial = readInteger(is.next('serialNumber', TAG.INTEGER));
    const issuerDer = Buffer.from(encodingOf(children(dn).next('directoryName', TAG.SEQUENCE)));
    if (serial !== signer.serial || !issuerDer.equals(signer.issuerDer)) reasons.push('signing-certificate issuerSerial does not match the signer certificate');
  }
  return v2 ? 'v2' : 'v1';
}

function verifySignature(si: SignerInfo, signer: Certificate, data: Uint8Array, reasons: string[]): boolean {
  const fault = signatureFault(si.signatureAlgorithm, data, signer.publicKey, si.signature, si.digest);
  if (fault) reasons.push(fault === 'signature does not verify' ? 'signature does not verify with the signer certificate' : fault);
  return !fault;
}

/**
 * Checks a SignerInfo against `content` (the eContent, or the detached data).
 * Parsing faults inside attributes throw MamoriError (callers treat them as invalid).
 */
export function checkSignerInfo(sd: SignedData, si: SignerInfo, content: Uint8Array, extraCerts: Certificate[] = []): SignerCheck {
  const reasons: string[] = [];
  const signer = findSigner(sd, si, extraCerts);
  if (!signer) return { essCertId: 'none', signatureOk: false, contentOk: false, reasons: ['signer certificate not found in the signature or the given certificates'] };
  if (si.digest === 'sha1') reasons.push('SHA-1 message digests are not accepted');
  if (!sd.digestAlgorithms.includes(si.digest)) reasons.push(`SignedData.digestAlgorithms does not list the signer's ${si.digest}`);
  const digest = createHash(si.digest).update(content).digest();
  if (!si.signedAttrsDer) {
    if (sd.contentType !== OID.data) reasons.push('signed attributes are required for this content type');
    const ok = verifySignature(si, signer, content, reasons);
    return { signer, essCertId: 'none', signatureOk: ok, contentOk: ok, reasons };
  }
  const ct = single(si, OID.contentType, reasons, 'content-type');
  if (!ct) reasons.push('content-type signed attribute missing');
  else if (readOid(ct) !== sd.contentType) reasons.push('content-type attribute does not match eContentType');
  const md = single(si, OID.messageDigest, reasons, 'message-digest');
  const contentOk = !!md && Buffer.from(readOctets(md)).equals(digest);
  if (!md) reasons.push('message-digest signed attribute missing');
  else if (!contentOk) reasons.push('content changed: message digest does not match');
  const st = single(si, OID.signingTime, reasons, 'signing-time');
  const signingTime = st ? readTime(st) : undefined;
  const essCertId = checkEss(si, signer, reasons);
  const signatureOk = verifySignature(si, signer, si.signedAttrsDer, reasons);
  return { signer, signingTime, essCertId, signatureOk, contentOk, reasons };
}

/** The time-stamp tokens in a SignerInfo's unsigned attributes (CAdES-T), as DER. */
export function signatureTimeStamps(si: SignerInfo): Uint8Array[] {
  return (si.unsignedAttrs.get(OID.signatureTimeStampToken) ?? []).map((n) => encodingOf(n));
}

