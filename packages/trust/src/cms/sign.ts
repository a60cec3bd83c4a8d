/**
 * CMS SignedData (RFC 5652) production, shared by time-stamp tokens and CAdES seals. Always
 * SHA-2 (never pkijs's SHA-1 default), always signed attributes with contentType,
 * messageDigest and signing-certificate-v2 (RFC 5035 / RFC 5816), issuerAndSerialNumber as
 * the signer identifier so every verifier finds the certificate.
 *
 * `SignerTemplate` precomputes everything that does not change between signatures (the
 * certificate sets, the signer identifier, the algorithm identifiers, the signed attributes
 * but for the message digest), so a token costs one digest of the content, one signature
 * (which hashes the signed attributes) and one write of the result.
 */
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { DIGEST_LENGTH, OID, digestOid, type DigestName } from '../asn1/oids.js';
import { TAG } from '../asn1/der.js';
import { contentOf, plan, writePlan, type DerPlan } from '../asn1/layout.js';
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

/** The signed attributes of one content type as a template: the SET OF in DER order with the messageDigest value left to fill in. */
interface AttributesTemplate {
  readonly der: Buffer;
  readonly digestAt: number;
}

export class SignerTemplate {
  readonly digest: DigestName;
  private readonly digestAlg: Buffer;
  private readonly digestAlgs: Buffer;
  private readonly sigAlg: Buffer;
  private readonly sid: Buffer;
  private readonly essAttr: Buffer;
  private readonly certSets: Record<'chain' | 'signer', Buffer>;
  private readonly attributeTemplates = new Map<string, AttributesTemplate>();
  private static readonly VERSION = { 1: integer(1), 3: integer(3) };

  constructor(private readonly identity: SigningIdentity) {
    this.digest = digestForKey(identity.key);
    this.digestAlg = algId(digestOid(this.digest));
    this.digestAlgs = setOf(this.digestAlg);
    this.sigAlg = signatureAlgorithmFor(identity.key, this.digest);
    this.sid = seq(identity.cert.issuerDer, tlv(0x02, serialOctets(identity.cert)));
    this.essAttr = signingCertificateV2(identity.cert);
    this.certSets = {
      chain: implicit(0, setOf(identity.cert.der, ...identity.chain.map((c) => c.der))),
      signer: implicit(0, setOf(identity.cert.der)),
    };
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
    const signature = cryptoSign(this.digest, attrs, this.identity.key);
    return { signature, assemble: (unsigned) => writePlan(this.contentInfo(options, attrs, signature, unsigned)) };
  }

  /**
   * The ContentInfo as a plan, signed on the calling thread: the TSA wraps it in its
   * TimeStampResp and writes the reply in one allocation.
   */
  signPlan(options: SignOptions): DerPlan {
    const attrs = this.signedAttributes(options);
    return this.contentInfo(options, attrs, cryptoSign(this.digest, attrs, this.identity.key), options.unsignedAttributes);
  }

  /**
   * The same as `signPlan`, but the signature is computed on libuv's thread pool (crypto.sign
   * with a callback), so a single busy process signs on every core while its event loop
   * keeps serving. It costs more CPU per signature than signing inline (bench/trust-tsa.ts).
   */
  signPlanAsync(options: SignOptions): Promise<DerPlan> {
    const attrs = this.signedAttributes(options);
    return new Promise((resolve, reject) => {
      cryptoSign(this.digest, attrs, this.identity.key, (err, signature) => {
        if (err) reject(err);
        else resolve(this.contentInfo(options, attrs, signature, options.unsignedAttributes));
      });
    });
  }

  /** The SET OF signed attributes (what is signed): from a per-content-type template when there are no extra attributes. */
  private signedAttributes(options: SignOptions): Buffer {
    const digest = createHash(this.digest).update(options.content).digest();
    if (options.signedAttributes?.length) {
      return setOf(attribute(OID.contentType, oid(options.contentType)), attribute(OID.messageDigest, octets(digest)), this.essAttr, ...options.signedAttributes);
    }
    const template = this.attributesTemplate(options.contentType);
    const attrs = Buffer.from(template.der);
    digest.copy(attrs, template.digestAt);
    return attrs;
  }

  /**
   * DER orders a SET OF by the encodings; the attributes differ in their type OIDs, which come
   * before the digest value, so the order found with a zero digest holds for every digest.
   */
  private attributesTemplate(contentType: string): AttributesTemplate {
    let template = this.attributeTemplates.get(contentType);
    if (!template) {
      const mdAttr = attribute(OID.messageDigest, octets(Buffer.alloc(DIGEST_LENGTH[this.digest])));
      const der = setOf(attribute(OID.contentType, oid(contentType)), mdAttr, this.essAttr);
      template = { der, digestAt: der.indexOf(mdAttr) + mdAttr.length - DIGEST_LENGTH[this.digest] };
      this.attributeTemplates.set(contentType, template);
    }
    return template;
  }

  private contentInfo(options: SignOptions, attrs: Buffer, signature: Buffer, unsigned?: Buffer[]): DerPlan {
    const signerInfo = plan(TAG.SEQUENCE,
      SignerTemplate.VERSION[1],
      this.sid,
      this.digestAlg,
      plan(0xa0, contentOf(attrs)), // [0] IMPLICIT SET OF Attribute
      this.sigAlg,
      plan(TAG.OCTET_STRING, signature),
      unsigned?.length ? implicit(1, setOf(...unsigned)) : undefined,
    );
    const encap = plan(TAG.SEQUENCE, oid(options.contentType), !options.detached && plan(0xa0, plan(TAG.OCTET_STRING, options.content)));
    const signedData = plan(TAG.SEQUENCE,
      SignerTemplate.VERSION[options.contentType === OID.data ? 1 : 3],
      this.digestAlgs,
      encap,
      options.certificates === 'none' ? undefined : this.certSets[options.certificates ?? 'chain'],
      plan(TAG.SET, signerInfo),
    );
    return plan(TAG.SEQUENCE, oid(OID.signedData), plan(0xa0, signedData));
  }

  /** The signing-time attribute (CAdES-B requires it). */
  static signingTime(at: Date): Buffer {
    return attribute(OID.signingTime, signingTimeValue(at));
  }
}
