/**
 * Hostile input: random and mutated DER at every depth, truncations, huge lengths, wrong OIDs.
 * The property everywhere: a MamoriError or a result, never another exception, never a hang,
 * and never "valid" unless the signed substance is exactly the original.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { createTestTrust, type TestTrust } from './testing.js';
import { encodeTimeStampReq, parseTimeStampReq } from './tsp/request.js';
import { parseTimeStampResp, PKIStatus } from './tsp/response.js';
import { verifyTimeStampToken } from './tsp/verify.js';
import { parseSignedData } from './cms/parse.js';
import { parseCertificate } from './pki/certificate.js';
import { loadIdentity } from './pki/keys.js';
import { sealCades } from './seal/cades.js';
import { verifyCades } from './seal/verify-cades.js';
import { verifyJws } from './seal/jades.js';
import type { TimeStampAuthority } from './tsp/authority.js';

let trust: TestTrust;
let tsa: TimeStampAuthority;
const data = Buffer.from('evidence of the incident\n');
const digest = createHash('sha256').update(data).digest();
let request: Buffer;
let token: Uint8Array;

beforeAll(async () => {
  trust = await createTestTrust();
  tsa = trust.authority();
  request = encodeTimeStampReq(digest, { nonce: 0x1234567890n }).der;
  token = parseTimeStampResp(await tsa.respond(request)).token!;
});
afterAll(() => trust.remove());

const mustBeMamoriOrResult = (f: () => unknown): void => {
  try {
    f();
  } catch (e) {
    if (!isMamoriError(e)) throw e;
    expect(e.details.offset !== undefined || e.details.field !== undefined).toBe(true);
  }
};

/** A byte string with one of: a byte replaced, bytes inserted, bytes removed. */
const mutated = (base: Uint8Array) =>
  fc.oneof(
    fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const out = Buffer.from(base);
      out[i] = b;
      return out;
    }),
    fc.tuple(fc.nat(base.length), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, ins]) => Buffer.concat([base.subarray(0, i), ins, base.subarray(i)])),
    fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 8 })).map(([i, n]) => Buffer.concat([base.subarray(0, i), base.subarray(i + n)])),
  );

describe('TimeStampReq parser and TSA under hostile requests', () => {
  it('random bytes: a MamoriError naming offset or field, or a request', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => mustBeMamoriOrResult(() => parseTimeStampReq(bytes))), { numRuns: 2000 });
  });

  it('every byte of a valid request replaced by 0x00, 0xff, 0x80 and x^0x01: always a parseable TimeStampResp', async () => {
    for (let i = 0; i < request.length; i++) {
      for (const v of [0x00, 0xff, 0x80, request[i] ^ 0x01]) {
        const bad = Buffer.from(request);
        bad[i] = v;
        const reply = parseTimeStampResp(await tsa.respond(bad));
        if (reply.status === PKIStatus.granted) {
          // only harmless changes may be granted: the request must still parse, and the token stamp what it asked
          const parsed = parseTimeStampReq(bad);
          const v = verifyTimeStampToken(reply.token!, { digest: { algorithm: parsed.digest, value: parsed.hashedMessage }, trustAnchors: [trust.root], certificates: [trust.tsa], nonce: parsed.nonce });
          expect(v.reasons, `byte ${i}`).toEqual([]);
        } else {
          expect(reply.failInfo).toBeDefined();
        }
      }
    }
  });

  it('mutated requests (fast-check): the TSA answers, never throws', async () => {
    await fc.assert(fc.asyncProperty(mutated(request), async (bad) => {
      const reply = parseTimeStampResp(await tsa.respond(bad));
      expect([PKIStatus.granted, PKIStatus.rejection]).toContain(reply.status);
    }), { numRuns: 400 });
  });

  it('huge, indefinite and truncated lengths are reported with their offset', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02]), /runs past/],
      [Buffer.from([0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /too large/],
      [Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]), /indefinite/],
      [Buffer.from([0x30, 0x81, 0x05, 0x02, 0x01, 0x01, 0x30, 0x00]), /not minimally/],
      [request.subarray(0, request.length - 1), /runs past|truncated/],
    ];
    for (const [bytes, msg] of cases) {
      try {
        parseTimeStampReq(bytes);
        expect.unreachable();
      } catch (e) {
        expect(isMamoriError(e)).toBe(true);
        expect((e as Error).message).toMatch(msg);
        expect((e as any).details.offset).toBeTypeOf('number');
        expect((e as any).details.failInfo).toBe('badDataFormat');
      }
    }
  });

  it('a request of version 2 is badRequest', async () => {
    const v2 = Buffer.from(request);
    expect(v2.subarray(2, 5)).toEqual(Buffer.from([0x02, 0x01, 0x01]));
    v2[4] = 0x02;
    const reply = parseTimeStampResp(await tsa.respond(v2));
    expect(reply.status).toBe(PKIStatus.rejection);
    expect(reply.failInfo).toBe('badRequest');
  });

  it('an unknown hash OID is badAlg, a wrong imprint length badDataFormat, extensions unacceptedExtension', async () => {
    const unknownAlg = Buffer.from(request);
    const at = unknownAlg.indexOf(Buffer.from('608648016503040201', 'hex'));
    unknownAlg[at + 8] = 0x09; // 2.16.840.1.101.3.4.2.9: not a digest mamori takes
    expect(parseTimeStampResp(await tsa.respond(unknownAlg)).failInfo).toBe('badAlg');
    const short = encodeTimeStampReq(createHash('sha384').update(data).digest(), { digest: 'sha384' }).der;
    const wrongLen = Buffer.from(short);
    wrongLen[short.indexOf(Buffer.from('0609608648016503040202', 'hex')) + 10] = 0x01; // says sha256, carries 48 octets
    expect(parseTimeStampResp(await tsa.respond(wrongLen)).failInfo).toBe('badDataFormat');
    const withExt = Buffer.concat([request.subarray(0, 2), request.subarray(2), Buffer.from([0xa0, 0x00])]);
    withExt[1] += 2;
    expect(parseTimeStampResp(await tsa.respond(withExt)).failInfo).toBe('unacceptedExtension');
  });
});

