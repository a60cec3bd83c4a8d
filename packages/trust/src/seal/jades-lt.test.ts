/**
 * JAdES LT/LTA: validation data (xVals, rVals) and an archive time stamp in etsiU make a seal
 * verifiable with the trust anchor alone; changing any covered member breaks the archive stamp;
 * a revocation after the seal's time stamp leaves it valid at signing time; an LT seal without
 * data for its sealing certificate is not passed as LT.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTrust, type TestTrust } from '../testing.js';
import { loadIdentity } from '../pki/keys.js';
import { loadCrls } from '../pki/crl.js';
import { issueCrl } from '../pki/generate.js';
import { OcspResponder } from '../ocsp/responder.js';
import { localTimeStamper } from '../tsp/client.js';
import { sealJws, verifyJws, type JwsFlattened } from './jades.js';
import { readUnsigned, type ValidationDataSource } from './jades-lt.js';

let trust: TestTrust;
const payload = Buffer.from('{"advisory":"CVE-2026-0001","tlp":"clear"}');

beforeAll(async () => {
  trust = await createTestTrust({ organisation: 'LTA ISAC', now: new Date(Date.now() - 7_200_000) });
});
afterAll(() => trust.remove());

/** What the installation's service does: its CRL and its responder's answer for the certificates it issued. */
const local: ValidationDataSource = async (certs) => ({ crls: loadCrls(trust.dir), ocsp: [new OcspResponder({ dir: trust.dir }).answerFor(certs)!] });

const seal = async (level: 'LT' | 'LTA', source = local, stampedAgoMs = 0): Promise<JwsFlattened> =>
  (await sealJws(loadIdentity(trust.dir, 'seal'), payload, {
    level, validationData: source, timeStamper: localTimeStamper(trust.authority(stampedAgoMs ? { now: () => new Date(Date.now() - stampedAgoMs) } : {})),
  })) as JwsFlattened;

describe('JAdES LT/LTA', () => {
  it('an LTA seal verifies with the trust anchor alone: embedded OCSP/CRL, archive time stamp valid', async () => {
    const jws = await seal('LTA');
    const u = readUnsigned(jws);
    expect(u.level).toBe('LTA');
    expect(u.certificates.some((c) => c.subject.includes('Time-Stamp Authority'))).toBe(true);
    expect(u.crls).toHaveLength(1);
    expect(u.ocsp[0].responses.map((r) => r.status)).toEqual(['good', 'good']);
    expect(jws.header?.etsiU?.every((m) => typeof m === 'string')).toBe(true);
    const v = verifyJws(JSON.stringify(jws), { trustAnchors: [trust.root] });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({ valid: true, level: 'LTA', revocation: { status: 'good' } });
    expect(v.archiveTimeStamps?.[0].valid).toBe(true);
  });

  it('changing, dropping or reordering a member the archive time stamp covers invalidates it', async () => {
    const jws = await seal('LTA');
    const etsiU = jws.header!.etsiU as string[];
    const verdict = (e: unknown[]): ReturnType<typeof verifyJws> => verifyJws({ ...jws, header: { etsiU: e } }, { trustAnchors: [trust.root] });
    const noOcsp = Buffer.from(JSON.stringify({ rVals: { crlVals: [], ocspVals: [] } })).toString('base64url');
    expect(verdict([etsiU[0], etsiU[1], noOcsp, etsiU[3]]).reasons.join('\n')).toMatch(/archive time stamp: digest does not match/);
    expect(verdict([etsiU[0], etsiU[2], etsiU[3]]).valid).toBe(false);
    expect(verdict([etsiU[0], etsiU[2], etsiU[1], etsiU[3]]).valid).toBe(false);
    // without the archive time stamp it is a valid LT seal
    expect(verdict(etsiU.slice(0, 3))).toMatchObject({ valid: true, level: 'LT' });
  });

  it('an LT seal without revocation data for its sealing certificate is not valid as LT', async () => {
    const v = verifyJws(await seal('LT', async () => ({ crls: [], ocsp: [] })), { trustAnchors: [trust.root] });
    expect(v.valid).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/level LT: the seal carries no revocation data/);
  });

  it('hostile etsiU members: a verdict, never an exception, never valid when a covered member is replaced', async () => {
    const jws = await seal('LTA');
    const etsiU = jws.header!.etsiU as string[];
    fc.assert(fc.property(fc.integer({ min: 0, max: etsiU.length - 2 }), fc.oneof(fc.jsonValue(), fc.string()), (i, junk) => {
      const e = [...etsiU];
      e[i] = junk as string;
      const v = verifyJws({ ...jws, header: { etsiU: e } }, { trustAnchors: [trust.root] });
      return junk === etsiU[i] || !v.valid;
    }), { numRuns: 200 });
  });

  // Last: it revokes the e-seal.
  it('revoked after its time stamp: valid at signing time with current and with embedded data; sealed after: revoked', async () => {
    const jws = await seal('LTA', local, 3_600_000);
    await issueCrl({ dir: trust.dir, revoke: [{ serial: trust.seal.serial, reason: 'keyCompromise' }] });
    const current = verifyJws(jws, { trustAnchors: [trust.root], crls: loadCrls(trust.dir) });
    expect(current.reasons).toEqual([]);
    expect(current.revocation?.summary).toMatch(/revoked at .*after the time stamp of .*valid at signing time/);
    expect(verifyJws(jws, { trustAnchors: [trust.root] }).valid).toBe(true);
    // the embedded data of a seal made now says revoked
    const late = verifyJws(await seal('LT'), { trustAnchors: [trust.root] });
    expect(late.valid).toBe(false);
    expect(late.revocation?.status).toBe('revoked');
  });
});
