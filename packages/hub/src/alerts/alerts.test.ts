import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { createTestCommunity, type TestCommunity } from '../testing/community.js';
import { actorOf } from '../audit/log.js';
import { LOCAL_OPERATOR } from '../auth/principal.js';
import { addUser } from '../model/community.js';
import { createReport } from '../reports/lifecycle.js';
import type { Report } from '../reports/model.js';
import { addSubscription, setOnCall } from './subscriptions.js';
import { AlertDispatcher, ackPage, listDeadLetters, listPages, retryDeadLetter } from './dispatcher.js';
import { subscribeLive } from './live.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from './transports.js';

interface Hit { path: string; headers: Record<string, string | string[] | undefined>; body: string }

/** A webhook receiver on loopback: /ok answers 204, /fail answers 500. */
async function receiver(): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = req.url?.startsWith('/fail') ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

/** An SMTP sink on loopback (smtp-server), keeping every message. */
async function smtpSink(): Promise<{ port: number; mails: { to: string[]; data: string }[]; server: SMTPServer }> {
  const mails: { to: string[]; data: string }[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => { data += c.toString(); });
      // Bodies arrive quoted-printable (the scale's criteria have non-ASCII dashes): undo the soft breaks.
      stream.on('end', () => { mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data: data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) }); cb(); });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as AddressInfo).port, mails, server };
}

