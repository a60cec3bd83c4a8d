/** Object identifiers mamori reads and writes, by what they name. */
export const OID = {
  // digests
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // keys and signatures
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  // CMS content types and attributes
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  // certificate extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  // OCSP (RFC 6960)
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

export type DigestName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

const DIGEST_BY_OID: Record<string, DigestName> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const DIGEST_LENGTH: Record<DigestName, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

export const digestByOid = (oid: string): DigestName | undefined => DIGEST_BY_OID[oid];
export const digestOid = (name: DigestName): string => OID[name];

/** Signature algorithm OIDs to the digest they use and the key type they need. */
export const SIGNATURE_ALGS: Record<string, { digest: DigestName; key: 'ec' | 'rsa' }> = {
  [OID.ecdsaSha256]: { digest: 'sha256', key: 'ec' },
  [OID.ecdsaSha384]: { digest: 'sha384', key: 'ec' },
  [OID.ecdsaSha512]: { digest: 'sha512', key: 'ec' },
  [OID.sha256WithRsa]: { digest: 'sha256', key: 'rsa' },
  [OID.sha384WithRsa]: { digest: 'sha384', key: 'rsa' },
  [OID.sha512WithRsa]: { digest: 'sha512', key: 'rsa' },
};
