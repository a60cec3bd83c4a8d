/**
 * OCSP: the certificates `trust init` issues point at the CRL and the OCSP responder; the
 * mamori responder answers openssl's requests (good / revoked / unknown, nonce echoed,
 * signed by the delegated responder) and openssl accepts the answers; mamori reads responses
 * `openssl ocsp -index` made; verification turns a revocation into a clear verdict (revoked
 * after the time stamp: valid at signing time; before it, or without one: revoked).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { createTestTrust, runOpenssl, type TestTrust } from '../testing.js';
import { loadIdentity, trustFiles } from '../pki/keys.js';
import { issueCrl } from '../pki/generate.js';
import { validatePath } from '../pki/path.js';
import { sealJws, verifyJws, type JwsFlattened } from '../seal/jades.js';
import { localTimeStamper } from '../tsp/client.js';
import { certIdOf } from './cert-id.js';
import { encodeOcspRequest, parseOcspRequest } from './request.js';
import { ocspSignerFor, parseOcspResponse } from './response.js';
import { OcspResponder } from './responder.js';
import { ocspUrlsOf } from './client.js';
import { OID } from '../asn1/oids.js';
import { oid, seq, tlv } from '../asn1/write.js';
import type { Certificate } from '../pki/certificate.js';

let trust: TestTrust;
let other: TestTrust;
let work: string;
const file = (role: 'root' | 'tsa' | 'seal' | 'ocsp', dir = trust.dir): string => trustFiles(dir, role).cert;

beforeAll(async () => {
  // issued two hours ago, so a seal can be time-stamped an hour before its revocation
  trust = await createTestTrust({ organisation: 'OCSP ISAC', baseUrl: 'http://127.0.0.1:8080/', now: new Date(Date.now() - 7_200_000) });
  other = await createTestTrust({ organisation: 'Other Root' });
  work = mkdtempSync(join(tmpdir(), 'mamori-ocsp-'));
});
afterAll(() => {
  trust.remove();
  other.remove();
  rmSync(work, { recursive: true, force: true });
});

/** openssl builds the request, mamori answers it, openssl checks the answer. */
function opensslRoundTrip(cert: string, issuer = file('root')): { status: string; out: string; response: Buffer } {
  const q = runOpenssl(['ocsp', '-issuer', issuer, '-cert', cert, '-reqout', 'req.der'], work);
  expect(q.ok, q.out).toBe(true);
  const response = new OcspResponder({ dir: trust.dir }).respond(readFileSync(join(work, 'req.der')));
  writeFileSync(join(work, 'resp.der'), response);
  // -reqin without -cert: openssl then checks the echoed nonce against that request
  const v = runOpenssl(['ocsp', '-reqin', 'req.der', '-respin', 'resp.der', '-CAfile', file('root'), '-resp_text'], work);
  const status = /Cert Status: (good|revoked|unknown)\b/.exec(v.out)?.[1] ?? 'none';
  return { status, out: v.out, response };
}

