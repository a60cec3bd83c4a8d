/**
 * Development and small-deployment PKI: a root CA, a TSA certificate (sole, critical EKU
 * id-kp-timeStamping, RFC 3161 §2.3) and an organisation's e-seal certificate, ECDSA P-256 by
 * default or RSA-3072, generated with @peculiar/x509 over Node's WebCrypto.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { MamoriError } from '@mamori/core';
import { OID } from '../asn1/oids.js';
import { NULL, integer } from '../asn1/write.js';
import { certificatesFromPem, parseCertificate, type Certificate } from './certificate.js';
import { crlFile, crlToPem, loadCrls, parseCrl, type Crl, type RevokedCertificate } from './crl.js';
import { addTrustAnchors, loadPrivateKey, saveIdentity, trustFiles } from './keys.js';

x509.cryptoProvider.set(webcrypto as any);

export type KeyAlgorithm = 'ec-p256' | 'rsa-3072';

export interface InitOptions {
  dir: string;
  organisation: string;
  algorithm?: KeyAlgorithm;
  /** Overwrite existing keys. */
  force?: boolean;
  /** Validity of the leaf certificates (days); the root gets twice as long. */
  days?: number;
  now?: Date;
  /**
   * Base URL of the mamori server publishing this CA's CRL (`<base>/crl`) and answering OCSP
   * (`<base>/ocsp`): written into the leaf certificates as CRL distribution point and AIA.
   */
  baseUrl?: string;
}

export interface InitResult {
  root: Certificate;
  tsa: Certificate;
  seal: Certificate;
  /** The delegated OCSP responder (EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck). */
  ocsp: Certificate;
  dir: string;
}

/** Where a mamori server publishes its CA's revocation data, relative to its base URL. */
export const revocationUrls = (baseUrl: string): { crl: string; ocsp: string } => {
  const base = baseUrl.replace(/\/+$/, '');
  return { crl: `${base}/crl`, ocsp: `${base}/ocsp` };
};

const DAY = 86_400_000;

function keyParams(alg: KeyAlgorithm): webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams {
  return alg === 'ec-p256'
    ? { name: 'ECDSA', namedCurve: 'P-256' }
    : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
}

function signingAlgorithm(alg: KeyAlgorithm): webcrypto.Algorithm | webcrypto.EcdsaParams {
  return alg === 'ec-p256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
}

type KeyPair = { publicKey: any; privateKey: any };

async function generateKeys(alg: KeyAlgorithm): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(keyParams(alg) as any, true, ['sign', 'verify'])) as KeyPair;
}

async function pkcs8Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

const serial = (): string => {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  b[0] |= 0x40; // and without a leading zero octet
  return b.toString('hex');
};

type JsonName = Array<Record<string, string[]>>;

const name = (cn: string, organisation: string): JsonName => [{ C: ['JP'] }, { O: [organisation] }, { CN: [cn] }];

