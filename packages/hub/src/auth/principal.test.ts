import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { createTestCommunity, type TestCommunity } from '../testing/community.js';
import { actorOf } from '../audit/log.js';
import { authenticateBearer, createToken, login, revokeToken, LOCAL_OPERATOR } from './principal.js';
import { addOrg, addUser, listSectors } from '../model/community.js';
import { verifyAudit } from '../audit/log.js';

for (const backend of testBackends()) {
  describe(`community and authentication on ${backend.name}`, () => {
    let platform: Platform;
    let hub: HubContext;
    let c: TestCommunity;
    let clock = Date.UTC(2026, 0, 1);
    beforeAll(async () => {
      platform = await openTestPlatform(backend);
      hub = hubContext(platform, { now: () => clock, config: { login: { maxFailures: 3, lockMs: 60_000, sessionMs: 3_600_000, scryptN: 1024 } } as any });
      c = await createTestCommunity(hub, 'correct horse battery');
    });
    afterAll(() => platform?.close());
    const actor = actorOf(LOCAL_OPERATOR, '127.0.0.1');

    it('seeds the 14 sectors with Japanese and English names', async () => {
      const sectors = await listSectors(hub);
      expect(sectors).toHaveLength(14);
      expect(sectors.find((s) => s.id === 'electric-power')).toEqual({ id: 'electric-power', nameJa: '電力', nameEn: 'Electric power' });
    });

    it('authenticates a token into its principal and stores only its hash', async () => {
      const p = await authenticateBearer(hub, `Bearer ${c.gas.token}`);
      expect(p).toMatchObject({ userId: c.gas.userId, orgId: c.gas.org.id, orgSector: 'gas', roles: ['member'], scopes: ['read', 'write'] });
      const rows = await hub.db.selectFrom('hub_token').select('hash').execute();
      expect(rows.some((r) => r.hash.includes(c.gas.token.slice(-43)))).toBe(false);
      const sec = await authenticateBearer(hub, `Bearer ${c.financeSec.token}`);
      expect(sec.groupIds).toEqual([c.financeGroup.id]);
    });

    it('rejects missing, malformed, forged, expired and revoked tokens with 401', async () => {
      await expect(authenticateBearer(hub, undefined)).rejects.toMatchObject({ status: 401 });
      await expect(authenticateBearer(hub, 'Basic abc')).rejects.toMatchObject({ status: 401 });
      const forged = c.gas.token.slice(0, -1) + (c.gas.token.endsWith('A') ? 'B' : 'A');
      await expect(authenticateBearer(hub, `Bearer ${forged}`)).rejects.toThrow(/unknown token/);
      const short = await createToken(hub, LOCAL_OPERATOR, actor, { user: 'gas-co', ttlMs: 1000, scopes: ['read'] });
      clock += 2000;
      await expect(authenticateBearer(hub, `Bearer ${short.token}`)).rejects.toThrow(/expired/);
      const other = await createToken(hub, LOCAL_OPERATOR, actor, { user: 'gas-co', scopes: ['read'] });
      await authenticateBearer(hub, `Bearer ${other.token}`);
      await revokeToken(hub, c.gas.principal, actor, other.info.id);
      await expect(authenticateBearer(hub, `Bearer ${other.token}`)).rejects.toThrow(/revoked/);
    });

    it('refuses scopes beyond the user\'s roles and org management by non-coordinators', async () => {
      await expect(createToken(hub, LOCAL_OPERATOR, actor, { user: 'bank-a-reader', scopes: ['write'] })).rejects.toMatchObject({ status: 400 });
      await expect(createToken(hub, c.financeB.principal, actor, { user: 'bank-a' })).rejects.toMatchObject({ status: 403 });
      await expect(addOrg(hub, c.financeA.principal, actor, { name: 'X', role: 'isp' })).rejects.toMatchObject({ status: 403 });
      await expect(addUser(hub, c.financeA.principal, actor, { orgId: c.financeA.org.id, username: 'x', roles: ['member'] })).rejects.toMatchObject({ status: 403 });
      await expect(addOrg(hub, LOCAL_OPERATOR, actor, { name: 'Bank A', role: 'isp' })).rejects.toMatchObject({ status: 409 });
    });

    it('logs in with scrypt passwords, locks after repeated failures, and issues a session', async () => {
      const s = await login(hub, actor, { username: 'bank-b', password: 'correct horse battery' });
      expect((await authenticateBearer(hub, `Bearer ${s.token}`)).via).toBe('session');
      for (let i = 0; i < 2; i++) await expect(login(hub, actor, { username: 'bank-b', password: 'wrong' })).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED' });
      await expect(login(hub, actor, { username: 'bank-b', password: 'wrong' })).rejects.toMatchObject({ code: 'MAMORI_HUB_LOCKED', status: 429 });
      await expect(login(hub, actor, { username: 'bank-b', password: 'correct horse battery' })).rejects.toMatchObject({ code: 'MAMORI_HUB_LOCKED' });
      clock += 61_000;
      await expect(login(hub, actor, { username: 'bank-b', password: 'correct horse battery' })).resolves.toHaveProperty('token');
      await expect(login(hub, actor, { username: 'nobody', password: 'x' })).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED' });
    });

    it('audits every write in an intact chain', async () => {
      const v = await verifyAudit(hub);
      expect(v.ok).toBe(true);
      expect(v.entries).toBeGreaterThan(15);
    });
  });
}
