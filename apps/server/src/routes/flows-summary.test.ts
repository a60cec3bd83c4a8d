/**
 * GET /api/flows/summary on both back ends: guarded like every flows route, a window given as
 * ISO times or durations, runs attributed by the end of the traffic they cover, and the counts
 * the dashboard's half-year C&C measure reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { hubMigrations } from '@mamori/hub';
import { FlowPipeline, flowsMigrations, decodePacket, ExporterSession, type FlowRecord } from '@mamori/flows';
import { botnetScenario, exportStream } from '@mamori/testbed';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { analystAndMemberTokens } from '../testing/role-tokens.js';
import { flowsRoutes } from './flows.js';

const DAY = 86_400_000;
// Traffic ten days ago, so "the last 30 days" holds it and "the last 5 days" does not.
const start = Math.floor((Date.now() - 10 * DAY) / 3_600_000) * 3_600_000;
const s = botnetScenario({ seed: 13, start, hours: 3, hosts: 50 });

describe.each(testBackends())('/api/flows/summary on $name', (backend) => {
  let platform: Platform;
  let app: FastifyInstance;
  let tokens: { analyst: string; member: string };
  let candidates = 0;

  beforeAll(async () => {
    platform = await backend.open({ migrations: [hubMigrations, flowsMigrations] });
    tokens = await analystAndMemberTokens(platform, 'ISP SOC');
    const session = new ExporterSession('192.0.2.1:2055');
    const records: FlowRecord[] = [];
    for (const p of exportStream(s.flows, 9)) decodePacket(p, session, records);
    const pipeline = new FlowPipeline(platform.store);
    pipeline.add(records);
    await pipeline.flush();
    candidates = (await pipeline.detectAndSave({ knownBots: s.knownBots, allow: { prefixes: s.allowList } }, 'test')).result.candidates.length;
    app = await buildServer(platform, { modules: [flowsRoutes] });
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
  });

  const get = (query: string, who?: 'analyst' | 'member') =>
    app.inject({ method: 'GET', url: `/api/flows/summary${query}`, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });

  it('is refused to anonymous callers and non-analysts', async () => {
    expect((await get('')).statusCode).toBe(401);
    expect((await get('?since=nonsense')).statusCode).toBe(401);
    expect((await get('', 'member')).statusCode).toBe(403);
  });

  it('counts the detection history in a window', async () => {
    const r = await get('?since=30d', 'analyst');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.runs).toBe(1);
    expect(body.candidates).toBe(candidates);
    expect(candidates).toBeGreaterThan(0);
    // The scenario's C&C servers are the strong candidates; every bot of the first contacts it.
    expect(body.strong).toBeGreaterThanOrEqual(1);
    expect(body.strong).toBeLessThan(candidates);
    expect(body.hosts).toBeGreaterThanOrEqual(s.commandAndControl[0].bots.length);
    expect(body.beaconingHosts).toBeGreaterThan(0);
    expect(body.firstWindowStart).toBeGreaterThanOrEqual(start);
    expect(body.lastWindowEnd).toBeLessThanOrEqual(start + 4 * 3_600_000);
    expect((await get('?since=5d', 'analyst')).json().runs).toBe(0);
    const iso = (ms: number) => new Date(ms).toISOString();
    const half = await get(`?since=${iso(Date.now() - 40 * DAY)}&until=${iso(Date.now() - 9 * DAY)}`, 'analyst');
    expect(half.json().candidates).toBe(candidates);
    expect((await get(`?since=${iso(Date.now() - 40 * DAY)}&until=${iso(Date.now() - 12 * DAY)}`, 'analyst')).json().runs).toBe(0);
  });

  it('answers 400 naming the field for a window it cannot read', async () => {
    const r = await get('?since=last%20tuesday', 'analyst');
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('MAMORI_USAGE');
    expect(r.json().message).toContain('since');
  });
});
