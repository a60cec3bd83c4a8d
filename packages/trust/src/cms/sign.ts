/**
 * CMS SignedData (RFC 5652) production, shared by time-stamp tokens and CAdES seals. Always
 * SHA-2 (never pkijs's SHA-1 default), always signed attributes with contentType,
 * messageDigest and signing-certificate-v2 (RFC 5035 / RFC 5816), issuerAndSerialNumber as
 * the signer identifier so every verifier finds the certificate.
 *
 * `SignerTemplate` precomputes everything that does not change between signatures (the
 * certificate set, the signer identifier, the ESS attribute), so a token costs one digest,
 * one signature and a few concatenations.
 */
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { OID, digestOid, type DigestName } from '../asn1/oids.js';
import { NULL, explicit, implicit, integer, octets, oid, seq, setOf, signingTime as signingTimeValue, tlv } from '../asn1/write.js';
import { serialOctets, type Certificate } from '../pki/certificate.js';

export interface SigningIdentity {
  key: KeyObject;
  cert: Certificate;
  /** Intermediates and (optionally) the root, sent with the signature. */
  chain: Certificate[];
}

export const algId = (o: string, params?: Buffer): Buffer => seq(oid(o), params);

export const attribute = (type: string, ...values: Buffer[]): Buffer => seq(oid(type), setOf(...values));

/** SigningCertificateV2 with one ESSCertIDv2 (SHA-256, the DEFAULT, so hashAlgorithm is omitted) and IssuerSerial. */
export function signingCertificateV2(cert: Certificate): Buffer {
  const hash = createHash('sha256').update(cert.der).digest();
  const issuerSerial = seq(seq(explicit(4, cert.issuerDer)), tlv(0x02, serialOctets(cert)));
  return attribute(OID.signingCertificateV2, seq(seq(seq(octets(hash), issuerSerial))));
}

export function signatureAlgorithmFor(key: KeyObject, digest: DigestName): Buffer {
  if (key.asymmetricKeyType === 'ec') {
    const o = { sha256: OID.ecdsaSha256, sha384: OID.ecdsaSha384, sha512: OID.ecdsaSha512 }[digest as 'sha256'];
    return algId(o);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const o = { sha256: OID.sha256WithRsa, sha384: OID.sha384WithRsa, sha512: OID.sha512WithRsa }[digest as 'sha256'];
    return algId(o, NULL);
  }
  throw new MamoriError('MAMORI_TRUST_UNSUPPORTED', { reason: `signing key type ${key.asymmetricKeyType}` });
}

/** The digest that matches a key's strength: SHA-256 for P-256 and RSA, SHA-384 for P-384. */
export function digestForKey(key: KeyObject): DigestName {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  return 'sha256';
}

export interface SignOptions {
  /** eContentType (id-data for documents, id-ct-TSTInfo for tokens). */
  contentType: string;
  /** The content itself: embedded when `detached` is false. */
  content: Uint8Array;
  detached?: boolean;
  /** Extra signed attributes (signing-time for CAdES). */
  signedAttributes?: Buffer[];
  unsignedAttributes?: Buffer[];
  /** Certificates to embed: the signer and its chain (default), the signer only, or none. */
  certificates?: 'chain' | 'signer' | 'none';
}

export class SignerTemplate {
  readonly digest: DigestName;
  private readonly digestAlg: Buffer;
  private readonly sigAlg: Buffer;
  private readonly sid: Buffer;
  private readonly essAttr: Buffer;
  private readonly certSet: Buffer;
  private readonly leafOnlyCertSet: Buffer;

  constructor(private readonly identity: SigningIdentity) {
    this.digest = digestForKey(identity.key);
    this.digestAlg = algId(digestOid(this.digest));
    this.sigAlg = signatureAlgorithmFor(identity.key, this.digest);
    this.sid = seq(identity.cert.issuerDer, tlv(0x02, serialOctets(identity.cert)));
    this.essAttr = signingCertificateV2(identity.cert);
    this.certSet = implicit(0, setOf(identity.cert.der, ...identity.chain.map((c) => c.der)));
    this.leafOnlyCertSet = implicit(0, setOf(identity.cert.der));
  }

  get certificate(): Certificate {
    return this.identity.cert;
  }

  /** A complete ContentInfo wrapping SignedData. */
  sign(options: SignOptions): Buffer {
    return this.prepare(options).assemble(options.unsignedAttributes);
  }

  /**
   * Signs, then lets the caller add unsigned attributes that depend on the signature value
   * (a CAdES-T signature time stamp covers it) before the SignedData is assembled.
   */
  prepare(options: SignOptions): { signature: Buffer; assemble(unsigned?: Buffer[]): Buffer } {
    const attrs = this.signedAttributes(options);
    return this.assembler(options, attrs, cryptoSign(this.digest, attrs, this.identity.key));
  }

  /**
   * The same as `sign`, but the signature is computed on libuv's thread pool (crypto.sign
   * with a callback), so a busy TSA signs on every core while the event loop keeps serving.
   */
  signAsync(options: SignOptions): Promise<Buffer> {
    const attrs = this.signedAttributes(options);
    return new Promise((resolve, reject) => {
      cryptoSign(this.digest, attrs, this.identity.key, (err, signature) => {
        if (err) reject(err);
        else resolve(this.assembler(options, attrs, signature).assemble(options.unsignedAttributes));
      });
    });
  }

  private signedAttributes(options: SignOptions): Buffer {
    const digest = createHash(this.digest).update(options.content).digest();
    return setOf(
      attribute(OID.contentType, oid(options.contentType)),
      attribute(OID.messageDigest, octets(digest)),
      this.essAttr,
      ...(options.signedAttributes ?? []),
    );
  }

  private assembler(options: SignOptions, attrs: Buffer, signature: Buffer): { signature: Buffer; assemble(unsigned?: Buffer[]): Buffer } {
    const assemble = (unsigned?: Buffer[]): Buffer => {
      const signerInfo = seq(
        integer(1),
        this.sid,
        this.digestAlg,
        implicit(0, attrs),
        this.sigAlg,
        octets(signature),
        unsigned?.length ? implicit(1, setOf(...unsigned)) : undefined,
      );
      const encap = seq(oid(options.contentType), options.detached ? undefined : explicit(0, octets(options.content)));
      const version = options.contentType === OID.data ? 1 : 3;
      const signedData = seq(
        integer(version),
        setOf(this.digestAlg),
        encap,
        { chain: this.certSet, signer: this.leafOnlyCertSet, none: undefined }[options.certificates ?? 'chain'],
        setOf(signerInfo),
      );
      return seq(oid(OID.signedData), explicit(0, signedData));
    };
    return { signature, assemble };
  }

  /** The signing-time attribute (CAdES-B requires it). */
  static signingTime(at: Date): Buffer {
    return attribute(OID.signingTime, signingTimeValue(at));
  }
}
