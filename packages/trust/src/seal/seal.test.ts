import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTrust, type TestTrust, runOpenssl } from '../testing.js';
import { loadIdentity, trustFiles } from '../pki/keys.js';
import { localTimeStamper } from '../tsp/client.js';
import { sealCades } from './cades.js';
import { verifyCades } from './verify-cades.js';
import { jwsPayload, sealJson, sealJws, verifyJws, type JwsFlattened } from './jades.js';
import type { SigningIdentity } from '../cms/sign.js';

const openssl = runOpenssl;

let trust: TestTrust;
let seal: SigningIdentity;
let work: string;
const content = Buffer.from('Advisory 2026-042: patch the routers now.\n');

beforeAll(async () => {
  trust = await createTestTrust({ organisation: 'Example ISAC' });
  seal = loadIdentity(trust.dir, 'seal');
  work = mkdtempSync(join(tmpdir(), 'mamori-seal-'));
  writeFileSync(join(work, 'doc.txt'), content);
});
afterAll(() => {
  trust.remove();
  rmSync(work, { recursive: true, force: true });
});

describe('CAdES seals', () => {
  it('detached B-level seal: openssl cms -verify accepts it, mamori names the organisation', async () => {
    const sig = await sealCades(seal, content);
    writeFileSync(join(work, 'doc.p7s'), sig);
    const v = openssl(['cms', '-verify', '-binary', '-content', 'doc.txt', '-in', 'doc.p7s', '-inform', 'DER', '-CAfile', trustFiles(trust.dir, 'root').cert, '-out', '/dev/null'], work);
    expect(v.out).toContain('Verification successful');
    const verdict = verifyCades(sig, { content, trustAnchors: [trust.root] });
    expect(verdict.reasons).toEqual([]);
    expect(verdict).toMatchObject({ valid: true, format: 'CAdES', level: 'B', organisation: 'Example ISAC', contentUnchanged: true, chainTrusted: true });
    expect(verdict.claimedSigningTime).toBeInstanceOf(Date);
    // openssl shows the CAdES signed attributes
    const printed = openssl(['cms', '-cmsout', '-print', '-in', 'doc.p7s', '-inform', 'DER'], work).out;
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).toContain('signingTime');
  });

  it('enveloping T-level seal carries a signature time stamp over the signature value', async () => {
    const sig = await sealCades(seal, content, { detached: false, level: 'T', timeStamper: localTimeStamper(trust.authority()) });
    writeFileSync(join(work, 'env.p7m'), sig);
    const v = openssl(['cms', '-verify', '-binary', '-in', 'env.p7m', '-inform', 'DER', '-CAfile', trustFiles(trust.dir, 'root').cert, '-out', join(work, 'out.txt')], work);
    expect(v.out).toContain('Verification successful');
    expect(readFileSync(join(work, 'out.txt'))).toEqual(content);
    const verdict = verifyCades(sig, { trustAnchors: [trust.root] });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.level).toBe('T');
    expect(verdict.timeStamp?.valid).toBe(true);
    expect(verdict.timeStamp?.tsa).toContain('Time-Stamp Authority');
  });

  it('tampered content, a foreign root and a mangled signature are never valid', async () => {
    const sig = await sealCades(seal, content);
    const changed = verifyCades(sig, { content: Buffer.from('Advisory 2026-042: ignore this.\n'), trustAnchors: [trust.root] });
    expect(changed.valid).toBe(false);
    expect(changed.contentUnchanged).toBe(false);
    expect(changed.signatureValid).toBe(true); // the seal is genuine, the file is not what was sealed
    const other = await createTestTrust();
    try {
      const foreign = verifyCades(sig, { content, trustAnchors: [other.root] });
      expect(foreign.valid).toBe(false);
      expect(foreign.chainTrusted).toBe(false);
    } finally {
      other.remove();
    }
    const bad = Buffer.from(sig);
    bad[bad.length - 5] ^= 0x01; // inside the signature value
    expect(verifyCades(bad, { content, trustAnchors: [trust.root] }).valid).toBe(false);
    expect(verifyCades(Buffer.from('garbage'), { content, trustAnchors: [trust.root] }).reasons[0]).toMatch(/malformed signature/);
  });

  it('verifies signatures made by openssl cms -sign (and refuses them when the content changed)', () => {
    const f = trustFiles(trust.dir, 'seal');
    const s = openssl(['cms', '-sign', '-binary', '-in', 'doc.txt', '-signer', f.cert, '-inkey', f.key, '-outform', 'DER', '-out', 'os.p7s', '-md', 'sha256'], work);
    expect(s.ok, s.out).toBe(true);
    const sig = readFileSync(join(work, 'os.p7s'));
    const v = verifyCades(sig, { content, trustAnchors: [trust.root] });
    expect(v.reasons).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.sealedBy).toContain('Example ISAC');
    // -nodetach: enveloping, with openssl's CAdES option
    const s2 = openssl(['cms', '-sign', '-binary', '-nodetach', '-cades', '-in', 'doc.txt', '-signer', f.cert, '-inkey', f.key, '-outform', 'DER', '-out', 'os2.p7m'], work);
    expect(s2.ok, s2.out).toBe(true);
    const v2 = verifyCades(readFileSync(join(work, 'os2.p7m')), { trustAnchors: [trust.root] });
    expect(v2.reasons).toEqual([]);
    expect(v2.format).toBe('CAdES');
    expect(verifyCades(sig, { content: Buffer.from('x'), trustAnchors: [trust.root] }).valid).toBe(false);
  });
});

