/**
 * /api/supply through the server (inject) on both back ends: hub bearer tokens on every
 * route, the read scope to read and check, the write scope plus admin/secretariat to change
 * the list; then the secretariat's day — criteria, listing, SBOM with advisory, status
 * history, fingerprint — and procurement checks answering as checkProcurement does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testBackends, type BusMessage, type Platform } from '@mamori/core';
import { LOCAL_OPERATOR, actorOf, addOrg, addUser, createToken, hubContext, hubMigrations } from '@mamori/hub';
import { checkProcurement, parseOsvRecord, readSbom, saveVulns, supplyMigrations } from '@mamori/supply';
import { LODASH_OSV, ROUTER_SBOM_XML, WEBUI_CRITICAL_OSV } from '@mamori/testbed';
import { buildServer } from '../server.js';
import { supplyRoutes } from './supply.js';

const criteria = {
  version: '2026.1', title: 'IoT baseline',
  criteria: [{ id: 'no-default-password', title: 'No default password', required: true }, { id: 'sbom-published', title: 'SBOM published', required: false }],
};
const product = {
  manufacturer: 'Example Networks', model: 'AX-3000', assessor: 'lab 3', criteriaVersion: '2026.1', criteriaMet: ['no-default-password'],
  assessedAt: Date.UTC(2026, 0, 1), expiresAt: Date.UTC(2099, 0, 1), versions: ['2.1'], fingerprints: ['ExampleOS/\\d'],
};
const candidateSbom = {
  bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
  metadata: { component: { type: 'device', 'bom-ref': 'cam', name: 'cam' } },
  components: [{ type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.15', purl: 'pkg:npm/lodash@4.17.15' }],
  dependencies: [{ ref: 'cam', dependsOn: ['lodash'] }],
};
const osv = [LODASH_OSV, WEBUI_CRITICAL_OSV];

describe.each(testBackends())('/api/supply on $name', (backend) => {
  let platform: Platform;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};
  const advisories: unknown[] = [];
  const call = (method: 'GET' | 'POST', path: string, who: string | null, body?: unknown, type?: string) => app.inject({
    method, url: `/api/supply${path}`,
    headers: { ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}), ...(type ? { 'content-type': type } : {}) },
    ...(body === undefined ? {} : typeof body === 'string' ? { payload: body } : { payload: body as object }),
  });

  beforeAll(async () => {
    platform = await backend.open({ migrations: [hubMigrations, supplyMigrations] });
    const hub = hubContext(platform);
    const actor = actorOf(LOCAL_OPERATOR, 'local');
    const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'IoT secretariat', role: 'coordinator' });
    const users = [['secretariat', ['secretariat'], ['read', 'write']], ['member', ['member'], ['read', 'write']], ['reader', ['reader'], ['read']], ['noscope', ['admin'], ['write']]] as const;
    for (const [name, roles, scopes] of users) {
      const u = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: name, roles: [...roles], email: `${name}@example.jp` });
      tokens[name] = (await createToken(hub, LOCAL_OPERATOR, actor, { user: u.id, scopes: [...scopes] })).token;
    }
    await saveVulns(platform.store, osv.map((r) => parseOsvRecord(r)));
    await platform.bus.subscribe('mamori.supply.advisory', (m: BusMessage) => { advisories.push(m.json()); });
    app = await buildServer(platform, { modules: [supplyRoutes] });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
  });

  it('refuses callers without a token, without the read scope, and writers without the role', async () => {
    for (const [method, path] of [['GET', '/products'], ['GET', '/products/x'], ['GET', '/summary'], ['GET', '/criteria'], ['POST', '/check'], ['POST', '/products'], ['POST', '/sboms'], ['POST', '/fingerprint']] as const) {
      const r = await call(method, path, null, method === 'POST' ? {} : undefined);
      expect(r.statusCode, `${method} ${path}`).toBe(401);
    }
    expect((await call('GET', '/products', 'noscope')).statusCode).toBe(403);
    for (const who of ['reader', 'member']) {
      const r = await call('POST', '/criteria', who, criteria);
      expect(r.statusCode, who).toBe(403);
      expect(r.json().code).toBe('MAMORI_SUPPLY_FORBIDDEN');
    }
    expect((await call('GET', '/criteria', 'reader')).json()).toEqual([]); // nothing was written
  });

  it('keeps the list: criteria, product, SBOM with its advisory, status history, fingerprint', async () => {
    expect((await call('POST', '/criteria', 'secretariat', criteria)).statusCode).toBe(201);
    expect((await call('GET', '/criteria', 'reader')).json()[0]).toMatchObject({ version: '2026.1', criteria: [{ id: 'no-default-password', required: true }, { id: 'sbom-published' }] });

    const added = await call('POST', '/products', 'secretariat', product);
    expect(added.statusCode, added.body).toBe(201);
    const id = added.json().id as string;
    expect(id).toBe('example-networks-ax-3000');
    expect((await call('POST', '/products', 'secretariat', product)).statusCode).toBe(409);
    const { model: _m, ...noModel } = product;
    expect((await call('POST', '/products', 'secretariat', { ...noModel, id: 'other' })).json()).toMatchObject({ code: 'MAMORI_VALIDATION', message: expect.stringContaining('model') });

    const imported = await call('POST', `/sboms?product=${id}`, 'secretariat', ROUTER_SBOM_XML, 'application/xml');
    expect(imported.statusCode, imported.body).toBe(201);
    const body = imported.json();
    expect(body).toMatchObject({ format: 'cyclonedx', specVersion: '1.5', components: 3, advisories: 1 });
    expect(body.vulnerabilities.map((v: { id: string; path: string[] }) => [v.id, v.path.join('>')])).toEqual([['GHSA-crit', 'fw>web'], ['GHSA-35jh-r3h4-6jhm', 'fw>web>lodash']]);
    await expect.poll(() => advisories.length).toBe(1);
    expect(advisories[0]).toMatchObject({ product: { id }, vulnerability: { id: 'GHSA-crit' } });

    const bad = await call('POST', '/sboms', 'secretariat', ROUTER_SBOM_XML.replace('type="library" bom-ref="web"', 'type="toaster" bom-ref="web"'), 'application/xml');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().details).toMatchObject({ field: '/components/0/type', line: 'line 5' });

    const suspended = await call('POST', `/products/${id}/status`, 'secretariat', { status: 'suspended', reason: 'critical GHSA-crit open' });
    expect(suspended.json()).toMatchObject({ status: 'suspended', statusReason: 'critical GHSA-crit open' });
    expect((await call('POST', `/products/${id}/status`, 'member', { status: 'listed', reason: 'x' })).statusCode).toBe(403);
    const one = (await call('GET', `/products/${id}`, 'reader')).json();
    expect(one.history.map((h: { action: string; status: string }) => `${h.action}:${h.status}`)).toEqual(['added:listed', 'sbom:listed', 'suspended:suspended']);
    expect((await call('GET', '/products/nope', 'reader')).statusCode).toBe(404);
    expect((await call('GET', '/products?status=suspended', 'reader')).json().map((p: { id: string }) => p.id)).toEqual([id]);

    expect((await call('POST', '/fingerprint', 'reader', { banner: 'HTTP/1.1 200 OK Server: ExampleOS/2' })).json()).toMatchObject({ product: { id }, by: 'ExampleOS\\/\\d' });
    expect((await call('POST', '/fingerprint', 'reader', { banner: 'nothing here' })).json()).toEqual({ product: null });

    // Over time: listed with its SBOM's vulnerabilities until the suspension, not after it.
    const suspendedAt = one.history[2].at as number;
    const before = await call('GET', `/summary?since=1h&until=${new Date(suspendedAt).toISOString()}`, 'reader');
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json()).toEqual({ listed: 1, added: 1, openVulns: 2, criticalOpen: 1, productsWithVulns: 1, advisories: 1 });
    expect((await call('GET', '/summary', 'reader')).json()).toEqual({ listed: 0, added: 1, openVulns: 0, criticalOpen: 0, productsWithVulns: 0, advisories: 1 });
    expect((await call('GET', '/summary?since=1h&until=1h', 'reader')).json()).toMatchObject({ listed: 0, added: 0, advisories: 0 });
    const unreadable = await call('GET', '/summary?until=yesterday-ish', 'reader');
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.json()).toMatchObject({ code: 'MAMORI_USAGE', message: expect.stringContaining('until') });
  });

  it('answers procurement checks as checkProcurement does, for a product, a manufacturer/model pair and an SBOM', async () => {
    const queries = [
      [{ product: 'example-networks-ax-3000' }, { productId: 'example-networks-ax-3000' }],
      [{ manufacturer: 'example networks', model: 'ax3000', version: '2.1' }, { manufacturer: 'example networks', model: 'ax3000', version: '2.1' }],
      [{ sbom: candidateSbom }, { sbom: readSbom(JSON.stringify(candidateSbom)) }],
    ] as const;
    for (const [body, query] of queries) {
      const r = await call('POST', '/check', 'reader', body);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toEqual(JSON.parse(JSON.stringify(await checkProcurement(platform.store, query))));
    }
    const byProduct = (await call('POST', '/check', 'reader', queries[0][0])).json();
    expect(byProduct).toMatchObject({ verdict: 'fail', listed: false, product: { status: 'suspended' }, unmetCriteria: [{ id: 'sbom-published' }] });
    expect(byProduct.reasons.join(' ')).toMatch(/suspended/);
    expect((await call('POST', '/check', 'reader', queries[2][0])).json()).toMatchObject({ verdict: 'caution', listed: false, openVulns: [{ id: 'GHSA-35jh-r3h4-6jhm', path: ['cam', 'lodash'] }] });
    expect((await call('POST', '/check', 'reader', {})).json()).toMatchObject({ code: 'MAMORI_SUPPLY_INPUT' });
    const broken = await call('POST', '/check', 'reader', { sbom: { ...candidateSbom, components: [{ type: 'library' }] } });
    expect(broken.statusCode).toBe(422);
    expect(broken.json().details.field).toBe('/components/0');
  });
});
