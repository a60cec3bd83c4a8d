/**
 * Certificates as mamori needs them: the fields path validation and signer matching read
 * (serial, issuer and subject encodings, validity, extensions with their criticality), parsed
 * strictly from DER, plus Node's X509Certificate for public keys, names and signatures.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import {
  TAG, children, ctx, derError, encodingOf, readBitString, readBoolean, readInteger, readOctets, readOid, readRoot,
  readSmallInt, readTime, valueOf, type DerNode,
} from '../asn1/der.js';
import { OID } from '../asn1/oids.js';

export interface CertExtension {
  critical: boolean;
  value: Uint8Array;
}

export interface Certificate {
  readonly der: Buffer;
  /** The serialNumber INTEGER's content octets (as they appear in IssuerAndSerialNumber). */
  readonly serial: bigint;
  readonly issuerDer: Buffer;
  readonly subjectDer: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: ReadonlyMap<string, CertExtension>;
  readonly subjectKeyId?: Buffer;
  readonly basicConstraints?: { ca: boolean; pathLen?: number };
  /** keyUsage bits as a number (bit 0 = digitalSignature ... bit 5 = keyCertSign). */
  readonly keyUsage?: number;
  readonly extKeyUsage?: { oids: string[]; critical: boolean };
  readonly publicKey: KeyObject;
  readonly subject: string;
  readonly issuer: string;
  readonly fingerprint256: string;
  readonly x509: X509Certificate;
}

export const KEY_USAGE = { digitalSignature: 1, nonRepudiation: 2, keyCertSign: 32, cRLSign: 64 } as const;

function parseExtensions(node: DerNode): Map<string, CertExtension> {
  const out = new Map<string, CertExtension>();
  const list = children(children(node).next('extensions', TAG.SEQUENCE));
  for (let i = 0; !list.done; i++) {
    const ext = children(list.next(`extensions[${i}]`, TAG.SEQUENCE));
    const id = readOid(ext.next('extnID', TAG.OID));
    const critNode = ext.optional('critical', TAG.BOOLEAN);
    const value = readOctets(ext.next('extnValue', TAG.OCTET_STRING));
    ext.end();
    if (out.has(id)) throw derError(`extension ${id} appears twice`, ext ? node.start : 0, `extensions[${i}]`);
    out.set(id, { critical: critNode ? readBoolean(critNode) : false, value });
  }
  return out;
}

function decodeExtensionValues(ext: Map<string, CertExtension>): Pick<Certificate, 'subjectKeyId' | 'basicConstraints' | 'keyUsage' | 'extKeyUsage'> {
  const out: { -readonly [K in keyof Pick<Certificate, 'subjectKeyId' | 'basicConstraints' | 'keyUsage' | 'extKeyUsage'>]: Certificate[K] } = {};
  const ski = ext.get(OID.subjectKeyIdentifier);
  if (ski) out.subjectKeyId = Buffer.from(readOctets(readRoot(ski.value, 'subjectKeyIdentifier')));
  const bc = ext.get(OID.basicConstraints);
  if (bc) {
    const c = children(readRoot(bc.value, 'basicConstraints', TAG.SEQUENCE));
    const caNode = c.optional('cA', TAG.BOOLEAN);
    const plNode = c.optional('pathLenConstraint', TAG.INTEGER);
    c.end();
    out.basicConstraints = { ca: caNode ? readBoolean(caNode) : false, pathLen: plNode ? readSmallInt(plNode, 255) : undefined };
  }
  const ku = ext.get(OID.keyUsage);
  if (ku) {
    const bits = readBitString(readRoot(ku.value, 'keyUsage'));
    // Bit 0 is the most significant bit of the first octet; renumber so bit i is 1 << i.
    let n = 0;
    for (let i = 0; i < Math.min(bits.length * 8, 16); i++) if (bits[i >> 3] & (0x80 >> (i & 7))) n |= 1 << i;
    out.keyUsage = n;
  }
  const eku = ext.get(OID.extKeyUsage);
  if (eku) {
    const list = children(readRoot(eku.value, 'extKeyUsage', TAG.SEQUENCE));
    out.extKeyUsage = { oids: list.rest('keyPurposeId').map(readOid), critical: eku.critical };
  }
  return out;
}

/** Parses one DER certificate. Throws MAMORI_TRUST_DER naming the offset and field at fault. */
export function parseCertificate(der: Uint8Array): Certificate {
  const root = readRoot(der, 'certificate', TAG.SEQUENCE);
  const c = children(root);
  const tbs = children(c.next('tbsCertificate', TAG.SEQUENCE));
  c.next('signatureAlgorithm', TAG.SEQUENCE);
  readBitString(c.next('signatureValue', TAG.BIT_STRING));
  c.end();
  const ver = tbs.optional('version', ctx(0));
  if (ver) readSmallInt(children(ver).next('version', TAG.INTEGER), 2);
  const serial = readInteger(tbs.next('serialNumber', TAG.INTEGER));
  tbs.next('signature', TAG.SEQUENCE);
  const issuer = tbs.next('issuer', TAG.SEQUENCE);
  const validity = children(tbs.next('validity', TAG.SEQUENCE));
  const notBefore = readTime(validity.next('notBefore'));
  const notAfter = readTime(validity.next('notAfter'));
  validity.end();
  const subject = tbs.next('subject', TAG.SEQUENCE);
  tbs.next('subjectPublicKeyInfo', TAG.SEQUENCE);
  tbs.optional('issuerUniqueID', 0x81);
  tbs.optional('subjectUniqueID', 0x82);
  const extNode = tbs.optional('extensions', ctx(3));
  tbs.end();
  const extensions = extNode ? parseExtensions(extNode) : new Map<string, CertExtension>();
  const buf = Buffer.from(der);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(buf);
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_DER', { reason: `certificate rejected by the X.509 parser: ${(e as Error).message}`, field: 'certificate' });
  }
  let publicKey: KeyObject;
  try {
    publicKey = x509.publicKey;
  } catch (e) {
    throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `certificate public key: ${(e as Error).message}`, field: 'subjectPublicKeyInfo' });
  }
  return {
    der: buf,
    serial,
    issuerDer: Buffer.from(encodingOf(issuer)),
    subjectDer: Buffer.from(encodingOf(subject)),
    notBefore,
    notAfter,
    extensions,
    ...decodeExtensionValues(extensions),
    publicKey,
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    fingerprint256: createHash('sha256').update(buf).digest('hex'),
    x509,
  };
}

/** The CN or O of a subject, for verdicts humans read. */
export function displayName(cert: Certificate): string {
  const parts = Object.fromEntries(cert.x509.subject.split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  return [parts.O, parts.CN].filter(Boolean).join(' / ') || cert.subject;
}

export function certificatesFromPem(text: string): Certificate[] {
  const out: Certificate[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(parseCertificate(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

export function certificateToPem(cert: Certificate | Uint8Array): string {
  const der = cert instanceof Uint8Array ? cert : cert.der;
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The serial number's INTEGER content octets, as they must match in IssuerAndSerialNumber. */
export function serialOctets(cert: Certificate): Uint8Array {
  const c = children(readRoot(cert.der, 'certificate'));
  const tbs = children(c.next('tbsCertificate'));
  tbs.optional('version', ctx(0));
  return valueOf(tbs.next('serialNumber', TAG.INTEGER));
}

/** Whether `issuer` names and signed `child` (the certificate signature verifies with its key). */
export function signedBy(child: Certificate, issuer: Certificate): boolean {
  if (!child.issuerDer.equals(issuer.subjectDer)) return false;
  try {
    return child.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
