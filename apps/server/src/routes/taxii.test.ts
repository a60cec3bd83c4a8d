/**
 * TAXII 2.1 interoperability: mamori's client against mamori's server on loopback, and the
 * server-side cases of the OASIS TAXII 2.1 interoperability test document replayed as
 * named tests (discovery, API root, collections, objects with filters and pagination, add
 * + status, object by id, versions, manifest, delete, and the error answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { testBackends, type Platform } from '@mamori/core';
import {
  actorOf, addGroup, addOrg, addUser, createToken, hubContext, hubMigrations, LOCAL_OPERATOR, pullCollection, pushObjects,
  sampleIndicator, sampleIpv4, StixStore, stixMigrations, TaxiiClient, TAXII_MEDIA_TYPE, TLP2_MARKINGS, type HubContext,
} from '@mamori/hub';
import { buildServer } from '../server.js';
import { taxiiRoutes } from './taxii.js';

interface Member { token: string; userId: string; orgId: string }

async function member(hub: HubContext, orgId: string, username: string, roles: ('member' | 'reader' | 'analyst')[], scopes: string[]): Promise<Member> {
  const actor = actorOf(LOCAL_OPERATOR, 'local');
  const u = await addUser(hub, LOCAL_OPERATOR, actor, { orgId, username, roles });
  const { token } = await createToken(hub, LOCAL_OPERATOR, actor, { user: u.id, scopes });
  return { token, userId: u.id, orgId };
}

describe.each(testBackends())('TAXII 2.1 server and client on $name', (backend) => {
  let platform: Platform;
  let app: FastifyInstance;
  let base: string;
  let root: string;
  let store: StixStore;
  let bankA: Member, bankB: Member, gas: Member, reader: Member;
  const shared = 'c1f2b9d0-0000-4000-8000-000000000001';
  const finance = 'c1f2b9d0-0000-4000-8000-000000000002';
  const mirror = 'c1f2b9d0-0000-4000-8000-000000000003';

  const req = (path: string, init: { method?: string; token?: string | null; accept?: string; type?: string; body?: string } = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.accept !== '' ? { accept: init.accept ?? TAXII_MEDIA_TYPE } : {}),
        ...(init.token !== null ? { authorization: `Bearer ${init.token ?? bankA.token}` } : {}),
        ...(init.type ? { 'content-type': init.type } : {}),
      },
      body: init.body,
    });

  beforeAll(async () => {
    platform = await backend.open({ migrations: [hubMigrations, stixMigrations] });
    (platform.config as Record<string, unknown>).taxii = { maxContentLength: 256 * 1024, asyncThreshold: 50 };
    const hub = hubContext(platform);
    const actor = actorOf(LOCAL_OPERATOR, 'local');
    const a = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'Bank A', role: 'operator', sector: 'finance' });
    const b = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'Bank B', role: 'operator', sector: 'finance' });
    const g = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'Gas Co', role: 'operator', sector: 'gas' });
    const group = await addGroup(hub, LOCAL_OPERATOR, actor, { name: 'finance', kind: 'sector', sector: 'finance' });
    bankA = await member(hub, a.id, 'bank-a', ['member'], ['read', 'write']);
    bankB = await member(hub, b.id, 'bank-b', ['member'], ['read', 'write']);
    gas = await member(hub, g.id, 'gas-co', ['member'], ['read', 'write']);
    reader = await member(hub, a.id, 'bank-a-reader', ['reader'], ['read']);
    store = new StixStore(platform.store);
    await store.createCollection({ id: shared, title: 'Community indicators', defaultTlp: 'GREEN' });
    await store.createCollection({ id: finance, title: 'Finance sector', sharingGroupId: group.id, defaultTlp: 'AMBER' });
    await store.createCollection({ id: mirror, title: 'Mirror', defaultTlp: 'GREEN' });
    app = await buildServer(platform, { modules: [taxiiRoutes] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    root = `${base}/taxii2/mamori/`;
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
  });

  const client = (token = bankA.token) => new TaxiiClient({ url: `${base}/taxii2/`, token, retries: 1, backoffMs: 10 });

  it('interop: server discovery lists the API root, in the TAXII media type', async () => {
    const r = await req('/taxii2/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    const body = await r.json();
    expect(body).toMatchObject({ title: expect.any(String), default: root, api_roots: [root] });
  });

  it('interop: API root information advertises versions and max_content_length', async () => {
    const body = await (await req('/taxii2/mamori/')).json();
    expect(body).toEqual({ title: expect.any(String), versions: [TAXII_MEDIA_TYPE], max_content_length: 256 * 1024 });
    expect((await req('/taxii2/other/')).status).toBe(404);
  });

  it('interop: get collections shows only the collections a member may use, with can_read/can_write', async () => {
    const a = await client().collections();
    expect(a.map((c) => c.id).sort()).toEqual([shared, finance, mirror].sort());
    expect(a.find((c) => c.id === finance)).toMatchObject({ can_read: true, can_write: true, media_types: ['application/stix+json;version=2.1'] });
    const g = await client(gas.token).collections();
    expect(g.map((c) => c.id).sort()).toEqual([shared, mirror].sort());
    const r = await client(reader.token).collections();
    expect(r.find((c) => c.id === shared)).toMatchObject({ can_read: true, can_write: false });
    expect((await req(`/taxii2/mamori/collections/${finance}/`, { token: gas.token })).status).toBe(404);
  });

  it('interop: add objects answers 202 with a complete status resource; get status returns it again', async () => {
    const objects = [sampleIndicator(1), sampleIpv4(1), sampleIndicator(2, { tlp: 'AMBER' }), { ...sampleIndicator(3), pattern: "[ipv4-addr:value = '1.2.3.4'" }];
    const r = await req(`/taxii2/mamori/collections/${shared}/objects/`, { method: 'POST', type: TAXII_MEDIA_TYPE, body: JSON.stringify({ objects }) });
    expect(r.status).toBe(202);
    expect(r.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    const status = await r.json();
    expect(status).toMatchObject({ status: 'complete', total_count: 4, success_count: 3, failure_count: 1, pending_count: 0 });
    expect(status.failures[0]).toMatchObject({ id: objects[3].id });
    expect(status.failures[0].message).toMatch(/objects\[3\] pattern: invalid STIX pattern/);
    const again = await client().status(status.id);
    expect(again).toMatchObject({ id: status.id, status: 'complete', success_count: 3 });
    expect((await req(`/taxii2/mamori/status/${status.id}/`, { token: gas.token })).status).toBe(404);
  });

  it('interop: large envelopes are processed after the answer (status pending → complete)', async () => {
    const objects = Array.from({ length: 120 }, (_, i) => sampleIndicator(5000 + i));
    const c = client();
    const first = await c.addObjects(shared, objects);
    expect(first.total_count).toBe(120);
    expect(first.status).toBe('pending');
    const done = await c.waitForStatus(first, { pollMs: 20 });
    expect(done).toMatchObject({ status: 'complete', success_count: 120, failure_count: 0 });
  });

  it('interop: get objects filters by match[type], match[id], match[spec_version] and added_after', async () => {
    const c = client();
    const types = await c.getObjects(shared, { match: { type: ['ipv4-addr'] } });
    expect(types.objects.map((o) => o.type)).toEqual(['ipv4-addr']);
    const ids = await c.getObjects(shared, { match: { id: [String(sampleIndicator(1).id), String(sampleIndicator(5001).id)] } });
    expect(ids.objects.map((o) => o.id).sort()).toEqual([sampleIndicator(1).id, sampleIndicator(5001).id].sort());
    expect((await c.getObjects(shared, { match: { spec_version: ['2.0'] } })).objects).toEqual([]);
    const all = await c.getObjects(shared, { limit: 1000 });
    const cut = all.objects.length;
    const page = await c.getObjects(shared, { limit: 1 });
    expect(page.first).toBe(page.last);
    const later = await c.getObjects(shared, { addedAfter: page.last, limit: 1000 });
    expect(later.objects.length).toBeLessThan(cut);
    expect(later.objects.every((o) => o.id !== page.objects[0].id)).toBe(true);
  });

  it('interop: pagination with limit and next visits every object exactly once, even with a shared date_added', async () => {
    const c = client();
    const seen: string[] = [];
    let pages = 0;
    for await (const p of c.pages(shared, { limit: 7 })) {
      pages++;
      seen.push(...p.objects.map((o) => `${o.id}|${o.modified ?? ''}`));
    }
    expect(pages).toBeGreaterThan(10);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(123); // 3 + 120 (the AMBER one is readable by its own organisation)
  });

  it('interop: match[version] first, last, all and a timestamp; versions endpoint lists them', async () => {
    const c = client();
    const v1 = sampleIndicator(77);
    const v2 = sampleIndicator(77, { modified: '2026-06-01T00:00:00.000Z' });
    await c.addObjects(shared, [v2, v1]);
    const id = String(v1.id);
    expect((await c.getObject(shared, id)).objects.map((o) => o.modified)).toEqual([v2.modified]);
    expect((await c.getObject(shared, id, { match: { version: ['first'] } })).objects.map((o) => o.modified)).toEqual([v1.modified]);
    expect((await c.getObject(shared, id, { match: { version: ['all'] } })).objects).toHaveLength(2);
    expect((await c.getObject(shared, id, { match: { version: [String(v1.modified)] } })).objects.map((o) => o.modified)).toEqual([v1.modified]);
    expect((await c.versions(shared, id)).versions.sort()).toEqual([v1.modified, v2.modified].sort());
    const man = await c.manifest(shared, { match: { id: [id], version: ['all'] } });
    expect(man.objects.map((m) => m.version).sort()).toEqual([v1.modified, v2.modified].sort());
    expect(man.objects[0]).toMatchObject({ media_type: 'application/stix+json;version=2.1', date_added: expect.stringMatching(/Z$/) });
  });

  it('interop: delete an object (write access of the owner only)', async () => {
    const c = client();
    await c.addObjects(shared, [sampleIndicator(88)]);
    const id = String(sampleIndicator(88).id);
    expect((await req(`/taxii2/mamori/collections/${shared}/objects/${id}/`, { method: 'DELETE', token: gas.token })).status).toBe(403);
    expect((await req(`/taxii2/mamori/collections/${shared}/objects/${id}/`, { method: 'DELETE' })).status).toBe(200);
    expect((await req(`/taxii2/mamori/collections/${shared}/objects/${id}/`)).status).toBe(404);
  });

  it('reads follow the hub rules: TLP, sharing group, granular markings', async () => {
    const secret = { ...sampleIndicator(90, { tlp: 'GREEN' }), description: 'internal note', granular_markings: [{ marking_ref: TLP2_MARKINGS.AMBER, selectors: ['description'] }] };
    const amber = sampleIndicator(91, { tlp: 'AMBER' });
    const red = sampleIndicator(92, { tlp: 'RED' });
    await client().addObjects(finance, [secret, amber, red]);
    const byB = await client(bankB.token).getObjects(finance, { limit: 100 });
    expect(byB.objects.map((o) => o.id).sort()).toEqual([secret.id, amber.id].sort()); // RED: author only
    const byGas = await req(`/taxii2/mamori/collections/${finance}/objects/`, { token: gas.token });
    expect(byGas.status).toBe(404);
    // In the community collection, AMBER stays with its owner; GREEN reaches everyone.
    await client().addObjects(shared, [secret]);
    const gasView = await client(gas.token).getObjects(shared, { match: { id: [String(secret.id)] } });
    expect(gasView.objects[0].description).toBeUndefined();
    expect(gasView.objects[0].granular_markings).toBeUndefined();
    const ownView = await client().getObjects(shared, { match: { id: [String(secret.id)] } });
    expect(ownView.objects[0].description).toBe('internal note');
  });

  it('interop: 401 without credentials, 403 without write access', async () => {
    const r = await req('/taxii2/', { token: null });
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    expect(await r.json()).toMatchObject({ title: 'Unauthorized', http_status: '401' });
    const w = await req(`/taxii2/mamori/collections/${shared}/objects/`, { method: 'POST', token: reader.token, type: TAXII_MEDIA_TYPE, body: '{"objects":[]}' });
    expect(w.status).toBe(403);
  });

  it('interop: 406 for an unacceptable Accept, 415 for another media type, 413 past max_content_length — all in the TAXII media type', async () => {
    const n = await req('/taxii2/', { accept: 'application/json' });
    expect(n.status).toBe(406);
    expect(n.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    expect((await req('/taxii2/', { accept: 'application/taxii+json;version=2.0' })).status).toBe(406);
    const u = await req(`/taxii2/mamori/collections/${shared}/objects/`, { method: 'POST', type: 'application/json', body: '{"objects":[]}' });
    expect(u.status).toBe(415);
    expect(u.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    const big = JSON.stringify({ objects: Array.from({ length: 2000 }, (_, i) => sampleIndicator(i)) });
    const t = await req(`/taxii2/mamori/collections/${shared}/objects/`, { method: 'POST', type: TAXII_MEDIA_TYPE, body: big });
    expect(t.status).toBe(413);
    expect(t.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    const j = await req(`/taxii2/mamori/collections/${shared}/objects/`, { method: 'POST', type: TAXII_MEDIA_TYPE, body: '{"objects": [' });
    expect(j.status).toBe(400);
    expect(j.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
    const nf = await req('/taxii2/mamori/nowhere/');
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toBe(TAXII_MEDIA_TYPE);
  });

  it('rejects a tampered or re-targeted next cursor with 400', async () => {
    const p = await client().getObjects(shared, { limit: 2 });
    expect(p.next).toBeDefined();
    const [payload, mac] = p.next!.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.d = 0;
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    const r = await req(`/taxii2/mamori/collections/${shared}/objects/?limit=2&next=${encodeURIComponent(tampered)}`);
    expect(r.status).toBe(400);
    expect((await r.json()).description).toMatch(/signature/);
    const other = await req(`/taxii2/mamori/collections/${shared}/objects/?limit=2&match[type]=malware&next=${encodeURIComponent(p.next!)}`);
    expect(other.status).toBe(400);
    const bad = await req(`/taxii2/mamori/collections/${shared}/objects/?added_after=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('client pull resumes from its saved position and push round-trips between collections', async () => {
    const local = await store.createCollection({ title: 'pulled', defaultTlp: 'GREEN' });
    const c = client();
    let calls = 0;
    const first = await pullCollection({ client: c, remoteCollection: shared, store, localCollection: local.id, limit: 25, onPage: () => { calls++; } });
    expect(first.received).toBeGreaterThan(100);
    expect(calls).toBe(first.pages);
    const again = await pullCollection({ client: c, remoteCollection: shared, store, localCollection: local.id, limit: 25 });
    expect(again.received).toBe(0);
    await c.addObjects(shared, [sampleIndicator(99)]);
    const third = await pullCollection({ client: c, remoteCollection: shared, store, localCollection: local.id, limit: 25 });
    expect(third.received).toBe(1);

    const pushed = await pushObjects({ client: c, remoteCollection: mirror, store, objects: Array.from({ length: 30 }, (_, i) => sampleIndicator(7000 + i)) });
    expect(pushed).toMatchObject({ sent: 30, succeeded: 30, failed: 0 });
    const resumed = await pushObjects({ client: c, remoteCollection: mirror, store, objects: Array.from({ length: 30 }, (_, i) => sampleIndicator(7000 + i)) });
    expect(resumed.sent).toBe(0);
  });

  it('client retries transient failures with back-off', async () => {
    let n = 0;
    const flaky: typeof fetch = async (input, init) => {
      n++;
      if (n <= 2) return new Response('busy', { status: 503, headers: { 'retry-after': '0' } });
      return fetch(input, init);
    };
    const retries: number[] = [];
    const c = new TaxiiClient({ url: `${base}/taxii2/`, token: bankA.token, fetch: flaky, retries: 3, backoffMs: 1, onRetry: (r) => retries.push(r.attempt) });
    expect((await c.collections()).length).toBeGreaterThanOrEqual(3);
    expect(retries).toEqual([1, 2]);
    const down = new TaxiiClient({ url: 'http://127.0.0.1:9/taxii2/', retries: 1, backoffMs: 1 });
    await expect(down.collections()).rejects.toThrow(/TAXII server/);
  });
});
