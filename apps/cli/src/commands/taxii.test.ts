/**
 * `mamori hub taxii` as a user runs it: a real mamori process syncing with a mamori TAXII
 * server on loopback (list, pull with resume, push of a bundle file, local collections).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { testBackends, type Platform } from '@mamori/core';
import { actorOf, addOrg, addUser, createToken, hubContext, hubMigrations, LOCAL_OPERATOR, sampleIndicator, StixStore, stixMigrations } from '@mamori/hub';
import { buildServer, routeModules } from '@mamori/server';
import { runMamori } from '@mamori/testbed';
import { runInProcess } from '../testing.js';

let platform: Platform;
let app: FastifyInstance;
let server: string;
let token: string;
let dir: string;

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [hubMigrations, stixMigrations] });
  const hub = hubContext(platform);
  const actor = actorOf(LOCAL_OPERATOR, 'local');
  const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'Peer ISAC', role: 'isac' });
  const user = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: 'peer-sync', roles: ['member'] });
  token = (await createToken(hub, LOCAL_OPERATOR, actor, { user: user.id, scopes: ['read', 'write'] })).token;
  const store = new StixStore(platform.store);
  await store.createCollection({ id: 'src', title: 'Source', defaultTlp: 'GREEN' });
  await store.add('src', Array.from({ length: 40 }, (_, i) => sampleIndicator(i)));
  app = await buildServer(platform, { modules: routeModules.filter((m) => m.name === 'taxii') });
  await app.listen({ host: '127.0.0.1', port: 0 });
  server = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/taxii2/`;
  dir = mkdtempSync(join(tmpdir(), 'mamori-taxii-cli-'));
});
afterAll(async () => {
  await app?.close();
  await platform?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** In-process run (a process start costs seconds on a busy machine); one test below spawns the real binary. */
const mamori = async (...args: string[]) => {
  const { code, stdout } = await runInProcess(['--data', join(dir, 'data'), '--quiet', '--json', 'hub', 'taxii', ...args, ...(args[0] === 'collection' ? [] : ['--token', token])]);
  if (code !== 0) throw new Error(`mamori hub taxii ${args.join(' ')} → ${code}`);
  return JSON.parse(stdout);
};

describe('mamori hub taxii', () => {
  it('lists, pulls with resume, pushes a bundle, and manages local collections', async () => {
    const spawned = await runMamori(['--data', join(dir, 'data'), '--quiet', '--json', 'hub', 'taxii', 'collections', '--server', server], { MAMORI_TAXII_TOKEN: token });
    expect(spawned.code, spawned.stderr).toBe(0);
    expect(JSON.parse(spawned.stdout).map((c: { id: string }) => c.id)).toEqual(['src']);

    const pulled = await mamori('pull', '--server', server, '--collection', 'src', '--limit', '15');
    expect(pulled).toMatchObject({ into: 'src', pages: 3, received: 40, stored: 40, invalid: 0 });
    const again = await mamori('pull', '--server', server, '--collection', 'src', '--limit', '15');
    expect(again).toMatchObject({ received: 0 });

    const bundle = join(dir, 'bundle.json');
    writeFileSync(bundle, JSON.stringify({ type: 'bundle', id: 'bundle--6b4a1f2e-3d5c-4e7f-8a9b-0c1d2e3f4a5b', objects: Array.from({ length: 10 }, (_, i) => sampleIndicator(100 + i)) }));
    const pushed = await mamori('push', '--server', server, '--collection', 'src', '--file', bundle);
    expect(pushed).toMatchObject({ sent: 10, succeeded: 10, failed: 0 });
    const more = await mamori('pull', '--server', server, '--collection', 'src');
    expect(more).toMatchObject({ received: 10 });

    const created = await mamori('collection', 'add', '--title', 'Outbound', '--id', 'outbound', '--tlp', 'white');
    expect(created).toMatchObject({ id: 'outbound', defaultTlp: 'CLEAR', sharingGroupId: null });
    const local = await mamori('collection', 'list');
    expect(local.map((c: { id: string }) => c.id).sort()).toEqual(['outbound', 'src']);

    await expect(mamori('pull', '--server', 'ftp://x', '--collection', 'a')).rejects.toThrow(/→ 2/);
  }, 120_000);
});
