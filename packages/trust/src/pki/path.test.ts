import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { parseCertificate, type Certificate } from './certificate.js';
import { validatePath } from './path.js';
import { createTestTrust, type TestTrust } from '../testing.js';
import { loadIdentity } from './keys.js';
import { SignerTemplate } from '../cms/sign.js';
import { OID } from '../asn1/oids.js';
import { encodeTstInfo } from '../tsp/tst-info.js';
import { oid, octets, seq } from '../asn1/write.js';
import { verifyTimeStampToken } from '../tsp/verify.js';
import { createHash } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as any);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const keys = () => webcrypto.subtle.generateKey(alg, false, ['sign', 'verify']) as Promise<any>;
const DAY = 86_400_000;

async function ca(subject: string, issuer: string, publicKey: any, signingKey: any, opts: { ca?: boolean; notAfter?: Date; eku?: string[] } = {}): Promise<Certificate> {
  const c = await x509.X509CertificateGenerator.create({
    subject, issuer, publicKey, signingKey,
    notBefore: new Date(Date.now() - DAY), notAfter: opts.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(opts.ca ?? true, undefined, true),
      new x509.KeyUsagesExtension(opts.ca === false ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.keyCertSign, true),
      ...(opts.eku ? [new x509.ExtendedKeyUsageExtension(opts.eku, true)] : []),
    ],
  });
  return parseCertificate(new Uint8Array(c.rawData));
}

describe('certification paths', () => {
  it('two CAs that certify each other (a loop) end the search with a reason', async () => {
    const a = await keys();
    const b = await keys();
    const leafKeys = await keys();
    const aByB = await ca('CN=A', 'CN=B', a.publicKey, b.privateKey);
    const bByA = await ca('CN=B', 'CN=A', b.publicKey, a.privateKey);
    const leaf = await ca('CN=leaf', 'CN=A', leafKeys.publicKey, a.privateKey, { ca: false });
    const rootKeys = await keys();
    const unrelated = await ca('CN=root', 'CN=root', rootKeys.publicKey, rootKeys.privateKey);
    const r = validatePath(leaf, [aByB, bByA], [unrelated], { at: new Date() });
    expect(r.ok).toBe(false);
    expect(r.reasons.join()).toMatch(/no trusted issuer/);
  });

  it('a chain longer than the limit is refused, a shorter one accepted', async () => {
    const rootKeys = await keys();
    const root = await ca('CN=root', 'CN=root', rootKeys.publicKey, rootKeys.privateKey);
    let issuerName = 'CN=root';
    let issuerKey = rootKeys.privateKey;
    const intermediates: Certificate[] = [];
    for (let i = 0; i < 9; i++) {
      const k = await keys();
      intermediates.push(await ca(`CN=I${i}`, issuerName, k.publicKey, issuerKey));
      issuerName = `CN=I${i}`;
      issuerKey = k.privateKey;
    }
    const lk = await keys();
    const leaf = await ca('CN=leaf', issuerName, lk.publicKey, issuerKey, { ca: false });
    const long = validatePath(leaf, intermediates, [root], { at: new Date(), maxLength: 8 });
    expect(long.ok).toBe(false);
    expect(long.reasons.join()).toMatch(/path longer than 8/);
    expect(validatePath(leaf, intermediates, [root], { at: new Date(), maxLength: 12 }).ok).toBe(true);
  });

  it('expired issuers and issuers that are not CAs break the path', async () => {
    const rootKeys = await keys();
    const root = await ca('CN=root', 'CN=root', rootKeys.publicKey, rootKeys.privateKey);
    const k = await keys();
    const expired = await ca('CN=I', 'CN=root', k.publicKey, rootKeys.privateKey, { notAfter: new Date(Date.now() - 1000) });
    const lk = await keys();
    const leaf = await ca('CN=leaf', 'CN=I', lk.publicKey, k.privateKey, { ca: false });
    const r = validatePath(leaf, [expired], [root], { at: new Date() });
    expect(r.ok).toBe(false);
    expect(r.reasons.join()).toMatch(/expired/);
    const notCa = await ca('CN=I', 'CN=root', k.publicKey, rootKeys.privateKey, { ca: false });
    const r2 = validatePath(leaf, [notCa], [root], { at: new Date() });
    expect(r2.ok).toBe(false);
    expect(r2.reasons.join()).toMatch(/not a CA/);
  });
});

describe('TSA certificate checks', () => {
  let trust: TestTrust;
  beforeAll(async () => {
    trust = await createTestTrust();
  });
  afterAll(() => trust.remove());

  const forgedToken = (signer: ReturnType<typeof loadIdentity>, data: Buffer, at = new Date()) => {
    const tst = encodeTstInfo({
      policyDer: oid('1.2.3.4'),
      messageImprintDer: seq(seq(oid(OID.sha256)), octets(createHash('sha256').update(data).digest())),
      serialNumber: 7n,
      genTime: at,
    });
    return new SignerTemplate(signer).sign({ contentType: OID.tstInfo, content: tst, certificates: 'signer' });
  };

  it('the TSA refuses to run with a certificate lacking id-kp-timeStamping', () => {
    try {
      trust.authority({ identity: loadIdentity(trust.dir, 'seal') });
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_TRUST_KEYS')).toBe(true);
    }
  });

  it('a token signed by a certificate without the timeStamping EKU is invalid', () => {
    const data = Buffer.from('x');
    const v = verifyTimeStampToken(forgedToken(loadIdentity(trust.dir, 'seal'), data), { data, trustAnchors: [trust.root] });
    expect(v.valid).toBe(false);
    expect(v.reasons.join()).toMatch(/extendedKeyUsage/);
    const ok = verifyTimeStampToken(forgedToken(loadIdentity(trust.dir, 'tsa'), data), { data, trustAnchors: [trust.root] });
    expect(ok.reasons).toEqual([]);
  });

  it('a token dated after the TSA certificate expired is invalid', async () => {
    const old = await createTestTrust({ now: new Date(Date.now() - 400 * DAY), days: 30 });
    try {
      const data = Buffer.from('late');
      const v = verifyTimeStampToken(forgedToken(loadIdentity(old.dir, 'tsa'), data), { data, trustAnchors: [old.root] });
      expect(v.valid).toBe(false);
      expect(v.reasons.join()).toMatch(/expired/);
    } finally {
      old.remove();
    }
  });
});
