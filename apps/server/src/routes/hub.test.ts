/**
 * The hub's REST API against hostile and ordinary clients, over real HTTP on loopback:
 * authentication on every route, the right 4xx for each attack with nothing written and
 * nothing leaked, the live stream across two servers on one PostgreSQL + NATS, and audit
 * checkpoints time-stamped by @mamori/trust's TSA.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import { NatsBus, openPostgresStore, testBackends, uniqueName, TEST_DATABASE_URL, TEST_NATS_URL, createLogger, type Platform } from '@mamori/core';
import { createTestCommunity, hubContext, openTestPlatform, actorOf, createToken, revokeToken, LOCAL_OPERATOR, hubMigrations, type TestCommunity, type HubContext } from '@mamori/hub';
import { createTestTrust, trustMigrations, type TestTrust } from '@mamori/trust';
import { buildServer } from '../server.js';
import { hubRoutes } from './hub.js';

const quiet = { alerts: { dispatchIntervalMs: 0 }, audit: { timeStamp: false }, login: { scryptN: 1024 } };

async function listen(platform: Platform): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildServer(platform, { modules: [hubRoutes] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/hub` };
}

describe.each(testBackends())('hub REST API on $name', (backend) => {
  let platform: Platform;
  let hub: HubContext;
  let c: TestCommunity;
  let app: FastifyInstance;
  let base: string;
  const call = async (path: string, init: { method?: string; token?: string | null; body?: unknown; raw?: string; type?: string } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> => {
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token !== null ? { authorization: `Bearer ${init.token ?? c.financeA.token}` } : {}),
        ...(init.body !== undefined || init.raw !== undefined ? { 'content-type': init.type ?? 'application/json' } : {}),
      },
      body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
    });
    const text = await res.text();
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, json, text, headers: res.headers };
  };
  const reportCount = async (): Promise<number> => Number((await hub.db.selectFrom('hub_report').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const base3 = { sector: 'finance', affectedService: 'online banking', cause: 'cyber-attack', severity: 3, title: 'Credential stuffing' };

  beforeAll(async () => {
    platform = await openTestPlatform(backend);
    (platform.config as Record<string, unknown>).hub = quiet;
    hub = hubContext(platform);
    c = await createTestCommunity(hub, 'correct horse battery');
    ({ app, base } = await listen(platform));
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
  });

  it('answers 401 on every route without a valid token, with a challenge', async () => {
    const routes = app.printRoutes({ commonPrefix: false });
    expect(routes).toContain('/api/hub/reports');
    for (const [method, path] of [['GET', '/reports'], ['GET', '/reports/x'], ['POST', '/reports'], ['GET', '/orgs'], ['GET', '/stream'], ['GET', '/attachments/x'], ['POST', '/audit/verify'], ['GET', '/dashboard']]) {
      const r = await call(path, { method, token: null, body: method === 'POST' ? {} : undefined });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const forged = c.gas.token.slice(0, -2) + (c.gas.token.endsWith('AA') ? 'BB' : 'AA');
    expect((await call('/reports', { token: forged })).json.message).toMatch(/unknown token/);
    expect((await call('/reports', { token: 'mamori_hub_short' })).status).toBe(401);
    expect((await call('/reports', { token: `${c.gas.token}' OR '1'='1` })).status).toBe(401);
    const short = await createToken(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), { user: 'gas-co', ttlMs: 1, scopes: ['read'] });
    await new Promise((r) => setTimeout(r, 5));
    expect((await call('/reports', { token: short.token })).json.message).toMatch(/expired/);
    const revoked = await createToken(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), { user: 'gas-co', scopes: ['read'] });
    await revokeToken(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), revoked.info.id);
    expect((await call('/reports', { token: revoked.token })).json.message).toMatch(/revoked/);
  });

  it('logs in with a password, locks out after repeated failures, and logs out', async () => {
    const login = (password: string) => call('/auth/login', { method: 'POST', token: null, body: { username: 'gas-co', password } });
    const ok = await login('correct horse battery');
    expect(ok.status).toBe(200);
    expect((await call('/me', { token: ok.json.token })).json).toMatchObject({ userId: c.gas.userId, via: 'session' });
    expect((await call('/auth/logout', { method: 'POST', token: ok.json.token })).status).toBe(204);
    expect((await call('/me', { token: ok.json.token })).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await login('wrong password')).status).toBe(401);
    expect((await login('wrong password')).status).toBe(429);
    expect((await login('correct horse battery')).status).toBe(429);
  });

  it('throttles a password spray from one client address across accounts (after the lockout test: 6 failures counted)', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 14; i++) codes.push((await call('/auth/login', { method: 'POST', token: null, body: { username: `sprayed-${i}`, password: 'Summer2026!' } })).json.code);
    expect(codes.slice(0, 13).every((x) => x === 'MAMORI_HUB_LOGIN_FAILED')).toBe(true);
    expect(codes[13]).toBe('MAMORI_HUB_LOGIN_THROTTLED');
    const right = await call('/auth/login', { method: 'POST', token: null, body: { username: c.financeA.username, password: 'correct horse battery' } });
    expect(right.status).toBe(429);
    expect(right.json.code).toBe('MAMORI_HUB_LOGIN_THROTTLED');
  });

  it('refuses hostile bodies with the right 4xx and writes nothing', async () => {
    const before = await reportCount();
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expect((await call('/reports', { method: 'POST', raw: deep })).status).toBe(400);
    expect((await call('/reports', { method: 'POST', raw: '{"__proto__":{"x":1},"title":"t"}' })).status).toBe(400);
    expect((await call('/reports', { method: 'POST', raw: '{"title":' })).status).toBe(400);
    const big = await call('/reports', { method: 'POST', body: { ...base3, description: 'x'.repeat(300 * 1024) } });
    expect(big.status).toBe(413);
    expect((await call('/reports', { method: 'POST', body: { ...base3, severity: 9 } })).status).toBe(400);
    expect((await call('/reports', { method: 'POST', body: { ...base3, tlp: 'PURPLE' } })).json.message).toMatch(/tlp/);
    expect((await call('/reports', { method: 'POST', body: { ...base3, title: 'a\u0007b' } })).status).toBe(400);
    expect((await call('/reports', { method: 'POST', body: [1, 2] })).status).toBe(400);
    expect((await call('/reports?limit=100000')).status).toBe(400);
    expect((await call('/reports?cursor=%27%3B--')).status).toBe(400);
    // Unknown query keys are dropped by the schema (Fastify's removeAdditional), not obeyed.
    expect((await call('/reports?evil=1')).status).toBe(200);
    // A reader, and a read-only token, may not write.
    expect((await call('/reports', { method: 'POST', token: c.financeAReader.token, body: base3 })).status).toBe(403);
    const ro = await createToken(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), { user: 'bank-a', scopes: ['read'] });
    expect((await call('/reports', { method: 'POST', token: ro.token, body: base3 })).status).toBe(403);
    expect((await call('/orgs', { method: 'POST', body: { name: 'Evil', role: 'coordinator' } })).status).toBe(403);
    expect(await reportCount()).toBe(before);
  });

  it('stores injection strings as text and returns them intact', async () => {
    for (const s of ["'; DROP TABLE hub_report; --", '<img src=x onerror=alert(1)>', '{{constructor.constructor("x")()}}', '=cmd|" /C calc"!A0']) {
      const r = await call('/reports', { method: 'POST', body: { ...base3, title: s, description: s, submit: true, tlp: 'GREEN' } });
      expect(r.status).toBe(201);
      expect((await call(`/reports/${r.json.id}`, { token: c.financeB.token })).json.title).toBe(s);
    }
    const csv = await call('/reports/export?format=csv', { token: c.financeB.token });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.text).toContain(`"'=cmd|"" /C calc""!A0"`);
    expect((await call(`/reports/${encodeURIComponent("' OR 1=1 --")}`)).status).toBe(404);
  });

  it('never lets one sector read another\'s AMBER material, on any route', async () => {
    const amber = await call('/reports', { method: 'POST', body: { ...base3, tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] }, submit: true, indicators: [{ type: 'domain', value: 'amber-only.example' }], description: 'amber secret' } });
    expect(amber.status).toBe(201);
    const idA = amber.json.id as string;
    await call(`/reports/${idA}/comments`, { method: 'POST', body: { body: 'amber comment' } });
    const att = await call(`/reports/${idA}/attachments`, { method: 'POST', body: { filename: 'ioc.txt', contentBase64: Buffer.from('evil.example').toString('base64') } });
    expect(att.status).toBe(201);
    const g = c.gas.token;
    for (const path of [`/reports/${idA}`, `/reports/${idA}/history`, `/reports/${idA}/comments`, `/reports/${idA}/attachments`, `/reports/${idA}/receipts`, `/attachments/${att.json.id}`]) {
      const r = await call(path, { token: g });
      expect(r.status, path).toBe(404);
      expect(r.text).not.toContain('amber');
    }
    for (const path of ['/reports?limit=200', '/reports/search?q=amber', '/reports/search?indicator=amber-only.example', '/reports/export', '/reports/export?format=csv']) {
      const r = await call(path, { token: g });
      expect(r.status, path).toBe(200);
      expect(r.text, path).not.toContain(idA);
      expect(r.text, path).not.toContain('amber secret');
    }
    const gasFeed = (await call('/reports?limit=200', { token: g })).json.items as { id: string }[];
    expect((await call('/dashboard', { token: g })).json.total).toBe(gasFeed.length);
    // A window that ended before any report was written counts none (the half-year view asks per window).
    expect((await call(`/dashboard?days=180&until=${Date.now() - 86_400_000}`, { token: g })).json.total).toBe(0);
    expect((await call(`/dashboard?days=1&until=${Date.now() + 60_000}`, { token: g })).json.total).toBe(gasFeed.length);
    // The same routes do show it to another finance operator, and download checks the hash.
    expect((await call(`/reports/${idA}`, { token: c.financeB.token })).json.description).toBe('amber secret');
    const dl = await fetch(`${base}/attachments/${att.json.id}`, { headers: { authorization: `Bearer ${c.financeB.token}` } });
    expect(Buffer.from(await dl.arrayBuffer()).toString()).toBe('evil.example');
    expect(dl.headers.get('x-mamori-tlp')).toBe('AMBER');
    expect((await call('/reports/search?indicator=amber-only.example', { token: c.financeB.token })).json.items.map((r: { id: string }) => r.id)).toEqual([idA]);
    // Writing to it from another sector is a 404 too (its existence does not leak).
    expect((await call(`/reports/${idA}`, { method: 'PATCH', token: g, body: { title: 'x' } })).status).toBe(404);
    expect((await call(`/reports/${idA}/comments`, { method: 'POST', token: g, body: { body: 'x' } })).status).toBe(404);
  });

  it('relays through the secretariat and shows the reporter its receipts', async () => {
    const r = await call('/reports', { method: 'POST', body: { ...base3, route: 'secretariat', submit: true, tlp: 'AMBER', description: 'Bank A saw it first' } });
    const relay = await call(`/reports/${r.json.id}/relay`, { method: 'POST', token: c.financeSec.token, body: { reviewed: true, description: 'A bank saw it first', to: { orgIds: [c.ministry.org.id] } } });
    expect(relay.status).toBe(201);
    const copy = await call(`/reports/${relay.json.relayed.id}`, { token: c.ministry.token });
    expect(copy.json).toMatchObject({ anonymised: true, ownerOrgId: c.financeSec.org.id, description: 'A bank saw it first' });
    const receipts = await call(`/reports/${r.json.id}/receipts`);
    expect(receipts.json.map((x: { recipientOrgName: string; via: string }) => `${x.via}:${x.recipientOrgName}`)).toEqual(['route:Finance CEPTOAR', 'relay:FSA']);
    const unreviewed = await call(`/reports/${r.json.id}/relay`, { method: 'POST', token: c.financeSec.token, body: { reviewed: true, to: { orgIds: [c.ministry.org.id] } } });
    expect(unreviewed.status).toBe(422);
  });

  it('publishes an OpenAPI document covering every hub route', async () => {
    const doc = (await (await fetch(`${base.replace('/api/hub', '')}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown; responses?: Record<string, unknown> }>> };
    const hubPaths = Object.keys(doc.paths).filter((p) => p.startsWith('/api/hub'));
    expect(hubPaths.length).toBeGreaterThan(25);
    for (const p of hubPaths) {
      for (const [method, op] of Object.entries(doc.paths[p])) {
        expect(op.responses, `${method} ${p}`).toBeDefined();
        if (p !== '/api/hub/auth/login') expect(op.security, `${method} ${p}`).toEqual([{ bearer: [] }]);
      }
    }
  });
});

describe('hub across two servers on one PostgreSQL and NATS', () => {
  const platforms: Platform[] = [];
  const apps: FastifyInstance[] = [];
  let trust: TestTrust;
  beforeAll(async () => {
    trust = await createTestTrust();
    const schema = uniqueName('hub2').toLowerCase();
    for (let i = 0; i < 2; i++) {
      const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 4 });
      const bus = await NatsBus.connect(TEST_NATS_URL, `hub-test-${i}`);
      const config = { dataDir: trust.dir, databaseUrl: TEST_DATABASE_URL, natsUrl: TEST_NATS_URL, log: { level: 'silent' }, server: { host: '127.0.0.1', port: 0, bodyLimit: 10 * 1024 * 1024 }, trust: { dir: trust.dir }, hub: { ...quiet, audit: { timeStamp: true, checkpointEvery: 5 } } } as unknown as Platform['config'];
      const platform: Platform = { config, store, bus, log: createLogger({ level: 'silent', pretty: false }), async close() { await bus.close(); await store.close(); } };
      if (i === 0) {
        const { sql } = await import('kysely');
        await sql`create table if not exists mamori_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)`.execute(store.db);
        await sql`create table if not exists mamori_migration_lock (id varchar(255) not null primary key, is_locked integer not null default 0)`.execute(store.db);
        await store.migrate([hubMigrations, trustMigrations]);
      }
      platforms.push(platform);
    }
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
    const { sql } = await import('kysely');
    const schema = (await platforms[0]?.store.info())?.location.match(/schema (\w+)/)?.[1];
    if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(platforms[0].store.db).catch(() => undefined);
    for (const p of platforms) await p.close();
    trust?.remove();
  });

  it('serves the same data from both, streams a report published on one to a client of the other, and time-stamps audit checkpoints', async () => {
    const hub = hubContext(platforms[0]);
    const c = await createTestCommunity(hub);
    const [one, two] = [await listen(platforms[0]), await listen(platforms[1])];
    apps.push(one.app, two.app);

    // A finance client of server two listens; a gas client too (it must not get the AMBER report).
    const events = (token: string): { got: string[]; close(): void } => {
      const got: string[] = [];
      const req = httpRequest(`${two.base}/stream`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        let buf = '';
        res.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const ev = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = ev.split('\n').find((l) => l.startsWith('data: '));
            if (data) got.push(JSON.parse(data.slice(6)).id);
          }
        });
      });
      req.end();
      return { got, close: () => req.destroy() };
    };
    const fin = events(c.financeB.token);
    const gas = events(c.gas.token);
    await new Promise((r) => setTimeout(r, 300));
    const post = (b: unknown) => fetch(`${one.base}/reports`, { method: 'POST', headers: { authorization: `Bearer ${c.financeA.token}`, 'content-type': 'application/json' }, body: JSON.stringify(b) }).then((r) => r.json() as Promise<{ id: string }>);
    const amber = await post({ sector: 'finance', affectedService: 'x', cause: 'failure', severity: 2, title: 'amber', tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] }, submit: true });
    const clear = await post({ sector: 'finance', affectedService: 'x', cause: 'failure', severity: 2, title: 'clear', tlp: 'CLEAR', submit: true });
    for (let i = 0; i < 100 && (fin.got.length < 2 || gas.got.length < 1); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    fin.close();
    gas.close();
    expect(fin.got.sort()).toEqual([amber.id, clear.id].sort());
    expect(gas.got).toEqual([clear.id]);

    // Server two reads what server one wrote.
    const viaTwo = await fetch(`${two.base}/reports/${amber.id}`, { headers: { authorization: `Bearer ${c.financeB.token}` } });
    expect(((await viaTwo.json()) as { title: string }).title).toBe('amber');

    // Audit: verify through the API; checkpoints carry RFC 3161 tokens from trust's TSA that verify.
    const v = await fetch(`${two.base}/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${c.coordinator.token}` } }).then((r) => r.json() as Promise<{ ok: boolean; checkpoints: number; stampedCheckpoints: number; entries: number }>);
    expect(v.ok).toBe(true);
    expect(v.checkpoints).toBeGreaterThan(2);
    expect(v.stampedCheckpoints).toBe(v.checkpoints);
    const forbidden = await fetch(`${two.base}/audit/verify`, { method: 'POST', headers: { authorization: `Bearer ${c.financeA.token}` } });
    expect(forbidden.status).toBe(403);
  });
});
