import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { hubMigrations } from '@mamori/hub';
import { decodePacket, ExporterSession, FlowPipeline, flowsMigrations, type FlowRecord } from '@mamori/flows';
import { botnetScenario, exportStream } from '@mamori/testbed';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { analystAndMemberTokens } from '../testing/role-tokens.js';
import { flowsRoutes } from './flows.js';

let platform: Platform;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const s = botnetScenario({ seed: 7, hours: 3, hosts: 60 });

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [hubMigrations, flowsMigrations] });
  Object.assign(tokens, await analystAndMemberTokens(platform, 'ISP SOC'));
  const session = new ExporterSession('192.0.2.1:2055');
  const records: FlowRecord[] = [];
  for (const p of exportStream(s.flows, 9)) decodePacket(p, session, records);
  const pipeline = new FlowPipeline(platform.store);
  pipeline.add(records);
  await pipeline.flush([{ exporter: session.key, counters: session.counters }]);
  await pipeline.detectAndSave({ knownBots: s.knownBots, allow: { prefixes: s.allowList } }, 'test');
  app = await buildServer(platform, { modules: [flowsRoutes] });
});
afterAll(async () => {
  await app?.close();
  await platform?.close();
});

const get = (path: string, who?: string) => app.inject({ method: 'GET', url: `/api/flows${path}`, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });

describe('/api/flows', () => {
  it('refuses anonymous callers and non-analysts', async () => {
    expect((await get('/candidates')).statusCode).toBe(401);
    expect((await get('/candidates?limit=lots')).statusCode).toBe(401); // refused before the query is validated
    expect((await get('/candidates', 'member')).statusCode).toBe(403);
  });

  it('lists candidates with evidence for the dashboard', async () => {
    const r = await get('/candidates?limit=5', 'analyst');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.run.source).toBe('test');
    expect(body.candidates[0].address).toBe(s.commandAndControl[0].address);
    const one = await get(`/candidates/${s.commandAndControl[0].address}`, 'analyst');
    expect(one.statusCode).toBe(200);
    const c = one.json();
    expect(c.evidence.intervalHistogram.counts.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
    expect(c.evidence.hosts.map((h: { address: string }) => h.address).sort()).toEqual([...s.commandAndControl[0].bots].sort());
    expect(c.evidence.hosts[0].beacon.medianIntervalS).toBeGreaterThan(250);
    expect((await get('/candidates/192.0.2.99', 'analyst')).statusCode).toBe(404);
  });

  it('exports STIX, exporters and top destinations', async () => {
    const stix = (await get('/stix?limit=2&tlp=green', 'analyst')).json();
    expect(stix.objects).toHaveLength(2);
    expect(stix.objects[0].object_marking_refs).toEqual(['marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb']);
    const ex = (await get('/exporters', 'analyst')).json();
    expect(ex[0].exporter).toBe('192.0.2.1:2055');
    expect(ex[0].counters.records).toBe(s.flows.length);
    const top = (await get('/top-destinations?limit=3', 'analyst')).json();
    expect(top).toHaveLength(3);
    expect(top[0].flows).toBeGreaterThanOrEqual(top[1].flows);
  });
});
