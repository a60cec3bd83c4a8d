import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTrust, type TestTrust } from '../testing.js';
import { loadIdentity } from '../pki/keys.js';
import { localTimeStamper } from '../tsp/client.js';
import { issueCrl } from '../pki/generate.js';
import { loadCrls } from '../pki/crl.js';
import { OcspResponder } from '../ocsp/responder.js';
import { createDeliveryEvidence, verifyDeliveryEvidence, type EvidenceIssuer } from './evidence.js';

let trust: TestTrust;
let issuer: EvidenceIssuer;
const content = Buffer.from('{"advisory":"patch now"}');

beforeAll(async () => {
  trust = await createTestTrust({ organisation: 'Delivery Service' });
  issuer = { identity: loadIdentity(trust.dir, 'seal'), timeStamper: localTimeStamper(trust.authority()) };
});
afterAll(() => trust.remove());

async function fullSet(by: EvidenceIssuer = issuer) {
  const base = { messageId: 'msg-1', sender: 'org:nisc', recipient: 'org:isp-7', content };
  const submission = await createDeliveryEvidence(by, { ...base, event: 'submission' });
  const acceptance = await createDeliveryEvidence(by, { ...base, event: 'acceptance', previous: submission });
  const retrieval = await createDeliveryEvidence(by, { ...base, event: 'retrieval', previous: acceptance });
  return [submission, acceptance, retrieval];
}

describe('e-delivery evidence', () => {
  it('a complete set verifies offline, in any order, against the content', async () => {
    const set = await fullSet();
    const v = verifyDeliveryEvidence([set[2], set[0], set[1]], { trustAnchors: [trust.root], content });
    expect(v.reasons).toEqual([]);
    expect(v).toMatchObject({ valid: true, complete: true, messageId: 'msg-1' });
    expect(v.events.map((e) => e.event)).toEqual(['submission', 'acceptance', 'retrieval']);
    expect(v.events.every((e) => e.time instanceof Date && e.sealedBy?.includes('Delivery Service'))).toBe(true);
  });

  it('a missing link, other content, a forged record or a foreign root is caught', async () => {
    const set = await fullSet();
    const partial = verifyDeliveryEvidence([set[0], set[2]], { trustAnchors: [trust.root] });
    expect(partial.valid).toBe(false);
    expect(partial.reasons.join()).toMatch(/previous evidence missing/);
    expect(verifyDeliveryEvidence(set, { trustAnchors: [trust.root], content: Buffer.from('other') }).valid).toBe(false);
    const record = JSON.parse(Buffer.from(set[1].payload, 'base64url').toString());
    const forged = { ...set[1], payload: Buffer.from(JSON.stringify({ ...record, recipientId: 'org:attacker' })).toString('base64url') };
    const f = verifyDeliveryEvidence([set[0], forged, set[2]], { trustAnchors: [trust.root] });
    expect(f.valid).toBe(false);
    const other = await createTestTrust();
    try {
      expect(verifyDeliveryEvidence(set, { trustAnchors: [other.root] }).valid).toBe(false);
    } finally {
      other.remove();
    }
    // another message's evidence mixed in
    const stranger = await createDeliveryEvidence(issuer, { messageId: 'msg-2', sender: 'org:nisc', recipient: 'org:isp-7', content, event: 'submission' });
    expect(verifyDeliveryEvidence([...set, stranger], { trustAnchors: [trust.root] }).valid).toBe(false);
  });

  it('only submission is not complete', async () => {
    const [submission] = await fullSet();
    const v = verifyDeliveryEvidence([submission], { trustAnchors: [trust.root] });
    expect(v.valid).toBe(true);
    expect(v.complete).toBe(false);
  });

  it('LT evidence carries its own CRL and OCSP answer: verified with the trust anchor alone, revocation checked', async () => {
    const validationData = async (certs: Parameters<OcspResponder['answerFor']>[0]) => ({ crls: loadCrls(trust.dir), ocsp: [new OcspResponder({ dir: trust.dir }).answerFor(certs)!] });
    const set = await fullSet({ ...issuer, level: 'LT', validationData });
    const v = verifyDeliveryEvidence(set, { trustAnchors: [trust.root], content });
    expect(v.reasons).toEqual([]);
    expect(v.complete).toBe(true);
    expect(v.events.every((e) => e.revocation === 'not revoked (CRL)' || e.revocation === 'not revoked (OCSP)')).toBe(true);
  });

  // Last: it revokes the e-seal.
  it('evidence sealed before the e-seal was revoked stays valid at signing time; evidence sealed after is revoked', async () => {
    const early = await fullSet({ ...issuer, timeStamper: localTimeStamper(trust.authority({ now: () => new Date(Date.now() - 30_000) })) });
    await issueCrl({ dir: trust.dir, revoke: [{ serial: trust.seal.serial, reason: 'keyCompromise' }] });
    const crls = loadCrls(trust.dir);
    const ok = verifyDeliveryEvidence(early, { trustAnchors: [trust.root], content, crls });
    expect(ok.reasons).toEqual([]);
    expect(ok.events.every((e) => /revoked at .*keyCompromise.*valid at signing time/.test(e.revocation ?? ''))).toBe(true);
    const late = verifyDeliveryEvidence(await fullSet(), { trustAnchors: [trust.root], content, crls });
    expect(late.valid).toBe(false);
    expect(late.complete).toBe(false);
    expect(late.reasons.join('\n')).toMatch(/submission: chain: .*e-Seal: revoked at/);
  });
});
