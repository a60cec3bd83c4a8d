/**
 * One rule for "does this signature verify": the signature algorithm OID names the digest and
 * the key type (SIGNATURE_ALGS, SHA-2 only — SHA-1 signatures are refused everywhere, in CMS,
 * OCSP and CRLs alike), the key must be of that type, and a malformed signature is a plain
 * "no", never an exception. CMS also meets the bare key OIDs (rsaEncryption, ecPublicKey) as a
 * SignerInfo's signatureAlgorithm; the digest then comes from the SignerInfo (`digestHint`).
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { OID, SIGNATURE_ALGS, type DigestName } from '../asn1/oids.js';

const BARE_KEY_OIDS: Record<string, 'rsa' | 'ec'> = { [OID.rsaEncryption]: 'rsa', [OID.ecPublicKey]: 'ec' };

/** Why the signature does not verify, or undefined when it does. */
export function signatureFault(algorithm: string, data: Uint8Array, key: KeyObject, signature: Uint8Array, digestHint?: DigestName): string | undefined {
  const keyType = key.asymmetricKeyType;
  const alg = SIGNATURE_ALGS[algorithm] ?? (digestHint && BARE_KEY_OIDS[algorithm] ? { digest: digestHint, key: BARE_KEY_OIDS[algorithm] } : undefined);
  if (!alg) return `unsupported signature algorithm ${algorithm}`;
  if (alg.key !== keyType) return `signature algorithm ${algorithm} does not fit a ${keyType} key`;
  if (alg.digest === 'sha1') return 'SHA-1 signatures are not accepted';
  try {
    if (cryptoVerify(alg.digest, data, key, signature)) return undefined;
  } catch {
    // a malformed signature value is a signature that does not verify
  }
  return 'signature does not verify';
}

export const signatureVerifies = (algorithm: string, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean =>
  signatureFault(algorithm, data, key, signature) === undefined;
