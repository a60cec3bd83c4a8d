/**
 * `mamori demo` end to end: the data set is built through the parts (rows in every part's
 * tables, users who can sign in, an advisory whose seal verifies), refused twice, and
 * `--remove` brings every table back to exactly what it held before — except the hub's
 * append-only audit log and the TSA's serial counter, which must never go back.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadConfig, openPlatform, testBackends, type Platform, type Store } from '@mamori/core';
import * as hub from '@mamori/hub';
import { FlowsStore } from '@mamori/flows';
import { listSummary } from '@mamori/supply';
import { openTrust, trustConfig, trustFiles } from '@mamori/trust';
import { runMamori } from '@mamori/testbed';
import { migrationSets } from '../parts.js';
import { buildDemo, demoStatus, removeDemo } from './index.js';

/** Tables whose rows may only grow or advance: the audit chain (its checkpoints and head) and the TSA serial blocks. */
const GROW_ONLY = new Set(['hub_audit', 'hub_audit_checkpoint', 'hub_audit_head', 'trust_tsa_serials']);

/** Every row of every mamori table (not the migrator's own), as sorted JSON lines per table. */
async function snapshot(store: Store): Promise<Record<string, string[]>> {
  const tables = await store.db.introspection.getTables();
  const schema = tables.find((t) => t.name === 'demo_object')!.schema;
  const out: Record<string, string[]> = {};
  for (const t of tables) {
    if (t.schema !== schema || t.isView || t.name.startsWith('kysely_') || GROW_ONLY.has(t.name)) continue;
    const rows = await store.db.selectFrom(t.name).selectAll().execute();
    out[t.name] = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('base64') : v))).sort();
  }
  return out;
}

const count = async (store: Store, table: string): Promise<number> =>
  Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(store.db)).rows[0].n);

async function checkAdvisory(platform: Platform, password: string): Promise<void> {
  const ctx = hub.hubContext(platform);
  const { principal } = await hub.login(ctx, hub.actorOf(hub.LOCAL_OPERATOR, '127.0.0.1'), { username: 'demo-admin', password });
  const actor = hub.actorOf(principal, '127.0.0.1');
  const feed = await hub.listReports(ctx, principal, actor, {});
  const advisory = feed.items.find((r) => r.title.startsWith('[demo] 注意喚起'))!;
  expect(advisory.tlp).toBe('CLEAR');
  const [info] = await hub.listAttachments(ctx, principal, actor, advisory.id);
  const { content } = await hub.getAttachment(ctx, principal, actor, info.id);
  const trust = openTrust({ config: platform.config, store: platform.store });
  const verdict = trust.verifyJws(JSON.parse(content.toString('utf8')));
  expect(verdict, verdict.reasons.join('; ')).toMatchObject({ valid: true, format: 'JAdES', level: 'T', chainTrusted: true });
  expect(verdict.timeStamp?.valid).toBe(true);
  // The advisory names the C&C servers the demo flows' detection ranked first.
  const { candidates } = await new FlowsStore(platform.store).candidates({ limit: 3 });
  expect(advisory.indicators.map((i) => i.value)).toEqual(candidates.map((c) => c.address));
  await trust.close();
}

/** The demo's trusted list has a history the half-year view can show: three half-years, each different. */
async function checkSupplyTrend(platform: Platform, now: number): Promise<void> {
  const at = (days: number) => now - days * 86_400_000;
  // Ends of ranges between the demo's events: before the camera is listed, after the home hub, after the suspension.
  expect(await listSummary(platform.store, { from: at(500), to: at(300) })).toEqual({ listed: 1, added: 1, openVulns: 2, criticalOpen: 1, productsWithVulns: 1, advisories: 1 });
  expect(await listSummary(platform.store, { from: at(300), to: at(40) })).toEqual({ listed: 3, added: 2, openVulns: 3, criticalOpen: 1, productsWithVulns: 3, advisories: 1 });
  expect(await listSummary(platform.store, { from: at(40), to: now + 1 })).toEqual({ listed: 2, added: 0, openVulns: 2, criticalOpen: 1, productsWithVulns: 2, advisories: 0 });
}