export async function initTrust(options: InitOptions): Promise<InitResult> {
  const alg = options.algorithm ?? 'ec-p256';
  const org = options.organisation.trim();
  if (!org) throw new MamoriError('MAMORI_USAGE', { reason: 'an organisation name is required' });
  if (!options.force && existsSync(trustFiles(options.dir, 'root').key)) {
    throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `keys already exist in ${options.dir}; use --force to replace them` });
  }
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000);
  const days = options.days ?? 825;
  const sigAlg = signingAlgorithm(alg);

  const rootKeys = await generateKeys(alg);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(`${org} Root CA`, org),
    notBefore,
    notAfter: new Date(now.getTime() + 2 * days * DAY),
    signingAlgorithm: sigAlg,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  // Every leaf names where its revocation status is published; the OCSP responder's own
  // certificate carries id-pkix-ocsp-nocheck instead (RFC 6960 §4.2.2.2.1), so no AIA there.
  const urls = options.baseUrl ? revocationUrls(options.baseUrl) : undefined;
  const pointers = (ocsp: boolean): x509.Extension[] => (urls ? [
    new x509.CRLDistributionPointsExtension([urls.crl]),
    ...(ocsp ? [new x509.AuthorityInfoAccessExtension({ ocsp: [urls.ocsp] })] : []),
  ] : []);

  const leaf = async (cn: string, extra: x509.Extension[]) => {
    const keys = await generateKeys(alg);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: name(cn, org),
      issuer: root.subject,
      notBefore,
      notAfter: new Date(now.getTime() + days * DAY),
      signingAlgorithm: sigAlg,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        ...extra,
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(root),
      ],
    });
    return { keys, cert };
  };

  const tsa = await leaf(`${org} Time-Stamp Authority`, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    new x509.ExtendedKeyUsageExtension([OID.kpTimeStamping], true),
    ...pointers(true),
  ]);
  const seal = await leaf(`${org} e-Seal`, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    ...pointers(true),
  ]);
  const ocsp = await leaf(`${org} OCSP Responder`, [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([OID.kpOcspSigning]),
    new x509.Extension(OID.ocspNoCheck, false, NULL),
    ...pointers(false),
  ]);

  const rootCert = parseCertificate(new Uint8Array(root.rawData));
  const tsaCert = parseCertificate(new Uint8Array(tsa.cert.rawData));
  const sealCert = parseCertificate(new Uint8Array(seal.cert.rawData));
  const ocspCert = parseCertificate(new Uint8Array(ocsp.cert.rawData));
  saveIdentity(options.dir, 'root', await pkcs8Pem(rootKeys.privateKey), rootCert, []);
  saveIdentity(options.dir, 'tsa', await pkcs8Pem(tsa.keys.privateKey), tsaCert, [rootCert]);
  saveIdentity(options.dir, 'seal', await pkcs8Pem(seal.keys.privateKey), sealCert, [rootCert]);
  saveIdentity(options.dir, 'ocsp', await pkcs8Pem(ocsp.keys.privateKey), ocspCert, [rootCert]);
  addTrustAnchors(options.dir, [rootCert]);
  writeFileSync(crlFile(options.dir), ''); // a new root starts a new CRL (an old root's goes with its key)
  await issueCrl({ dir: options.dir, now });
  return { root: rootCert, tsa: tsaCert, seal: sealCert, ocsp: ocspCert, dir: options.dir };
}

export interface CrlOptions {
  dir: string;
  /** Certificates (serial numbers) to add to the list. */
  revoke?: { serial: bigint; reason?: RevokedCertificate['reason'] }[];
  /** Days until nextUpdate (an offline development root: long). */
  days?: number;
  now?: Date;
}

/**
 * (Re)issues the root's CRL (`<dir>/root.crl.pem`), signed with the root key: every entry of
 * the previous CRL, the newly revoked certificates, cRLNumber one higher.
 */
export async function issueCrl(options: CrlOptions): Promise<Crl> {
  const files = trustFiles(options.dir, 'root');
  const key = loadPrivateKey(files.key);
  const [root] = certificatesFromPem(readFileSync(files.cert, 'utf8'));
  if (!root) throw new MamoriError('MAMORI_TRUST_KEYS', { reason: `${files.cert} holds no certificate` });
  const previous = loadCrls(options.dir).find((c) => c.issuerDer.equals(root.subjectDer));
  const now = options.now ?? new Date();
  const entries = new Map<bigint, RevokedCertificate>(previous?.revoked);
  for (const r of options.revoke ?? []) if (!entries.has(r.serial)) entries.set(r.serial, { serial: r.serial, revokedAt: now, reason: r.reason });
  const ec = key.asymmetricKeyType === 'ec';
  const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'P-256';
  const hash = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[curve];
  const signingKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }),
    ec ? { name: 'ECDSA', namedCurve: curve } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const hex = (n: bigint): string => {
    const h = n.toString(16);
    return h.length % 2 ? `0${h}` : h;
  };
  const crl = await x509.X509CrlGenerator.create({
    issuer: new x509.X509Certificate(root.der).subjectName,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + (options.days ?? 365) * DAY),
    signingAlgorithm: ec ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5' },
    signingKey,
    entries: [...entries.values()].map((e) => ({
      serialNumber: hex(e.serial),
      revocationDate: e.revokedAt,
      reason: e.reason ? x509.X509CrlReason[e.reason as keyof typeof x509.X509CrlReason] : undefined,
    })),
    extensions: [
      new x509.Extension('2.5.29.20', false, integer((previous?.crlNumber ?? 0n) + 1n)), // cRLNumber
      await x509.AuthorityKeyIdentifierExtension.create(new x509.X509Certificate(root.der)),
    ],
  });
  const parsed = parseCrl(new Uint8Array(crl.rawData));
  writeFileSync(crlFile(options.dir), crlToPem(parsed));
  return parsed;
}
