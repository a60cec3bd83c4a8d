import { get } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { PrefixSet, testBackends, type Platform } from '@mamori/core';
import { TelescopeScenario, encodeCapture } from '@mamori/testbed';
import { TELESCOPE_SUBJECTS, ingestCapture, telescopeMigrations } from '@mamori/telescope';
import { hubMigrations } from '@mamori/hub';
import { buildServer } from '../server.js';
import { analystAndMemberTokens } from '../testing/role-tokens.js';
import { telescopeRoutes } from './telescope.js';

const scenario = new TelescopeScenario({ seed: 4, minutes: 5 });
const frames = [...scenario.frames()];
const truth = scenario.truth;
const dir = mkdtempSync(join(tmpdir(), 'telescope-routes-'));
let platform: Platform;
let app: FastifyInstance;
const since = new Date(truth.startMs).toISOString();
const tokens: Record<string, string> = {};
const auth = (who = 'analyst') => ({ authorization: `Bearer ${tokens[who]}` });

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [hubMigrations, telescopeMigrations] });
  Object.assign(tokens, await analystAndMemberTokens(platform, 'NICT'));
  const path = join(dir, 'c.pcap');
  writeFileSync(path, encodeCapture(frames, { format: 'pcap' }));
  await ingestCapture(platform, path, { darknet: new PrefixSet([truth.darknet, truth.darknet6]) });
  app = await buildServer(platform, { modules: [telescopeRoutes] });
});
afterAll(async () => {
  await app?.close();
  await platform?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/api/telescope', () => {
  it('refuses anonymous callers and non-analysts (sources name infected customer hosts)', async () => {
    for (const path of ['/summary', '/top/sources', '/infected', '/live']) {
      expect((await app.inject({ url: `/api/telescope${path}` })).statusCode, path).toBe(401);
      expect((await app.inject({ url: `/api/telescope${path}`, headers: auth('member') })).statusCode, path).toBe(403);
    }
  });

  it('answers the dashboard’s reads', async () => {
    const json = async (url: string): Promise<any> => {
      const r = await app.inject({ url: `/api/telescope${url}`, headers: auth() });
      expect(r.statusCode, url).toBe(200);
      return r.json();
    };
    const s = await json(`/summary?since=${since}`);
    expect(s.buckets).toBe(5);
    expect(s.byClass['syn-scan']).toBe(truth.byClass['syn-scan']);
    const ports = await json(`/top/ports?since=${since}&limit=3&proto=tcp`);
    expect(ports[0]).toMatchObject({ proto: 'tcp', port: 23, packets: truth.byPort['tcp/23'] });
    expect(await json(`/top/sources?since=${since}&limit=2`)).toHaveLength(2);
    const series = await json(`/timeseries?since=${since}&proto=tcp&port=23`);
    expect(series.reduce((n: number, p: { packets: number }) => n + p.packets, 0)).toBe(truth.byPort['tcp/23']);
    const hm = await json(`/heatmap?since=${since}&limit=4`);
    expect([hm.ports.length, hm.buckets.length]).toEqual([4, 5]);
    expect((await json(`/victims?since=${since}`)).length).toBe(3);
    expect((await json(`/alerts?since=${since}`)).map((a: { port: number }) => a.port)).toEqual([5555]);
    expect((await json(`/infected?since=${since}`)).length).toBe(truth.miraiSources.length);
  });

  it('refuses bad windows with the error shape', async () => {
    const r = await app.inject({ url: '/api/telescope/summary?since=yesterday-ish', headers: auth() });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('MAMORI_USAGE');
    expect((await app.inject({ url: '/api/telescope/timeseries?port=23', headers: auth() })).statusCode).toBe(400);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    for (const p of ['summary', 'timeseries', 'top/ports', 'top/sources', 'heatmap', 'victims', 'alerts', 'infected', 'live']) {
      expect(doc.paths[`/api/telescope/${p}`], p).toBeDefined();
    }
  });

  it('streams live packet rates as server-sent events', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const text = await new Promise<string>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: '/api/telescope/live', headers: auth() }, (res) => {
        expect(res.headers['content-type']).toContain('text/event-stream');
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
          if (body.includes(': mamori telescope live')) void platform.bus.publish(TELESCOPE_SUBJECTS.rate, { packetsPerSecond: 1234 });
          if (body.includes('event: rate')) {
            req.destroy();
            resolve(body);
          }
        });
      });
      req.on('error', reject);
    });
    expect(text).toContain('"packetsPerSecond":1234');
  });
});