for (const backend of testBackends()) {
  describe(`alerts on ${backend.name}`, () => {
    let platform: Platform;
    let hub: HubContext;
    let c: TestCommunity;
    let web: Awaited<ReturnType<typeof receiver>>;
    let smtp: Awaited<ReturnType<typeof smtpSink>>;
    let dispatcher: AlertDispatcher;
    let clock = Date.UTC(2026, 3, 1);
    let secretB = '';
    beforeAll(async () => {
      web = await receiver();
      smtp = await smtpSink();
      platform = await openTestPlatform(backend);
      hub = hubContext(platform, {
        now: () => clock,
        config: {
          login: { maxFailures: 5, lockMs: 1000, sessionMs: 1000, scryptN: 1024 },
          alerts: { maxAttempts: 3, backoffMs: 1000, webhookTimeoutMs: 5000, allowInternalTargets: true, smtp: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'hub@mamori.test' } },
          paging: { minSeverity: 4, ackTimeoutMs: 60_000 },
        } as any,
      });
      c = await createTestCommunity(hub);
      dispatcher = new AlertDispatcher(hub);
      const sb = await addSubscription(hub, c.financeB.principal, actorOf(null), { channel: 'webhook', target: `${web.url}/ok/bank-b`, sectors: ['finance'], minSeverity: 2 });
      secretB = sb.secret!;
      await addSubscription(hub, c.gas.principal, actorOf(null), { channel: 'email', target: 'soc@gas.example.jp' });
      await addSubscription(hub, c.ministry.principal, actorOf(null), { channel: 'webhook', target: `${web.url}/fail/fsa` });
    });
    afterAll(async () => {
      await dispatcher?.stop();
      await platform?.close();
      web?.server.close();
      await new Promise<void>((r) => (smtp ? smtp.server.close(() => r()) : r()));
    });

    const submit = (by: TestCommunity[keyof Omit<TestCommunity, 'financeGroup'>], extra: Record<string, unknown>): Promise<Report> =>
      createReport(hub, by.principal, actorOf(by.principal), { sector: 'finance', affectedService: 'payments', cause: 'cyber-attack', severity: 3, title: 'DDoS on payments', submit: true, ...extra });

    it('sends signed webhooks and e-mail only to subscribers who may read the report', async () => {
      const amber = await submit(c.financeA, { tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] } });
      const clear = await submit(c.gas, { sector: 'gas', tlp: 'CLEAR', severity: 1, title: 'Gas SCADA scan' });
      await dispatcher.runOnce();
      const toB = web.hits.filter((h) => h.path === '/ok/bank-b');
      expect(toB).toHaveLength(1);
      const body = toB[0].body;
      expect(JSON.parse(body)).toMatchObject({ event: 'report.published', tlp: 'AMBER', report: { id: amber.id } });
      expect(verifyWebhookSignature(secretB, toB[0].headers[TIMESTAMP_HEADER] as string, body, toB[0].headers[SIGNATURE_HEADER] as string, { now: clock })).toBe(true);
      expect(verifyWebhookSignature(secretB, toB[0].headers[TIMESTAMP_HEADER] as string, body.replace('DDoS', 'DoS'), toB[0].headers[SIGNATURE_HEADER] as string, { now: clock })).toBe(false);
      // The gas operator gets the CLEAR gas report by e-mail, and never the finance AMBER one.
      expect(smtp.mails.map((m) => m.to)).toEqual([['soc@gas.example.jp']]);
      expect(smtp.mails[0].data).toContain('TLP:CLEAR');
      expect(smtp.mails[0].data).toContain(clear.id);
      expect(smtp.mails.some((m) => m.data.includes(amber.id))).toBe(false);
    });

    it('retries a failing webhook with backoff and then dead-letters it', async () => {
      const fails = (): number => web.hits.filter((h) => h.path === '/fail/fsa').length;
      const before = fails();
      expect(before).toBe(1); // the CLEAR report above: first attempt failed
      expect((await dispatcher.runOnce()).retried).toBe(0); // not due yet
      clock += 1000;
      expect((await dispatcher.runOnce()).retried).toBe(1);
      clock += 2000;
      expect((await dispatcher.runOnce()).dead).toBe(1);
      expect(fails()).toBe(3);
      const dead = await listDeadLetters(hub, c.ministry.principal);
      expect(dead).toHaveLength(1);
      expect(dead[0].lastError).toMatch(/HTTP 500/);
      await retryDeadLetter(hub, c.ministry.principal, actorOf(null), dead[0].id);
      expect((await dispatcher.runOnce()).retried).toBe(1);
    });

    it('pages the on-call list for severe reports and escalates until someone acknowledges', async () => {
      const second = await addUser(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), { orgId: c.coordinator.org.id, username: 'nisc-backup', roles: ['analyst'] });
      await setOnCall(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR), [
        { user: 'nisc-duty', channel: 'webhook', target: `${web.url}/ok/pager` },
        { user: second.id, channel: 'email', target: 'backup@nisc.example.jp' },
      ]);
      const severe = await submit(c.financeA, { tlp: 'AMBER', severity: 5, title: 'Nationwide payment outage' });
      const stats = await dispatcher.runOnce();
      expect(stats.paged).toBe(1);
      const pager = web.hits.filter((h) => h.path === '/ok/pager');
      expect(pager).toHaveLength(1);
      expect(JSON.parse(pager[0].body)).toMatchObject({ event: 'page', level: 0, report: { id: severe.id } });
      clock += 30_000;
      expect((await dispatcher.runOnce()).paged).toBe(0);
      clock += 31_000;
      expect((await dispatcher.runOnce()).paged).toBe(1);
      expect(smtp.mails.filter((m) => m.to.includes('backup@nisc.example.jp'))).toHaveLength(1);
      const [page] = await listPages(hub, c.coordinator.principal, 'open');
      await expect(ackPage(hub, c.financeA.principal, actorOf(null), page.id)).rejects.toMatchObject({ status: 403 });
      await ackPage(hub, c.coordinator.principal, actorOf(c.coordinator.principal), page.id);
      clock += 120_000;
      expect((await dispatcher.runOnce()).paged + (await dispatcher.runOnce()).exhausted).toBe(0);
      // Below the threshold nobody is paged.
      await submit(c.financeA, { tlp: 'AMBER', severity: 3 });
      expect((await dispatcher.runOnce()).paged).toBe(0);
    });

    it('refuses webhooks into loopback or private networks unless allowed', async () => {
      const strict = { ...hub, config: { ...hub.config, alerts: { ...hub.config.alerts, allowInternalTargets: false } } };
      for (const target of ['http://127.0.0.1:8080/x', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data', 'http://localhost/x', 'http://[::ffff:127.0.0.1]/x']) {
        await expect(addSubscription(strict, c.gas.principal, actorOf(null), { channel: 'webhook', target }), target).rejects.toMatchObject({ status: 400 });
      }
      await expect(addSubscription(strict, c.gas.principal, actorOf(null), { channel: 'webhook', target: 'https://soc.example.jp/hook' })).resolves.toHaveProperty('secret');
    });

    it('checks the resolved address at delivery: a webhook whose name resolves to loopback is not sent', async () => {
      const strict = { ...hub, config: { ...hub.config, alerts: { ...hub.config.alerts, allowInternalTargets: false } } };
      const port = new URL(web.url).port;
      // A public-looking name passes at subscription time; at delivery it resolves to the hub's loopback.
      const { subscription } = await addSubscription(strict, c.gas.principal, actorOf(null), { channel: 'webhook', target: `http://alerts.gas.example.jp:${port}/ok/rebound`, sectors: ['gas'] });
      const toLoopback = async (): Promise<{ address: string; family: 4 }[]> => [{ address: '127.0.0.1', family: 4 }];
      const strictDispatcher = new AlertDispatcher(strict, { resolveHost: toLoopback });
      await submit(c.gas, { sector: 'gas', tlp: 'CLEAR', severity: 1, title: 'Gas meter outage' });
      expect((await strictDispatcher.runOnce()).retried).toBeGreaterThanOrEqual(1);
      expect(web.hits.some((h) => h.path === '/ok/rebound')).toBe(false);
      const row = await hub.db.selectFrom('hub_outbox').select(['status', 'attempts', 'last_error']).where('subscription_id', '=', subscription.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error).toContain('resolves to the internal address 127.0.0.1');
      // Where the operator allows internal targets, the same name is delivered to the address it resolved to.
      clock += 60_000;
      await new AlertDispatcher(hub, { resolveHost: toLoopback }).runOnce();
      expect(web.hits.filter((h) => h.path === '/ok/rebound')).toHaveLength(1);
    });

    it('streams live reports through the bus, each through canRead', async () => {
      const gotB: string[] = [];
      const gotGas: string[] = [];
      const stopB = await subscribeLive(hub, c.financeB.principal, actorOf(c.financeB.principal), {}, (r) => gotB.push(r.id));
      const stopGas = await subscribeLive(hub, c.gas.principal, actorOf(c.gas.principal), {}, (r) => gotGas.push(r.id));
      const amber = await submit(c.financeA, { tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] } });
      const clear = await submit(c.financeA, { tlp: 'CLEAR' });
      for (let i = 0; i < 100 && (gotB.length < 2 || gotGas.length < 1); i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      await stopB();
      await stopGas();
      expect(gotB.sort()).toEqual([amber.id, clear.id].sort());
      expect(gotGas).toEqual([clear.id]);
    });
  });
}
