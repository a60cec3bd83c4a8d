/**
 * /api/trust over HTTP with hub tokens: seal and stamp a file, verify both (and see a
 * changed file fail), with openssl as the independent verifier of what the server issued.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { LOCAL_OPERATOR, actorOf, addOrg, addUser, createToken, hubContext, hubMigrations } from '@mamori/hub';
import { initTrust, trustConfig, trustFiles, trustMigrations } from '@mamori/trust';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { trustApiRoutes } from './trust-api.js';

const DOC = Buffer.from('注意喚起: IoT 機器の初期パスワード\n');

describe.each(testBackends())('/api/trust on $name', (backend) => {
  let platform: Platform;
  let app: FastifyInstance;
  let work: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    platform = await backend.open({ migrations: [hubMigrations, trustMigrations] });
    const hub = hubContext(platform);
    const actor = actorOf(LOCAL_OPERATOR, 'local');
    const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: 'CEPTOAR', sector: 'electric-power', role: 'ceptoar-secretariat' });
    for (const [name, roles] of [['secretariat', ['secretariat']], ['member', ['member']]] as const) {
      const u = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: name, roles: [...roles] });
      tokens[name] = (await createToken(hub, LOCAL_OPERATOR, actor, { user: u.id, scopes: ['read', 'write'] })).token;
    }
    await initTrust({ dir: trustConfig(platform.config).dir, organisation: 'API Seal' });
    app = await buildServer(platform, { modules: [trustApiRoutes] });
    work = mkdtempSync(join(tmpdir(), 'mamori-trust-api-'));
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const post = (path: string, payload: object, who?: string) =>
    app.inject({ method: 'POST', url: `/api/trust/${path}`, payload, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
  const openssl = (args: string[]) => spawnSync('openssl', args, { cwd: work, encoding: 'utf8', timeout: 20_000 });
  const cert = (role: 'root' | 'tsa' | 'seal') => trustFiles(trustConfig(platform.config).dir, role).cert;

  it('needs a signed-in user, and the secretariat or admin role to seal', async () => {
    expect((await post('verify', { document: 'YQ==', signature: 'YQ==' })).statusCode).toBe(401);
    const refused = await post('seal', { document: DOC.toString('base64') }, 'member');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('MAMORI_TRUST_FORBIDDEN');
  });

  it('seals a file (CAdES, level T) that openssl accepts; verifies it, and a changed file fails', async () => {
    const sealed = await post('seal', { document: DOC.toString('base64'), name: 'advisory.txt' }, 'secretariat');
    expect(sealed.statusCode, sealed.body).toBe(200);
    const { signature } = sealed.json() as { signature: string };
    writeFileSync(join(work, 'doc.txt'), DOC);
    writeFileSync(join(work, 'doc.p7s'), Buffer.from(signature, 'base64'));
    const peer = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'doc.p7s', '-content', 'doc.txt', '-CAfile', cert('root'), '-purpose', 'any', '-out', '/dev/null']);
    expect(`${peer.stdout}${peer.stderr}`).toContain('Verification successful');

    const ok = (await post('verify', { document: DOC.toString('base64'), signature }, 'member')).json();
    expect(ok).toMatchObject({ kind: 'CAdES', valid: true, level: 'T', contentUnchanged: true, chainTrusted: true, organisation: 'API Seal' });
    expect(Date.parse(ok.timeStamp.genTime)).toBeGreaterThan(0);
    const changed = (await post('verify', { document: Buffer.from('changed').toString('base64'), signature }, 'member')).json();
    expect(changed).toMatchObject({ kind: 'CAdES', valid: false, contentUnchanged: false });
  });

  it('time-stamps a file (openssl ts -verify accepts the token) and verifies token and content', async () => {
    const stamped = await post('stamp', { document: DOC.toString('base64') }, 'member');
    expect(stamped.statusCode, stamped.body).toBe(200);
    const { token, genTime } = stamped.json() as { token: string; genTime: string };
    writeFileSync(join(work, 'doc.txt'), DOC);
    writeFileSync(join(work, 'doc.tst'), Buffer.from(token, 'base64'));
    const peer = openssl(['ts', '-verify', '-data', 'doc.txt', '-in', 'doc.tst', '-token_in', '-CAfile', cert('root'), '-untrusted', cert('tsa')]);
    expect(`${peer.stdout}${peer.stderr}`).toContain('Verification: OK');

    const ok = (await post('verify', { document: DOC.toString('base64'), signature: token }, 'member')).json();
    expect(ok).toMatchObject({ kind: 'TimeStamp', valid: true, contentUnchanged: true, chainTrusted: true, genTime });
    const changed = (await post('verify', { document: Buffer.from('other').toString('base64'), signature: token }, 'member')).json();
    expect(changed).toMatchObject({ kind: 'TimeStamp', valid: false, contentUnchanged: false });
  });

  it('names the field of bad base64 (400), never verifies bytes it guessed', async () => {
    const bad = await post('verify', { document: 'not base64!', signature: 'YQ==' }, 'member');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'MAMORI_TRUST_INPUT' });
    expect(JSON.stringify(bad.json())).toContain('document');
  });
});
