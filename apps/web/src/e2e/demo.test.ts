/**
 * The empty platform's first look in a real browser: an admin signs in, loads the demo from
 * the overview's button (POST /api/demo, built through the parts), sees the [demo] banner
 * and the darknet data and every half-year measure it feeds, then removes it from the banner
 * and the platform is empty again.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import * as hub from '@mamori/hub';
import { demoStatus } from '@mamori/server';
import { ARTIFACTS, AXE_SCRIPT, CHROMIUM, CONTEXT_OPTIONS, ensureBundle, launchBrowser, startServer, type RunningServer } from './harness.js';

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)('demo data from the dashboard', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const password = 'demo loader passphrase 2026';
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ensureBundle();
    server = await startServer();
    // The farm's loopback block of its own: other demo tests may run at the same time.
    (server.platform.config as { demo?: object }).demo = { farmNet: 203 };
    const ctx = hub.hubContext(server.platform);
    const actor = hub.actorOf(hub.LOCAL_OPERATOR, '127.0.0.1');
    const org = await hub.addOrg(ctx, hub.LOCAL_OPERATOR, actor, { name: 'NISC', role: 'coordinator' });
    await hub.addUser(ctx, hub.LOCAL_OPERATOR, actor, { orgId: org.id, username: 'admin1', roles: ['admin', 'analyst'], password });
    browser = await launchBrowser();
    page = await (await browser.newContext(CONTEXT_OPTIONS)).newPage();
    // Generous: the machine may be loaded by other suites; nothing here measures time.
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => errors.push(String(e)));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the demo from the empty overview, labels it, shows it, and removes it', async () => {
    await page.goto(server.base + '/');
    await page.getByLabel('ユーザー名またはメールアドレス').fill('admin1');
    await page.getByLabel('パスワード', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    const load = page.getByTestId('demo-load');
    await load.waitFor();
    await load.click();
    await page.getByTestId('demo-users').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('demo-users').textContent()).toContain('demo-secretariat');
    await page.getByTestId('demo-banner').waitFor();
    expect(await page.getByTestId('demo-banner').textContent()).toContain('mamori demo --remove');
    await page.evaluate(readFileSync(AXE_SCRIPT, 'utf8'));
    const serious = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run(d: Document): Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe.run(document);
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(serious).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-loaded.png'), fullPage: true });

    await page.locator('nav.main-nav a[href="/telescope"]').click();
    const topPorts = page.locator('#top-ports-h').locator('xpath=..');
    await topPorts.locator('table tbody tr').first().waitFor();
    expect(await topPorts.textContent()).toContain('23/tcp');
    await page.locator('nav.main-nav a[href="/hub"]').click();
    await page.getByText('[demo] 注意喚起', { exact: false }).first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'demo-hub.png'), fullPage: true });

    // Effectiveness: every measure the demo feeds has its half-years; the trusted list's year of history shows as at least three.
    await page.locator('nav.main-nav a[href="/effectiveness"]').click();
    for (const measure of ['telescope', 'hub', 'flows', 'supply']) {
      await page.locator(`#measure-${measure}-h`).locator('xpath=..').locator('table tbody tr').first().waitFor();
    }
    const supplyHead = page.locator('#measure-supply-h').locator('xpath=..').locator('table thead th');
    expect(await supplyHead.count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#measure-flows-h').locator('xpath=..').textContent()).toContain('検知した C&C サーバー候補');
    await page.waitForFunction(() => document.querySelectorAll('.state-loading').length === 0);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-effectiveness.png'), fullPage: true });

    await page.getByTestId('demo-banner').getByRole('button', { name: 'デモデータを削除' }).click();
    await page.getByTestId('demo-banner').waitFor({ state: 'detached', timeout: 60_000 });
    expect((await demoStatus(server.platform.store)).present).toBe(false);
    expect(errors).toEqual([]);
  }, 300_000);
});