describe('token verification under hostile tokens', () => {
  it('every truncation of a token is invalid, with a reason', () => {
    for (let n = 0; n < token.length; n++) {
      const v = verifyTimeStampToken(token.subarray(0, n), { data, trustAnchors: [trust.root] });
      expect(v.valid).toBe(false);
      expect(v.reasons.length).toBeGreaterThan(0);
    }
  });

  it('every byte of a token replaced (every depth): never valid unless the signed substance is untouched', async () => {
    // a token without embedded certificates keeps this exhaustive walk short; certificates are fuzzed below
    const bare = (await tsa.stampDigest(digest, { certReq: false })) as Uint8Array;
    const original = parseSignedData(bare).signerInfos[0];
    let stillValid = 0;
    for (let i = 0; i < bare.length; i++) {
      for (const b of [0x00, bare[i] ^ 0x01]) {
        if (b === bare[i]) continue;
        const bad = Buffer.from(bare);
        bad[i] = b;
        const v = verifyTimeStampToken(bad, { data, trustAnchors: [trust.root], certificates: [trust.tsa] });
        if (v.valid) {
          stillValid++;
          const si = parseSignedData(bad).signerInfos[0];
          expect(Buffer.from(si.signature)).toEqual(Buffer.from(original.signature));
          expect(si.signedAttrsDer).toEqual(original.signedAttrsDer);
        } else {
          expect(v.reasons.length).toBeGreaterThan(0);
        }
      }
    }
    // nothing outside the signature covers may change either: every octet is checked or framed
    expect(stillValid).toBe(0);
  });

  it('mutated tokens are never valid unless the signed content and signature are untouched', () => {
    const original = parseSignedData(token).signerInfos[0];
    fc.assert(fc.property(mutated(token), (bad) => {
      const v = verifyTimeStampToken(bad, { data, trustAnchors: [trust.root] });
      if (v.valid) {
        const si = parseSignedData(bad).signerInfos[0];
        expect(Buffer.from(si.signature)).toEqual(Buffer.from(original.signature));
        expect(si.signedAttrsDer).toEqual(original.signedAttrsDer);
      }
    }), { numRuns: 700 });
  });

  it('random bytes as a certificate or a CMS: MamoriError only', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      mustBeMamoriOrResult(() => parseCertificate(bytes));
      mustBeMamoriOrResult(() => parseSignedData(bytes));
      expect(verifyTimeStampToken(bytes, { data, trustAnchors: [trust.root] }).valid).toBe(false);
    }), { numRuns: 700 });
  });

  it('a fault inside an embedded certificate is located in the whole token', () => {
    const bad = Buffer.from(token);
    const cert = Buffer.from(trust.tsa.der);
    const at = bad.indexOf(cert);
    expect(at).toBeGreaterThan(0);
    const subject = cert.indexOf(trust.tsa.subjectDer, cert.indexOf(trust.tsa.issuerDer) + trust.tsa.issuerDer.length);
    bad[at + subject] = 0x31; // the subject Name's SEQUENCE tag becomes a SET
    try {
      parseSignedData(bad);
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_TRUST_DER')).toBe(true);
      expect((e as any).details.offset).toBe(at + subject);
      expect((e as any).details.field).toMatch(/certificates\[0\].*subject/);
    }
  });

  it('a token whose eContentType is id-data is refused', () => {
    const bad = Buffer.from(token);
    const tst = Buffer.from('060b2a864886f70d0109100104', 'hex'); // id-ct-TSTInfo
    const at = bad.indexOf(tst);
    expect(at).toBeGreaterThan(0);
    // rewrite 1.2.840.113549.1.9.16.1.4 to 1.2.840.113549.1.9.16.1.5 (another content type)
    bad[at + tst.length - 1] = 0x05;
    const v = verifyTimeStampToken(bad, { data, trustAnchors: [trust.root] });
    expect(v.valid).toBe(false);
  });
});

describe('seals under hostile input', () => {
  it('mutated CAdES seals never verify unless the signed parts are untouched', async () => {
    const sig = await sealCades(loadIdentity(trust.dir, 'seal'), data);
    const original = parseSignedData(sig).signerInfos[0];
    fc.assert(fc.property(mutated(sig), (bad) => {
      const v = verifyCades(bad, { content: data, trustAnchors: [trust.root] });
      if (v.valid) {
        const si = parseSignedData(bad).signerInfos[0];
        expect(Buffer.from(si.signature)).toEqual(Buffer.from(original.signature));
        expect(si.signedAttrsDer).toEqual(original.signedAttrsDer);
      }
    }), { numRuns: 400 });
  });

  it('arbitrary strings and JSON as a JWS: an invalid verdict, never an exception', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join('.'))), (s) => {
      expect(verifyJws(s, { trustAnchors: [trust.root] }).valid).toBe(false);
    }), { numRuns: 1000 });
  });
});
