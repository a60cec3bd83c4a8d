import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MamoriError, testBackends, type Platform } from '@mamori/core';
import type { FastifyInstance } from 'fastify';
import { buildServer, routeModules, type RouteModule } from './index.js';

const probe: RouteModule = {
  name: 'probe',
  prefix: '/api/probe',
  register(app) {
    app.get('/fail', async () => { throw new MamoriError('MAMORI_NOT_FOUND', { what: 'report r-9' }); });
    app.get('/crash', async () => { throw new Error('secret internals'); });
    app.get('/ip', async (req) => ({ ip: req.ip }));
    app.post('/echo', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async (req) => req.body);
  },
};

for (const backend of testBackends()) {
  describe(`server on ${backend.name}`, () => {
    let p: Platform;
    let app: FastifyInstance;
    beforeAll(async () => {
      p = await backend.open();
      app = await buildServer(p, { modules: [...routeModules.filter((m) => m.name === 'health'), probe] });
    });
    afterAll(async () => { await app?.close(); await p?.close(); });

    it('answers liveness and readiness with what it checked', async () => {
      expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ ok: true, store: { dialect: p.store.dialect }, bus: { kind: p.bus.kind } });
    });

    it('believes X-Forwarded-For only from the proxies named in server.trustProxy', async () => {
      const viaProxy = { url: '/api/probe/ip', remoteAddress: '10.0.0.2', headers: { 'x-forwarded-for': '198.51.100.7' } };
      expect((await app.inject(viaProxy)).json().ip).toBe('10.0.0.2');
      const q = await backend.open();
      const behind = await buildServer({ ...q, config: { ...q.config, server: { ...q.config.server, trustProxy: '10.0.0.0/8' } } }, { modules: [probe] });
      expect((await behind.inject(viaProxy)).json().ip).toBe('198.51.100.7');
      expect((await behind.inject({ ...viaProxy, remoteAddress: '203.0.113.9' })).json().ip).toBe('203.0.113.9');
      await behind.close();
      await q.close();
    });

    it('reports not ready when the store is gone', async () => {
      const q = await backend.open();
      const a = await buildServer(q, { modules: routeModules.filter((m) => m.name === 'health') });
      await q.store.close();
      const res = await a.inject({ url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json().ok).toBe(false);
      await a.close();
      await q.bus.close();
    });

    it('maps errors to one JSON shape without leaking internals', async () => {
      const nf = await app.inject({ url: '/api/probe/fail' });
      expect(nf.statusCode).toBe(404);
      expect(nf.json()).toEqual({ code: 'MAMORI_NOT_FOUND', message: 'report r-9 not found', details: { what: 'report r-9' } });
      const crash = await app.inject({ url: '/api/probe/crash' });
      expect(crash.statusCode).toBe(500);
      expect(crash.body).not.toContain('secret internals');
      const bad = await app.inject({ method: 'POST', url: '/api/probe/echo', payload: { n: 'x' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('MAMORI_VALIDATION');
      expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(404);
    });

    it('publishes an OpenAPI document generated from the route schemas', async () => {
      const doc = (await app.inject({ url: '/openapi.json' })).json();
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz', '/api/probe/echo']));
      expect(doc.paths['/api/probe/echo'].post.requestBody.content['application/json'].schema.required).toEqual(['n']);
    });
  });
}
