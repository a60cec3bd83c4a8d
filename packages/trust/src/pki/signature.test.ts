import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OID } from '../asn1/oids.js';
import { signatureFault, signatureVerifies } from './signature.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const data = Buffer.from('to be signed');
const ecSig = sign('sha256', data, ec.privateKey);

describe('signatureFault: one rule for CMS, OCSP and CRL signatures', () => {
  it('accepts a good SHA-2 signature and refuses changed data or another key', () => {
    expect(signatureFault(OID.ecdsaSha256, data, ec.publicKey, ecSig)).toBeUndefined();
    expect(signatureVerifies(OID.ecdsaSha256, Buffer.from('to be signeD'), ec.publicKey, ecSig)).toBe(false);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(signatureFault(OID.ecdsaSha256, data, other.publicKey, ecSig)).toBe('signature does not verify');
  });

  it('refuses SHA-1 signature algorithms, whether named by OID or by the bare key OID with a SHA-1 digest', () => {
    const sha1WithRsa = '1.2.840.113549.1.1.5';
    const ecdsaSha1 = '1.2.840.10045.4.1';
    const rsaSha1Sig = sign('sha1', data, rsa.privateKey);
    expect(signatureFault(sha1WithRsa, data, rsa.publicKey, rsaSha1Sig)).toMatch(/unsupported/);
    expect(signatureFault(ecdsaSha1, data, ec.publicKey, sign('sha1', data, ec.privateKey))).toMatch(/unsupported/);
    expect(signatureFault(OID.rsaEncryption, data, rsa.publicKey, rsaSha1Sig, 'sha1')).toBe('SHA-1 signatures are not accepted');
  });

  it('takes the digest from the hint only for the bare key OIDs', () => {
    const rsaSig = sign('sha256', data, rsa.privateKey);
    expect(signatureFault(OID.rsaEncryption, data, rsa.publicKey, rsaSig, 'sha256')).toBeUndefined();
    expect(signatureFault(OID.rsaEncryption, data, rsa.publicKey, rsaSig)).toMatch(/unsupported/);
    expect(signatureFault(OID.ecPublicKey, data, ec.publicKey, ecSig, 'sha256')).toBeUndefined();
  });

  it('refuses a key of the wrong type and a malformed signature without throwing', () => {
    expect(signatureFault(OID.sha256WithRsa, data, ec.publicKey, ecSig)).toMatch(/does not fit a ec key/);
    expect(signatureFault(OID.ecdsaSha256, data, ec.publicKey, Buffer.from([0x30, 0x02, 0x05]))).toBe('signature does not verify');
    expect(signatureFault(OID.ecdsaSha256, data, ec.publicKey, Buffer.alloc(0))).toBe('signature does not verify');
  });
});
