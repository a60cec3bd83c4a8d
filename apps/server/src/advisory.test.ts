/**
 * Sealed advisories through the hub API, on both back ends: the publishing organisation's
 * admin seals a published report; recipients download advisory.json + advisory.jades.json
 * and the seal verifies (JAdES level T, the installation's e-seal, chain to its root);
 * changed content, other organisations, drafts and readers are refused.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { createTestCommunity, hubContext, openTestPlatform, type TestCommunity } from '@mamori/hub';
import { initTrust, loadTrustAnchors, trustMigrations, verifyJws } from '@mamori/trust';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './server.js';
import { hubRoutes } from './routes/hub.js';

for (const backend of testBackends()) {
  describe(`sealed hub advisories on ${backend.name}`, () => {
    let platform: Platform;
    let app: FastifyInstance;
    let c: TestCommunity;
    beforeAll(async () => {
      platform = await openTestPlatform(backend, [trustMigrations]);
      await initTrust({ dir: join(platform.config.dataDir, 'trust'), organisation: 'NISC' });
      c = await createTestCommunity(hubContext(platform));
      app = await buildServer(platform, { modules: [hubRoutes] });
    });
    afterAll(async () => {
      await app?.close();
      await platform?.close();
    });

    const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({ method, url: `/api/hub${url}`, headers: { authorization: `Bearer ${token}` }, payload: payload as never });
    const publish = async (token: string, submit = true): Promise<string> => {
      const res = await call(token, 'POST', '/reports', {
        sector: 'info-comm', affectedService: 'all', cause: 'cyber-attack', severity: 1, tlp: 'GREEN', submit,
        title: '注意喚起: botnet using default passwords', description: 'Change default passwords.', indicators: [{ type: 'ipv4', value: '192.0.2.7' }],
      });
      expect(res.statusCode).toBe(201);
      return res.json().id;
    };

    it('the publisher seals; a recipient downloads and verifies the seal offline', async () => {
      const id = await publish(c.coordinator.token);
      const sealed = await call(c.coordinator.token, 'POST', `/reports/${id}/seal`, {});
      expect(sealed.statusCode).toBe(201);
      expect(sealed.json()).toMatchObject({ reportId: id, level: 'T', document: { filename: 'advisory.json' }, seal: { filename: 'advisory.jades.json' } });

      const list = await call(c.financeA.token, 'GET', `/reports/${id}/attachments`);
      const byName = Object.fromEntries(list.json().map((a: { filename: string; id: string }) => [a.filename, a.id]));
      const download = async (name: string) => (await call(c.financeA.token, 'GET', `/attachments/${byName[name]}`)).rawPayload;
      const doc = await download('advisory.json');
      const seal = (await download('advisory.jades.json')).toString('utf8');
      expect(JSON.parse(doc.toString('utf8'))).toMatchObject({ type: 'mamori-advisory', id, issuedBy: c.coordinator.org.id, tlp: 'GREEN', indicators: [{ type: 'ipv4', value: '192.0.2.7' }] });

      const trustAnchors = loadTrustAnchors(join(platform.config.dataDir, 'trust'));
      const v = verifyJws(seal, { trustAnchors, payload: doc });
      expect(v).toMatchObject({ valid: true, level: 'T', organisation: 'NISC', contentUnchanged: true, chainTrusted: true });
      expect(v.timeStamp).toBeDefined();

      const changed = Buffer.from(doc.toString('utf8').replace('192.0.2.7', '192.0.2.8'));
      expect(verifyJws(seal, { trustAnchors, payload: changed }).valid).toBe(false);
    });

    it('refuses other organisations, members without the seal role, drafts and read-only tokens', async () => {
      const id = await publish(c.coordinator.token);
      expect((await call(c.financeA.token, 'POST', `/reports/${id}/seal`, {})).statusCode).toBe(403); // another organisation
      const own = await publish(c.financeA.token);
      expect((await call(c.financeA.token, 'POST', `/reports/${own}/seal`, {})).statusCode).toBe(403); // a member, not admin/secretariat
      const draft = await publish(c.coordinator.token, false);
      expect((await call(c.coordinator.token, 'POST', `/reports/${draft}/seal`, {})).statusCode).toBe(403);
      expect((await call(c.financeAReader.token, 'POST', `/reports/${id}/seal`, {})).statusCode).toBe(403);
      expect((await call(c.coordinator.token, 'POST', `/reports/${id}/seal`, { level: 'X' })).statusCode).toBe(400);
      expect((await app.inject({ method: 'POST', url: `/api/hub/reports/${id}/seal`, payload: {} })).statusCode).toBe(401);
      const none = await call(c.coordinator.token, 'GET', `/reports/${draft}/attachments`);
      expect(none.json()).toEqual([]);
    });
  });
}
