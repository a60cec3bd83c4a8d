/**
 * Login throttling per source network, on both back ends: a password spray (a few guesses on
 * each of many accounts) trips no account's lockout but blocks its source; an IPv6 /64 counts
 * as one source; the block and the counting window expire; two servers on one database
 * (two hub contexts on one store) share the counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { createTestCommunity, type TestCommunity } from '../testing/community.js';
import { verifyAudit } from '../audit/log.js';
import { login } from './principal.js';
import { loginSource } from './throttle.js';

describe('login source keys', () => {
  it('keys IPv4 by address and IPv6 by /64, mapped IPv4 as IPv4', () => {
    expect(loginSource('198.51.100.7')).toBe('198.51.100.7');
    expect(loginSource('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(loginSource('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(loginSource('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(loginSource('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(loginSource(null)).toBe('unknown');
    expect(loginSource('not-an-ip')).toBe('other:not-an-ip');
  });
});

for (const backend of testBackends()) {
  describe(`login throttling per source on ${backend.name}`, () => {
    let platform: Platform;
    let serverA: HubContext;
    let serverB: HubContext;
    let c: TestCommunity;
    let clock = Date.UTC(2026, 5, 1);
    const PASSWORD = 'correct horse battery';
    const config = { login: { maxFailures: 3, lockMs: 60_000, scryptN: 1024, sourceMaxFailures: 6, sourceWindowMs: 600_000, sourceBlockMs: 300_000 } } as never;

    beforeAll(async () => {
      platform = await openTestPlatform(backend);
      serverA = hubContext(platform, { now: () => clock, config });
      serverB = hubContext(platform, { now: () => clock, config });
      c = await createTestCommunity(serverA, PASSWORD);
    });
    afterAll(() => platform?.close());

    const from = (ip: string) => ({ userId: null, orgId: null, ip });
    const attempt = (hub: HubContext, ip: string, username: string, password: string) => login(hub, from(ip), { username, password });

    it('blocks a password spray across accounts and servers that no account lockout sees', async () => {
      const ip = '203.0.113.50';
      const users = [c.financeA, c.financeB, c.gas, c.ministry, c.financeSec, c.coordinator].map((m) => m.username);
      // Five accounts, one guess each, alternating servers: every account stays below its lockout of 3.
      for (const [i, u] of users.slice(0, 5).entries()) {
        await expect(attempt(i % 2 ? serverB : serverA, ip, u, 'Summer2026!')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED', status: 401 });
      }
      // The sixth failure (an unknown name counts too) blocks the source.
      await expect(attempt(serverB, ip, 'no-such-user', 'Summer2026!')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_THROTTLED', status: 429 });
      // Now even the right password is refused from there, on either server...
      await expect(attempt(serverA, ip, c.coordinator.username, PASSWORD)).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_THROTTLED' });
      await expect(attempt(serverB, ip, c.financeA.username, PASSWORD)).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_THROTTLED' });
      // ...while other sources, and the sprayed accounts themselves, are unaffected.
      await expect(attempt(serverA, '203.0.113.51', c.financeA.username, PASSWORD)).resolves.toHaveProperty('token');
      const audit = await serverA.db.selectFrom('hub_audit').select(['action', 'object_id', 'ip']).where('action', '=', 'login.source-blocked').execute();
      expect(audit).toEqual([{ action: 'login.source-blocked', object_id: ip, ip }]);
      expect((await verifyAudit(serverA)).ok).toBe(true);
      // The block ends after sourceBlockMs.
      clock += 300_001;
      await expect(attempt(serverB, ip, c.coordinator.username, PASSWORD)).resolves.toHaveProperty('token');
    });

    it('counts a whole IPv6 /64 as one source', async () => {
      for (let i = 1; i <= 5; i++) {
        await expect(attempt(serverA, `2001:db8:77:1::${i.toString(16)}`, `nobody-${i}`, 'x')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED' });
      }
      await expect(attempt(serverA, '2001:db8:77:1:ffff::9', 'nobody-6', 'x')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_THROTTLED' });
      await expect(attempt(serverA, '2001:db8:77:1:1234::1', c.gas.username, PASSWORD)).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_THROTTLED' });
      await expect(attempt(serverA, '2001:db8:77:2::1', c.gas.username, PASSWORD)).resolves.toHaveProperty('token');
    });

    it('forgets failures older than the window', async () => {
      const ip = '192.0.2.99';
      for (let i = 0; i < 5; i++) await expect(attempt(serverA, ip, `ghost-${i}`, 'x')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED' });
      clock += 600_001;
      for (let i = 0; i < 5; i++) await expect(attempt(serverB, ip, `ghost-${i}`, 'x')).rejects.toMatchObject({ code: 'MAMORI_HUB_LOGIN_FAILED' });
      await expect(attempt(serverA, ip, c.financeB.username, PASSWORD)).resolves.toHaveProperty('token');
    });

    it('counts concurrent failures from two servers without losing any', async () => {
      const ip = '192.0.2.123';
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? serverB : serverA, ip, `racer-${i}`, 'x')));
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
      // All twelve were in flight before the block: the atomic count still lets exactly five fail normally.
      expect(codes.filter((x) => x === 'MAMORI_HUB_LOGIN_FAILED')).toHaveLength(5);
      expect(codes.filter((x) => x === 'MAMORI_HUB_LOGIN_THROTTLED')).toHaveLength(7);
      const blocks = await serverA.db.selectFrom('hub_audit').select('object_id').where('action', '=', 'login.source-blocked').where('object_id', '=', ip).execute();
      expect(blocks).toHaveLength(1);
    });
  });
}