describe.each(testBackends())('demo on $name', (backend) => {
  let platform: Platform;
  afterAll(async () => platform?.close());

  it('builds through the parts, refuses a second run, and removal leaves every table as it was', async () => {
    platform = await backend.open({ migrations: migrationSets });
    (platform.config as { demo?: object }).demo = { farmNet: 202 }; // the CLI test below uses the default block
    const before = await snapshot(platform.store);
    const steps: string[] = [];
    const result = await buildDemo(platform, { onStep: (s) => steps.push(s) });
    expect(steps).toEqual(['telescope', 'survey', 'flows', 'supply', 'trust', 'hub']);
    expect(result.telescope.packets).toBeGreaterThan(10_000);
    expect(result.survey.findings).toBeGreaterThan(0);
    expect(result.survey.fixed).toBeGreaterThan(0);
    expect(result.flows.candidates).toBeGreaterThan(0);
    expect(result.supply).toEqual({ products: 3, vulnerabilities: 3, advisories: 2 });
    await checkSupplyTrend(platform, result.createdAt);
    for (const t of ['telescope_port_rollups', 'telescope_victims', 'survey_finding', 'survey_batch', 'flows_rollup', 'flows_candidate', 'flows_candidate_host', 'supply_product', 'supply_product_history', 'supply_sbom', 'supply_vuln', 'supply_advisory_sent', 'hub_org', 'hub_report', 'hub_attachment']) {
      expect(await count(platform.store, t), t).toBeGreaterThan(0);
    }
    expect(await demoStatus(platform.store)).toMatchObject({ present: true });
    await checkAdvisory(platform, result.users.find((u) => u.username === 'demo-admin')!.password);
    await expect(buildDemo(platform)).rejects.toMatchObject({ code: 'MAMORI_DEMO_PRESENT' });

    const auditBefore = await count(platform.store, 'hub_audit');
    const removed = await removeDemo(platform);
    expect(removed.removed).toMatchObject({ 'hub-org': 4, 'hub-user': 4, 'survey-run': 2, 'trust-keys': 1 });
    expect(await snapshot(platform.store)).toEqual(before);
    expect(await count(platform.store, 'hub_audit')).toBe(auditBefore);
    expect(existsSync(trustFiles(trustConfig(platform.config).dir, 'seal').key)).toBe(false);
    expect(await removeDemo(platform)).toEqual({ removed: {} });
  }, 240_000);
});

describe('mamori demo (CLI process, SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-demo-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const mamori = (...args: string[]) => runMamori(['--data', dir, '--quiet', ...args], {}, 200_000);

  it('loads, reports its status, refuses twice, and --remove leaves no demo rows', async () => {
    expect((await mamori('migrate')).code).toBe(0);
    const config = loadConfig({ overrides: { dataDir: dir } });
    const read = async <T>(f: (p: Platform) => Promise<T>): Promise<T> => {
      const p = await openPlatform(config, { migrations: migrationSets });
      try { return await f(p); } finally { await p.close(); }
    };
    const before = await read((p) => snapshot(p.store));

    const loaded = await mamori('--json', 'demo');
    expect(loaded.code, loaded.stderr).toBe(0);
    const result = JSON.parse(loaded.stdout);
    expect(result.users.map((u: { username: string }) => u.username)).toEqual(['demo-admin', 'demo-secretariat', 'demo-operator', 'demo-railway']);
    expect(JSON.parse((await mamori('--json', 'demo', '--status')).stdout)).toMatchObject({ present: true, counts: { 'hub-org': 4 } });
    const twice = await mamori('demo');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('MAMORI_DEMO_PRESENT');

    const removed = await mamori('--json', 'demo', '--remove');
    expect(removed.code, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout).removed['hub-report']).toBe(4);
    expect(JSON.parse((await mamori('--json', 'demo', '--status')).stdout)).toEqual({ present: false, createdAt: null, counts: {} });
    expect(await read((p) => snapshot(p.store))).toEqual(before);
  }, 300_000);
});
