/**
 * OCSP CertID (RFC 6960 §4.1.1): a certificate named by its issuer's name hash, its issuer's
 * key hash and its serial number. SHA-1 is accepted here because it only identifies (RFC 5019
 * clients, openssl among them, send SHA-1 CertIDs); it never protects a signature.
 */
import { createHash } from 'node:crypto';
import { TAG, children, readInteger, readOctets, readOid, readRoot, type DerNode } from '../asn1/der.js';
import { digestByOid, digestOid, type DigestName } from '../asn1/oids.js';
import { NULL, integer, octets, oid, seq } from '../asn1/write.js';
import { readBitString } from '../asn1/der.js';
import type { Certificate } from '../pki/certificate.js';

export interface CertId {
  /** The hash algorithm's OID and its name when mamori knows it. */
  hashOid: string;
  digest?: DigestName;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  serial: bigint;
}

/** The subjectPublicKey BIT STRING's value of a certificate (what key hashes cover). */
export function publicKeyBits(cert: Certificate): Buffer {
  const spki = children(readRoot(cert.publicKey.export({ type: 'spki', format: 'der' }), 'subjectPublicKeyInfo', TAG.SEQUENCE));
  spki.next('algorithm', TAG.SEQUENCE);
  return Buffer.from(readBitString(spki.next('subjectPublicKey', TAG.BIT_STRING)));
}

export function readCertId(node: DerNode): CertId {
  const c = children(node);
  const alg = children(c.next('hashAlgorithm', TAG.SEQUENCE));
  const hashOid = readOid(alg.next('algorithm', TAG.OID));
  alg.rest('parameters');
  const issuerNameHash = Buffer.from(readOctets(c.next('issuerNameHash', TAG.OCTET_STRING)));
  const issuerKeyHash = Buffer.from(readOctets(c.next('issuerKeyHash', TAG.OCTET_STRING)));
  const serial = readInteger(c.next('serialNumber', TAG.INTEGER));
  c.end();
  return { hashOid, digest: digestByOid(hashOid), issuerNameHash, issuerKeyHash, serial };
}

/** The CertID of `cert` under `issuer` with `digest` (SHA-1 by default, like openssl and RFC 5019). */
export function certIdOf(cert: Certificate, issuer: Certificate, digest: DigestName = 'sha1'): CertId {
  return {
    hashOid: digestOid(digest),
    digest,
    issuerNameHash: createHash(digest).update(issuer.subjectDer).digest(),
    issuerKeyHash: createHash(digest).update(publicKeyBits(issuer)).digest(),
    serial: cert.serial,
  };
}

export const encodeCertId = (id: CertId): Buffer =>
  seq(seq(oid(id.hashOid), NULL), octets(id.issuerNameHash), octets(id.issuerKeyHash), integer(id.serial));

export const sameCert = (a: CertId, b: CertId): boolean =>
  a.hashOid === b.hashOid && a.serial === b.serial && a.issuerNameHash.equals(b.issuerNameHash) && a.issuerKeyHash.equals(b.issuerKeyHash);