describe('OCSP', () => {
  it('leaf certificates name the CRL distribution point and the OCSP responder', () => {
    const t = runOpenssl(['x509', '-in', file('seal'), '-noout', '-text'], work).out;
    expect(t).toContain('URI:http://127.0.0.1:8080/crl');
    expect(t).toMatch(/OCSP - URI:http:\/\/127\.0\.0\.1:8080\/ocsp/);
    expect(runOpenssl(['x509', '-in', file('ocsp'), '-noout', '-ocsp_uri'], work).out.trim()).toBe('');
    const r = runOpenssl(['x509', '-in', file('ocsp'), '-noout', '-text'], work).out;
    expect(r).toContain('OCSP Signing');
    expect(r).toContain('OCSP No Check');
  });

  it('answers good for an issued certificate; openssl verifies the delegated signature and the nonce', () => {
    const r = opensslRoundTrip(file('seal'));
    expect(r.out).toContain('Response verify OK');
    expect(r.status).toBe('good');
    expect(r.out).not.toMatch(/nonce verify error|WARNING: no nonce/i);
    const parsed = parseOcspResponse(r.response);
    expect(parsed.nonce).toEqual(parseOcspRequest(readFileSync(join(work, 'req.der'))).nonce);
    expect(ocspSignerFor(parsed, trust.root).signer?.subject).toContain('OCSP Responder');
  });

  it('without a delegated responder the CA key signs; openssl and mamori accept that too', () => {
    const caOnly = join(work, 'ca-only');
    mkdirSync(caOnly);
    for (const f of ['root.key.pem', 'root.cert.pem', 'root.crl.pem', 'seal.cert.pem']) copyFileSync(join(trust.dir, f), join(caOnly, f));
    chmodSync(join(caOnly, 'root.key.pem'), 0o600);
    const responder = new OcspResponder({ dir: caOnly });
    expect(responder.signer.cert.fingerprint256).toBe(trust.root.fingerprint256);
    expect(runOpenssl(['ocsp', '-issuer', file('root'), '-cert', file('seal'), '-reqout', 'ca-req.der'], work).ok).toBe(true);
    writeFileSync(join(work, 'ca-resp.der'), responder.respond(readFileSync(join(work, 'ca-req.der'))));
    const v = runOpenssl(['ocsp', '-reqin', 'ca-req.der', '-respin', 'ca-resp.der', '-CAfile', file('root'), '-resp_text'], work);
    expect(v.out).toContain('Response verify OK');
    expect(v.out).toContain('Cert Status: good');
    const parsed = parseOcspResponse(readFileSync(join(work, 'ca-resp.der')));
    expect(parsed.certs).toHaveLength(1);
    expect(ocspSignerFor(parsed, trust.root).signer?.fingerprint256).toBe(trust.root.fingerprint256);
  });

  it('answers unknown for a certificate of another CA and for a serial the CA never issued', () => {
    expect(opensslRoundTrip(file('seal', other.dir), file('root', other.dir)).status).toBe('unknown');
    const forged = certIdOf({ ...trust.seal, serial: 12345n }, trust.root);
    const resp = parseOcspResponse(new OcspResponder({ dir: trust.dir }).respond(encodeOcspRequest([forged]).der));
    expect(resp.responses[0].status).toBe('unknown');
  });

  it('malformed requests get malformedRequest', () => {
    const responder = new OcspResponder({ dir: trust.dir });
    for (const bad of [Buffer.alloc(0), Buffer.from('30030201ff', 'hex'), Buffer.from('not der')]) {
      expect(parseOcspResponse(responder.respond(bad)).status).toBe('malformedRequest');
    }
    const many = encodeOcspRequest(Array.from({ length: 33 }, () => certIdOf(trust.seal, trust.root))).der;
    expect(parseOcspResponse(responder.respond(many)).status).toBe('malformedRequest');
    expect(() => new OcspResponder({ dir: join(work, 'no-such-dir') })).toThrow(/no CA certificate/);
  });

  it('revocation: openssl sees revoked; a seal time-stamped before stays valid at signing time, one after is revoked', async () => {
    const identity = loadIdentity(trust.dir, 'seal');
    const payload = Buffer.from('{"advisory":1}');
    // time-stamped an hour ago (the TSA's clock), revoked now
    const early = await sealJws(identity, payload, { level: 'T', timeStamper: localTimeStamper(trust.authority({ now: () => new Date(Date.now() - 3_600_000) })) }) as JwsFlattened;
    const plain = await sealJws(identity, payload);
    await issueCrl({ dir: trust.dir, revoke: [{ serial: trust.seal.serial, reason: 'keyCompromise' }] });

    const r = opensslRoundTrip(file('seal'));
    expect(r.out).toContain('Response verify OK');
    expect(r.status).toBe('revoked');
    expect(r.out).toContain('Revocation Reason: keyCompromise');
    const ocsp = [parseOcspResponse(r.response)];

    const before = verifyJws(early, { trustAnchors: [trust.root], ocsp });
    expect(before.valid, before.reasons.join('\n')).toBe(true);
    expect(before.revocation?.status).toBe('revoked');
    expect(before.revocation?.summary).toMatch(/revoked at .*keyCompromise.*after the time stamp of .*valid at signing time/);
    const after = verifyJws(plain, { trustAnchors: [trust.root], ocsp });
    expect(after.valid).toBe(false);
    expect(after.revocation?.summary).toMatch(/REVOKED/);
    expect(after.reasons.join('\n')).toMatch(/e-Seal: revoked at/);
    // the TSA itself is still good in the same CRL
    expect(opensslRoundTrip(file('tsa')).status).toBe('good');
  });

  it('reads responses made by openssl ocsp -index; a response signed by another CA is not applied', () => {
    const yymmdd = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
    const serialHex = trust.tsa.serial.toString(16).toUpperCase();
    writeFileSync(join(work, 'index.txt'), `R\t${yymmdd(trust.tsa.notAfter)}\t${yymmdd(new Date(Date.now() - 60_000))},superseded\t${serialHex}\tunknown\t/CN=tsa\n`);
    const q = runOpenssl(['ocsp', '-issuer', file('root'), '-cert', file('tsa'), '-reqout', 'oreq.der'], work);
    expect(q.ok, q.out).toBe(true);
    const g = runOpenssl(['ocsp', '-index', 'index.txt', '-CA', file('root'), '-rsigner', file('root'), '-rkey', trustFiles(trust.dir, 'root').key, '-reqin', 'oreq.der', '-respout', 'oresp.der', '-ndays', '1'], work);
    expect(g.ok, g.out).toBe(true);
    const resp = parseOcspResponse(readFileSync(join(work, 'oresp.der')));
    expect(resp.responses[0].status).toBe('revoked');
    expect(resp.responses[0].reason).toBe('superseded');
    const path = validatePath(trust.tsa, [], [trust.root], { at: new Date(), ocsp: [resp] });
    expect(path.ok).toBe(false);
    expect(path.revocation?.[0]).toMatchObject({ status: 'revoked', source: 'ocsp', reason: 'superseded' });
    // the same answer for the other root's TSA means nothing: its signer is not that CA
    expect(validatePath(other.tsa, [], [other.root], { at: new Date(), ocsp: [resp] }).ok).toBe(true);
  });

  it('hostile request and response bytes: MamoriErrors naming offset or field, never another exception', () => {
    const check = (parse: (b: Uint8Array) => unknown, bytes: Uint8Array): void => {
      try {
        parse(bytes);
      } catch (e) {
        expect(isMamoriError(e), String(e)).toBe(true);
        const d = (e as { details: Record<string, unknown> }).details;
        expect(d.offset !== undefined || d.field !== undefined).toBe(true);
      }
    };
    const req = encodeOcspRequest([certIdOf(trust.seal, trust.root)]).der;
    const resp = new OcspResponder({ dir: trust.dir }).respond(req);
    for (const [parse, good] of [[parseOcspRequest, req], [parseOcspResponse, resp]] as const) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(parse, b)), { numRuns: 300 });
      fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const m = Buffer.from(good);
        m[i] = v;
        check(parse, m);
      }), { numRuns: 800 });
      for (let n = 0; n < good.length; n++) check(parse, good.subarray(0, n));
    }
  });

  it('no mutation of a response changes the status a verifier accepts', () => {
    const resp = new OcspResponder({ dir: trust.dir }).respond(encodeOcspRequest([certIdOf(trust.tsa, trust.root)]).der);
    const goodPath = (der: Uint8Array): boolean => {
      try {
        return validatePath(trust.tsa, [], [trust.root], { at: new Date(), ocsp: [parseOcspResponse(der)] }).revocation?.[0].status !== 'unchecked';
      } catch {
        return false;
      }
    };
    expect(goodPath(resp)).toBe(true);
    // a single changed octet in the signed part leaves the response unusable (status unchecked or a parse error)
    const signedEnd = resp.length - 200; // the signature and certs follow tbsResponseData
    fc.assert(fc.property(fc.integer({ min: 20, max: signedEnd }), fc.integer({ min: 1, max: 255 }), (i, x) => {
      const m = Buffer.from(resp);
      m[i] ^= x;
      return !goodPath(m) || m.equals(resp);
    }), { numRuns: 300 });
  });

  it('ocspUrlsOf reads the OCSP locations of an AIA and refuses a malformed one with a typed error', () => {
    const withAia = (value: Uint8Array): Certificate => ({ ...trust.seal, extensions: new Map([[OID.authorityInfoAccess, { critical: false, value }]]) });
    const ocspMethod = oid('1.3.6.1.5.5.7.48.1');
    const caIssuers = oid('1.3.6.1.5.5.7.48.2');
    const uri = (u: string): Buffer => tlv(0x86, Buffer.from(u, 'latin1'));
    const good = seq(seq(caIssuers, uri('http://ca.example/ca.cer')), seq(ocspMethod, uri('http://ca.example/ocsp')), seq(ocspMethod, tlv(0xa4, seq())));
    expect(ocspUrlsOf(withAia(good))).toEqual(['http://ca.example/ocsp']);
    expect(ocspUrlsOf({ ...trust.seal, extensions: new Map() })).toEqual([]);
    const fails = (value: Uint8Array): void => {
      try {
        ocspUrlsOf(withAia(value));
      } catch (e) {
        expect(isMamoriError(e), String(e)).toBe(true);
        const d = (e as { details: Record<string, unknown> }).details;
        expect(d.offset !== undefined || d.field !== undefined).toBe(true);
        return;
      }
      throw new Error(`accepted a malformed AIA: ${Buffer.from(value).toString('hex')}`);
    };
    fails(Buffer.alloc(0));
    fails(seq(seq(ocspMethod)));
    fails(seq(tlv(0x04, Buffer.from('x'))));
    fails(good.subarray(0, good.length - 3));
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
      const m = Buffer.from(good);
      m[i] = v;
      try {
        ocspUrlsOf(withAia(m));
      } catch (e) {
        expect(isMamoriError(e), String(e)).toBe(true);
      }
    }), { numRuns: 500 });
  });
});
