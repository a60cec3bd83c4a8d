import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { audienceKeys, canRead, canWrite, can, principalKeys, type Principal, type Protected } from './policy.js';
import { TLP_LEVELS, parseTlp, strictestTlp, tlpFromMarkingId, TLP2_MARKING_IDS } from './tlp.js';

const ORGS = ['o1', 'o2', 'o3', 'o4'];
const USERS = ['u1', 'u2', 'u3', 'u4'];
const SECTORS = ['finance', 'gas', 'water'] as const;
const GROUPS = ['g1', 'g2'];

const principal = fc.record({
  userId: fc.constantFrom(...USERS),
  orgId: fc.constantFrom(...ORGS),
  orgSector: fc.constantFrom(null, ...SECTORS),
  orgRole: fc.constantFrom('operator', 'ceptoar-secretariat', 'coordinator', 'ministry'),
  roles: fc.subarray(['admin', 'secretariat', 'analyst', 'member', 'reader'] as const),
  groupIds: fc.subarray(GROUPS),
  scopes: fc.subarray(['read', 'write', 'admin'] as const),
  via: fc.constant('token' as const),
}) as fc.Arbitrary<Principal>;

const item = fc.record({
  tlp: fc.constantFrom(...TLP_LEVELS),
  sharing: fc.oneof(
    fc.constant({ scope: 'community' as const }),
    fc.record({ scope: fc.constant('restricted' as const), sectors: fc.subarray([...SECTORS]), orgIds: fc.subarray(ORGS), groupIds: fc.subarray(GROUPS) }),
  ),
  ownerOrgId: fc.constantFrom(...ORGS),
  authorUserId: fc.constantFrom(...USERS),
  recipients: fc.record({ orgIds: fc.subarray(ORGS), userIds: fc.subarray(USERS) }),
  draft: fc.boolean(),
}) as fc.Arbitrary<Protected>;

const base: Principal = { userId: 'u9', orgId: 'o9', orgSector: 'finance', orgRole: 'operator', roles: ['member'], groupIds: ['g1'], scopes: ['read', 'write'], via: 'token' };

describe('canRead', () => {
  it('agrees with the audience keys used to narrow list queries in SQL', () => {
    fc.assert(fc.property(principal, item, (p, it) => {
      const keys = new Set(audienceKeys(it));
      const meet = principalKeys(p).some((k) => keys.has(k)) && p.scopes.includes('read');
      expect(canRead(p, it)).toBe(meet);
    }), { numRuns: 5000 });
  });

  it('never shows RED to anyone but the author and named users, whatever their role or organisation', () => {
    fc.assert(fc.property(principal, item, (p, it) => {
      const red = { ...it, tlp: 'RED' as const };
      if (canRead(p, red)) expect(p.userId === red.authorUserId || red.recipients!.userIds!.includes(p.userId)).toBe(true);
    }));
  });

  it('keeps AMBER away from other sectors and from the community scope', () => {
    const amber: Protected = { tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['gas'] }, ownerOrgId: 'o1' };
    expect(canRead(base, amber)).toBe(false);
    expect(canRead({ ...base, orgSector: 'gas' }, amber)).toBe(true);
    expect(canRead(base, { ...amber, sharing: { scope: 'community' } })).toBe(false);
    expect(canRead(base, { ...amber, sharing: { scope: 'restricted', groupIds: ['g1'] } })).toBe(true);
  });

  it('narrows AMBER+STRICT to organisations named one by one', () => {
    const strict: Protected = { tlp: 'AMBER+STRICT', sharing: { scope: 'restricted', sectors: ['finance'], groupIds: ['g1'] }, ownerOrgId: 'o1' };
    expect(canRead(base, strict)).toBe(false);
    expect(canRead(base, { ...strict, sharing: { scope: 'restricted', orgIds: ['o9'] } })).toBe(true);
    expect(canRead(base, { ...strict, recipients: { orgIds: ['o9'] } })).toBe(true);
  });

  it('shows drafts only to the author organisation and needs the read scope', () => {
    expect(canRead(base, { tlp: 'CLEAR', sharing: { scope: 'community' }, ownerOrgId: 'o1', draft: true })).toBe(false);
    expect(canRead(base, { tlp: 'CLEAR', sharing: { scope: 'community' }, ownerOrgId: 'o9', draft: true })).toBe(true);
    expect(canRead({ ...base, scopes: ['write'] }, { tlp: 'CLEAR', sharing: { scope: 'community' }, ownerOrgId: 'o1' })).toBe(false);
  });
});

describe('canWrite and can', () => {
  const own: Protected = { tlp: 'GREEN', sharing: { scope: 'community' }, ownerOrgId: 'o9', authorUserId: 'u1' };
  it('never lets a reader or a read-only token write', () => {
    fc.assert(fc.property(principal, fc.option(item, { nil: undefined }), (p, it) => {
      if (p.roles.every((r) => r === 'reader') || !p.scopes.includes('write')) expect(canWrite(p, it)).toBe(false);
    }));
    expect(canWrite({ ...base, roles: ['reader'] })).toBe(false);
    expect(canWrite({ ...base, scopes: ['read'] })).toBe(false);
    expect(canWrite(base)).toBe(true);
  });
  it('lets the author or the owner organisation\'s analysts change an item', () => {
    expect(canWrite(base, own)).toBe(false);
    expect(canWrite({ ...base, userId: 'u1' }, own)).toBe(true);
    expect(canWrite({ ...base, roles: ['analyst'] }, own)).toBe(true);
    expect(canWrite({ ...base, roles: ['analyst'], orgId: 'o2' }, own)).toBe(false);
  });
  it('lets only the sector secretariat or the coordinator relay', () => {
    const report = { ...own, ownerOrgId: 'o1', recipients: { orgIds: ['o9'] }, sector: 'finance' as const };
    const sec: Principal = { ...base, orgRole: 'ceptoar-secretariat', roles: ['secretariat'] };
    expect(can(sec, 'relay', report)).toBe(true);
    expect(can({ ...sec, orgSector: 'gas' }, 'relay', report)).toBe(false);
    expect(can({ ...sec, roles: ['member'] }, 'relay', report)).toBe(false);
    expect(can(base, 'manage-orgs')).toBe(false);
    expect(can({ ...base, orgRole: 'coordinator', roles: ['admin'], scopes: ['admin'] }, 'manage-orgs')).toBe(true);
  });
});

describe('TLP', () => {
  it('parses labels, maps TLP 1.0 WHITE to CLEAR and picks the strictest', () => {
    expect(parseTlp('TLP:AMBER+STRICT')).toBe('AMBER+STRICT');
    expect(parseTlp('white')).toBe('CLEAR');
    expect(() => parseTlp('PURPLE')).toThrow(/tlp must be one of/);
    expect(strictestTlp(['GREEN', 'RED', 'AMBER'])).toBe('RED');
    expect(tlpFromMarkingId(TLP2_MARKING_IDS.AMBER)).toBe('AMBER');
    expect(tlpFromMarkingId('marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9')).toBe('CLEAR');
    fc.assert(fc.property(fc.string(), (s) => {
      try { parseTlp(s); } catch (e) { expect((e as Error).name).toBe('MamoriError'); }
    }));
  });
});
