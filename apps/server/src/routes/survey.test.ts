import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { hubMigrations } from '@mamori/hub';
import { prepareBatch, recordRun, setBatchState, surveyMigrations, type SurveyResult } from '@mamori/survey';
import { addProduct, putCriteria, supplyMigrations } from '@mamori/supply';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { analystAndMemberTokens } from '../testing/role-tokens.js';
import { surveyRoutes } from './survey.js';

let platform: Platform;
let app: FastifyInstance;
const tokens: Record<string, string> = {};

const at = Date.UTC(2026, 9, 1);
const run: SurveyResult = {
  runId: 'run-1', startedAt: at, finishedAt: at + 1000, services: [], checked: [],
  findings: [
    { runId: 'run-1', address: '192.0.2.10', port: 23, protocol: 'telnet', type: 'weak-credential', credentialId: 'mirai-001', method: 'telnet-login', evidenceAt: at, banner: 'Example Vision IPC 200 login:' },
    { runId: 'run-1', address: '198.51.100.7', port: 80, protocol: 'http', type: 'no-auth', method: 'none', evidenceAt: at },
  ],
  stats: { addresses: 2, tasksDone: 2, tasksTotal: 2, openPorts: 2, attempts: 1, findings: 2, connectsPerSecond: 0, peakInFlight: 2, refused: 0, connects: 3 },
};

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [hubMigrations, surveyMigrations, supplyMigrations] });
  Object.assign(tokens, await analystAndMemberTokens(platform, 'NICT'));
  const { parseIp2Asn } = await import('@mamori/survey');
  await recordRun(platform.store, run, { attribution: parseIp2Asn('192.0.2.0\t192.0.2.255\t64500\tJP\tISP-A\n198.51.100.0\t198.51.100.255\t64501\tJP\tISP-B') });
  await putCriteria(platform.store, { version: '2026.1', title: 'IoT baseline', publishedAt: at, criteria: [{ id: 'no-default-password', title: 'No default password', required: true }] });
  await addProduct(platform.store, { manufacturer: 'Example Vision', model: 'IPC 200', assessor: 'JATE', criteriaVersion: '2026.1', criteriaMet: [], assessedAt: at, expiresAt: at + 86_400_000 }, 'op');
  const b = await prepareBatch(platform.store, 'ISP-A', at + 2000);
  await setBatchState(platform.store, b!.id, 'sent', at + 3000);
  app = await buildServer(platform, { modules: [surveyRoutes] });
});
afterAll(async () => {
  await app?.close();
  await platform?.close();
});

const get = (path: string, who?: string) => app.inject({ method: 'GET', url: `/api/survey${path}`, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });

describe('/api/survey', () => {
  it('refuses anonymous callers and non-analysts', async () => {
    expect((await get('/findings')).statusCode).toBe(401);
    expect((await get('/findings', 'member')).statusCode).toBe(403);
  });

  it('serves findings, ISP indicators, batches and effectiveness', async () => {
    const findings = (await get('/findings?isp=ISP-A', 'analyst')).json();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ address: '192.0.2.10', credentialId: 'mirai-001', isp: 'ISP-A', asn: 64500, status: 'weak' });
    // Named by model from the trusted list (supply), from the banner the survey saw.
    expect(findings[0].product).toMatchObject({ manufacturer: 'Example Vision', model: 'IPC 200', by: 'manufacturer+model' });
    expect((await get('/findings?isp=ISP-B', 'analyst')).json()[0].product).toBeNull();
    const isps = (await get('/isps', 'analyst')).json();
    expect(isps.map((i: { isp: string }) => i.isp).sort()).toEqual(['ISP-A', 'ISP-B']);
    const batches = (await get('/batches', 'analyst')).json();
    expect(batches[0]).toMatchObject({ isp: 'ISP-A', state: 'sent', items: 1 });
    const one = (await get(`/batches/${batches[0].id}`, 'analyst')).json();
    expect(one.rows[0]).toMatchObject({ address: '192.0.2.10', port: 23, findingType: 'weak-credential' });
    expect((await get('/batches/nope', 'analyst')).statusCode).toBe(404);
    const eff = (await get('/effectiveness', 'analyst')).json();
    expect(eff.overall).toMatchObject({ found: 2, notified: 1, stillWeak: 2 });
    expect((await get('/runs', 'analyst')).json()[0]).toMatchObject({ id: 'run-1', kind: 'survey' });
  });
});
