/**
 * CRLs: the root made by `trust init` publishes one that `openssl crl` verifies; revoking the
 * e-seal or the TSA makes their seals and tokens invalid in mamori and in `openssl verify
 * -crl_check`; a CRL written by `openssl ca -gencrl` is read and applied by mamori; stale
 * and foreign CRLs are handled; hostile CRL bytes give MamoriErrors only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { createTestTrust, type TestTrust, runOpenssl } from '../testing.js';
import { loadIdentity, trustFiles } from './keys.js';
import { crlFile, crlsFromPem, loadCrls, parseCrl } from './crl.js';
import { issueCrl } from './generate.js';
import { sealCades } from '../seal/cades.js';
import { verifyCades } from '../seal/verify-cades.js';
import { encodeTimeStampReq } from '../tsp/request.js';
import { parseTimeStampResp } from '../tsp/response.js';
import { verifyTimeStampToken } from '../tsp/verify.js';

const openssl = runOpenssl;

let trust: TestTrust;
let other: TestTrust;
let work: string;
const content = Buffer.from('advisory under a CRL\n');

beforeAll(async () => {
  trust = await createTestTrust({ organisation: 'CRL ISAC' });
  other = await createTestTrust({ organisation: 'Other Root' });
  work = mkdtempSync(join(tmpdir(), 'mamori-crl-'));
});
afterAll(() => {
  trust.remove();
  other.remove();
  rmSync(work, { recursive: true, force: true });
});

const root = () => trustFiles(trust.dir, 'root').cert;

describe('CRLs', () => {
  it('init publishes an empty CRL that openssl crl verifies against the root', () => {
    const v = openssl(['crl', '-in', crlFile(trust.dir), '-CAfile', root(), '-noout', '-text'], work);
    expect(v.out).toContain('verify OK');
    expect(v.out).toContain('No Revoked Certificates');
    const [crl] = loadCrls(trust.dir);
    expect(crl.crlNumber).toBe(1n);
    expect(crl.revoked.size).toBe(0);
    expect(crl.issuerDer.equals(trust.root.subjectDer)).toBe(true);
  });

  it('revoking the e-seal invalidates its seals in mamori and in openssl verify -crl_check', async () => {
    const seal = await sealCades(loadIdentity(trust.dir, 'seal'), content);
    expect(verifyCades(seal, { trustAnchors: [trust.root], content, crls: loadCrls(trust.dir) }).valid).toBe(true);

    const crl = await issueCrl({ dir: trust.dir, revoke: [{ serial: trust.seal.serial, reason: 'keyCompromise' }] });
    expect(crl.crlNumber).toBe(2n);
    const v = verifyCades(seal, { trustAnchors: [trust.root], content, crls: loadCrls(trust.dir) });
    expect(v.valid).toBe(false);
    expect(v.chainTrusted).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/revoked at .* \(keyCompromise\)/);
    // without CRLs the same seal is still valid (the check is the CRL's doing)
    expect(verifyCades(seal, { trustAnchors: [trust.root], content }).valid).toBe(true);

    const o = openssl(['verify', '-crl_check', '-CRLfile', crlFile(trust.dir), '-CAfile', root(), trustFiles(trust.dir, 'seal').cert, trustFiles(trust.dir, 'tsa').cert], work);
    expect(o.out).toMatch(/seal\.cert\.pem: verification failed|certificate revoked/);
    expect(o.out).toContain('tsa.cert.pem: OK');
    // the next CRL keeps earlier entries
    expect((await issueCrl({ dir: trust.dir })).revoked.has(trust.seal.serial)).toBe(true);
  });

  it('reads a CRL made by openssl ca -gencrl: the TSA it revokes no longer makes valid tokens', async () => {
    const tsa = trust.authority();
    const data = Buffer.from('stamped');
    const { createHash } = await import('node:crypto');
    const token = parseTimeStampResp(await tsa.respond(encodeTimeStampReq(createHash('sha256').update(data).digest()).der)).token!;
    expect(verifyTimeStampToken(token, { data, trustAnchors: [trust.root] }).valid).toBe(true);

    const yymmdd = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    const serialHex = trust.tsa.serial.toString(16).toUpperCase();
    writeFileSync(join(work, 'index.txt'), `R\t${yymmdd(trust.tsa.notAfter)}\t${yymmdd(new Date(Date.now() - 60_000))},keyCompromise\t${serialHex}\tunknown\t/CN=tsa\n`);
    writeFileSync(join(work, 'crlnumber'), '10\n');
    writeFileSync(join(work, 'ca.cnf'), '[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n');
    const g = openssl(['ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', trustFiles(trust.dir, 'root').key, '-cert', root(), '-out', 'openssl.crl.pem'], work);
    expect(g.ok, g.out).toBe(true);
    const crls = crlsFromPem(readFileSync(join(work, 'openssl.crl.pem'), 'utf8'));
    expect(crls[0].crlNumber).toBe(0x10n);
    expect(crls[0].revoked.get(trust.tsa.serial)?.reason).toBe('keyCompromise');
    // revoked a minute before the token's genTime: the token is not valid
    const v = verifyTimeStampToken(token, { data, trustAnchors: [trust.root], crls });
    expect(v.valid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/Time-Stamp Authority.*revoked/);
  });

  it('an out-of-date CRL fails the chain; a CRL signed by another root is not applied', async () => {
    const seal = await sealCades(loadIdentity(other.dir, 'seal'), content);
    const stale = await issueCrl({ dir: other.dir, now: new Date(Date.now() - 10 * 86_400_000), days: 1 });
    const v = verifyCades(seal, { trustAnchors: [other.root], content, crls: [stale] });
    expect(v.valid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/out of date/);
    // the first root's CRL (revoking its own e-seal) means nothing for the other root's chain
    expect(verifyCades(seal, { trustAnchors: [other.root], content, crls: loadCrls(trust.dir) }).valid).toBe(true);
    // a forged CRL: the other root's (stale) CRL re-labelled with the first root's name does not verify, so it is not applied
    const forged = { ...stale, issuerDer: trust.root.subjectDer };
    const firstSeal = await sealCades(loadIdentity(trust.dir, 'seal'), content);
    expect(verifyCades(firstSeal, { trustAnchors: [trust.root], content, crls: [forged] }).valid).toBe(true);
  });

  it('hostile CRL bytes: a MamoriError naming offset or field, never another exception', () => {
    const good = loadCrls(trust.dir)[0].der;
    const check = (bytes: Uint8Array): void => {
      try {
        parseCrl(bytes);
      } catch (e) {
        expect(isMamoriError(e)).toBe(true);
        const d = (e as { details: Record<string, unknown> }).details;
        expect(d.offset !== undefined || d.field !== undefined).toBe(true);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(b)), { numRuns: 500 });
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
      const m = Buffer.from(good);
      m[i] = v;
      check(m);
    }), { numRuns: 1000 });
    for (let n = 0; n < good.length; n++) check(good.subarray(0, n));
  });
});