describe('JAdES / JWS seals', () => {
  const advisory = { id: 'advisory--1', title: 'Patch the routers', tlp: 'amber' };

  it('compact seal verifies, and any change to payload or header breaks it', async () => {
    const jws = (await sealJson(seal, advisory)) as string;
    expect(jws.split('.')).toHaveLength(3);
    const v = verifyJws(jws, { trustAnchors: [trust.root] });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({ valid: true, format: 'JAdES', organisation: 'Example ISAC' });
    expect(JSON.parse(jwsPayload(jws).toString())).toEqual(advisory);
    const [h, , s] = jws.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...advisory, tlp: 'clear' })).toString('base64url')}.${s}`;
    expect(verifyJws(forged, { trustAnchors: [trust.root] })).toMatchObject({ valid: false, contentUnchanged: false });
    expect(verifyJws('a.b', { trustAnchors: [trust.root] }).valid).toBe(false);
    expect(verifyJws(`${Buffer.from('{"alg":"none"}').toString('base64url')}..`, { trustAnchors: [trust.root] }).valid).toBe(false);
  });

  it('JSON serialisation at level T carries a verifiable signature time stamp', async () => {
    const jws = (await sealJws(seal, Buffer.from(JSON.stringify(advisory)), { level: 'T', timeStamper: localTimeStamper(trust.authority()) })) as JwsFlattened;
    const v = verifyJws(JSON.stringify(jws), { trustAnchors: [trust.root] });
    expect(v.reasons).toEqual([]);
    expect(v.level).toBe('T');
    expect(v.timeStamp?.valid).toBe(true);
    // a token for another signature is caught
    const other = (await sealJws(seal, Buffer.from('{}'), { level: 'T', timeStamper: localTimeStamper(trust.authority()) })) as JwsFlattened;
    const swapped = { ...jws, header: other.header };
    const bad = verifyJws(swapped, { trustAnchors: [trust.root] });
    expect(bad.valid).toBe(false);
    expect(bad.reasons.join()).toContain('signature time stamp');
  });

  it('a seal made with the TSA key (wrong certificate for sealing) is refused', async () => {
    const tsaIdentity = loadIdentity(trust.dir, 'tsa');
    const jws = (await sealJson(tsaIdentity, advisory)) as string;
    const v = verifyJws(jws, { trustAnchors: [trust.root] });
    expect(v.valid).toBe(false);
    expect(v.reasons.join()).toMatch(/EKU/);
  });
});

describe('RSA-3072 keys', () => {
  it('init with RSA-3072 seals and stamps that openssl accepts', async () => {
    const rsa = await createTestTrust({ algorithm: 'rsa-3072', organisation: 'RSA Org' });
    try {
      expect(rsa.seal.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
      const id = loadIdentity(rsa.dir, 'seal');
      const sig = await sealCades(id, content, { level: 'T', timeStamper: localTimeStamper(rsa.authority()) });
      writeFileSync(join(work, 'rsa.p7s'), sig);
      const v = openssl(['cms', '-verify', '-binary', '-content', 'doc.txt', '-in', 'rsa.p7s', '-inform', 'DER', '-CAfile', trustFiles(rsa.dir, 'root').cert, '-out', '/dev/null'], work);
      expect(v.out).toContain('Verification successful');
      const verdict = verifyCades(sig, { content, trustAnchors: [rsa.root] });
      expect(verdict.reasons).toEqual([]);
      expect(verdict.level).toBe('T');
      const jws = (await sealJson(id, { a: 1 })) as string;
      expect(verifyJws(jws, { trustAnchors: [rsa.root] }).valid).toBe(true);
    } finally {
      rsa.remove();
    }
  });
});
