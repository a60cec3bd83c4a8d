/**
 * The notification cycle on both back ends, against a small farm: survey → findings by ISP →
 * batch (CSV/JSON) → sent → the owner fixes one device → re-survey marks it fixed, keeps the
 * other weak, and leaves an unreachable one alone → effectiveness indicators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { startFarm, type DeviceSpec, type Farm } from '@mamori/testbed';
import { SurveyScope } from '../scope/scope.js';
import { runSurvey } from '../scheduler.js';
import { defaultDictionary } from '../credentials.js';
import { parseIp2Asn } from '../attribution/ip2asn.js';
import { surveyMigrations } from './migrations.js';
import {
  batchRows, listBatches, listFindings, listRuns, listWeakDevices, prepareBatch, recordRun, resurveyTargets, setBatchState,
} from './survey-store.js';
import { notificationCsv, notificationJson } from '../report/notify.js';
import { effectiveness } from '../report/effectiveness.js';

const dict = defaultDictionary();
const weak = (id: string): { username: string; password: string }[] => {
  const p = dict.pairs.find((x) => x.id === id)!;
  return [{ username: p.username, password: p.password }];
};
const ip2asn = [
  '127.44.0.0\t127.44.0.127\t64500\tJP\tISP-A',
  '127.44.0.128\t127.44.0.255\t64501\tJP\tISP-B',
].join('\n');
const attribution = parseIp2Asn(ip2asn);
const scope = SurveyScope.fromText('127.44.0.0/24');
const options = { scope, ports: [2324, 8081], pairs: dict.pairs.slice(0, 12), concurrency: 64, timeouts: { bannerMs: 800, replyMs: 2000 } };

let farm: Farm;
const devices: DeviceSpec[] = [
  { kind: 'telnet', address: '127.44.0.1', port: 2324, credentials: weak('mirai-001') },
  { kind: 'http', address: '127.44.0.2', port: 8081, credentials: weak('mirai-004'), auth: 'basic' },
  { kind: 'telnet', address: '127.44.0.130', port: 2324, credentials: weak('mirai-010'), banner: 'Hikvision' },
];

beforeAll(async () => {
  farm = await startFarm(devices);
});
afterAll(async () => {
  await farm?.close();
});

describe.each(testBackends())('survey store on $name', (backend) => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await backend.open({ migrations: [surveyMigrations] });
  });
  afterAll(async () => {
    await platform?.close();
  });

  it('runs the notification cycle and measures its effect', async () => {
    const { store } = platform;
    const first = await runSurvey(options);
    expect(first.findings).toHaveLength(3);
    expect(await recordRun(store, first, { attribution, scope: ['127.44.0.0/24'] })).toMatchObject({ newFindings: 3 });

    const a = await listFindings(store, { isp: 'ISP-A' });
    expect(a.map((f) => f.address).sort()).toEqual(['127.44.0.1', '127.44.0.2']);
    expect(a[0]).toMatchObject({ asn: 64500, status: 'weak', credentialId: 'mirai-001' });
    expect(JSON.stringify(a)).not.toContain('xc3511');
    expect((await listWeakDevices(store, { isp: 'ISP-B' }))[0]).toMatchObject({ address: '127.44.0.130', protocol: 'telnet', banner: expect.stringContaining('Hikvision') });

    const t0 = Date.UTC(2026, 9, 5);
    const batch = (await prepareBatch(store, 'ISP-A', t0))!;
    expect(batch).toMatchObject({ isp: 'ISP-A', state: 'prepared', items: 2 });
    expect(await prepareBatch(store, 'ISP-A', t0)).toBeNull(); // nothing left to notify
    const rows = await batchRows(store, batch.id);
    const csv = notificationCsv(rows);
    expect(csv.split('\r\n')[0]).toBe('address,port,protocol,first_seen,last_seen,finding_type,evidence_time');
    expect(csv).toContain('127.44.0.1,2324,telnet,');
    expect(JSON.parse(notificationJson(batch, rows)).devices).toHaveLength(2);
    await expect(setBatchState(store, batch.id, 'acknowledged')).rejects.toMatchObject({ code: 'MAMORI_SURVEY_BATCH_STATE' });
    await setBatchState(store, batch.id, 'sent', t0 + 1000);

    // The subscriber fixes the telnet device; the HTTP device is switched off; ISP-B's device stays weak.
    devices[0].credentials = [{ username: 'root', password: 'now-a-long-random-one' }];
    const httpFarm = devices[1];
    await farm.close();
    farm = await startFarm(devices.filter((d) => d !== httpFarm));
    const targets = await resurveyTargets(store);
    expect(targets).toHaveLength(3);
    const second = await runSurvey({ ...options, targets });
    const summary = await recordRun(store, second, { kind: 'resurvey', attribution });
    expect(summary).toEqual({ newFindings: 0, stillWeak: 1, fixed: 1, unreachable: 1 });
    await setBatchState(store, batch.id, 'acknowledged');
    expect((await listBatches(store))[0]).toMatchObject({ state: 'acknowledged', sentAt: t0 + 1000 });

    const fixed = await listFindings(store, { status: 'fixed' });
    expect(fixed.map((f) => f.address)).toEqual(['127.44.0.1']);
    const eff = await effectiveness(store);
    expect(eff.overall).toMatchObject({ found: 3, notified: 2, fixed: 1, stillWeak: 2, fixedAfterNotice: 1, fixRate: 0.5 });
    expect(eff.byIsp.find((i) => i.isp === 'ISP-B')).toMatchObject({ found: 1, notified: 0, fixed: 0, stillWeak: 1, fixRate: null });
    expect(eff.overall.medianDaysToFix).toBeGreaterThan(0);
    expect(eff.months.length).toBeGreaterThanOrEqual(1);
    expect((await listRuns(store)).map((r) => r.kind).sort()).toEqual(['resurvey', 'survey']);

    // restore for the next back end
    devices[0].credentials = weak('mirai-001');
    await farm.close();
    farm = await startFarm(devices);
  });
});
