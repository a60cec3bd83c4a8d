/**
 * The no-leak matrix: eight reports covering every TLP level and sharing shape, seven
 * principals, every read path. Expected audiences are written out by hand (not derived from
 * canRead), so a wrong rule or a path that skips it fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { createTestCommunity, type TestCommunity, type TestMember } from '../testing/community.js';
import { actorOf } from '../audit/log.js';
import { createReport, getReport, reportHistory } from './lifecycle.js';
import { exportReports, listReports, listReportsJson, searchReports, dashboardSummary } from './feed.js';
import { addAttachment, addComment, getAttachment, listAttachments, listComments } from './discussion.js';
import type { Report } from './model.js';

type Who = 'coordinator' | 'financeA' | 'financeAReader' | 'financeB' | 'financeSec' | 'gas' | 'ministry';
const WHO: Who[] = ['coordinator', 'financeA', 'financeAReader', 'financeB', 'financeSec', 'gas', 'ministry'];

for (const backend of testBackends()) {
  describe(`no read path leaks on ${backend.name}`, () => {
    let platform: Platform;
    let hub: HubContext;
    let c: TestCommunity;
    const cases: { name: string; report: Report; sees: Who[] }[] = [];
    const hiddenComment: { reportId: string; commentId: string } = { reportId: '', commentId: '' };

    beforeAll(async () => {
      platform = await openTestPlatform(backend);
      hub = hubContext(platform, { config: { login: { maxFailures: 5, lockMs: 1000, sessionMs: 1000, scryptN: 1024 } } as any });
      c = await createTestCommunity(hub);
      const a = c.financeA;
      const base = { sector: 'finance', affectedService: 'internet banking', cause: 'cyber-attack', severity: 2, description: 'zebra pattern seen', submit: true };
      const add = async (name: string, extra: Record<string, unknown>, sees: Who[], by: TestMember = a): Promise<void> => {
        const report = await createReport(hub, by.principal, actorOf(by.principal, '127.0.0.1'), {
          ...base, title: `case ${name}`, indicators: [{ type: 'ipv4', value: '198.51.100.7' }, { type: 'domain', value: `${name.replace(/[^a-z]/gi, '').toLowerCase()}.example.jp` }], ...extra,
        });
        await addComment(hub, by.principal, actorOf(by.principal), report.id, { body: `comment on ${name}` });
        await addAttachment(hub, by.principal, actorOf(by.principal), report.id, { filename: `${name}.txt`, mediaType: 'text/plain', content: Buffer.from(`evidence ${name}`) });
        cases.push({ name, report, sees });
      };
      await add('clear', { tlp: 'CLEAR' }, WHO);
      await add('green-finance', { tlp: 'GREEN', sharing: { scope: 'restricted', sectors: ['finance'] } }, ['coordinator', 'financeA', 'financeAReader', 'financeB', 'financeSec']);
      await add('amber-finance', { tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] } }, ['coordinator', 'financeA', 'financeAReader', 'financeB', 'financeSec']);
      await add('amber-community', { tlp: 'AMBER' }, ['coordinator', 'financeA', 'financeAReader']);
      await add('amber-strict', { tlp: 'AMBER+STRICT', sharing: { scope: 'restricted', sectors: ['finance'], orgIds: [c.ministry.org.id] } }, ['coordinator', 'financeA', 'financeAReader', 'ministry']);
      await add('red', { tlp: 'RED', recipients: { userIds: [c.coordinator.userId] } }, ['coordinator', 'financeA']);
      await add('draft', { tlp: 'GREEN', submit: false }, ['financeA', 'financeAReader']);
      await add('amber-group', { tlp: 'AMBER', route: 'secretariat', sharing: { scope: 'restricted', groupIds: [c.financeGroup.id] } }, ['financeA', 'financeAReader', 'financeB', 'financeSec']);
      // A RED comment on the CLEAR report, for the coordinator only.
      const clear = cases[0].report;
      const red = await addComment(hub, c.financeA.principal, actorOf(c.financeA.principal), clear.id, { body: 'secret detail', tlp: 'RED', recipients: { userIds: [c.coordinator.userId] } });
      Object.assign(hiddenComment, { reportId: clear.id, commentId: red.id });
    });
    afterAll(() => platform?.close());

    const expected = (who: Who): string[] => cases.filter((k) => k.sees.includes(who)).map((k) => k.report.id).sort();
    const ids = (rs: { id: string }[]): string[] => rs.map((r) => r.id).sort();

    for (const who of WHO) {
      it(`${who}: item, history, comments and attachments`, async () => {
        const m = c[who];
        const actor = actorOf(m.principal, '127.0.0.1');
        for (const k of cases) {
          const visible = k.sees.includes(who);
          if (visible) {
            expect((await getReport(hub, m.principal, actor, k.report.id)).id).toBe(k.report.id);
            expect((await reportHistory(hub, m.principal, actor, k.report.id)).length).toBeGreaterThan(0);
            expect((await listComments(hub, m.principal, actor, k.report.id)).map((x) => x.body)).toContain(`comment on ${k.name}`);
            const atts = await listAttachments(hub, m.principal, actor, k.report.id);
            expect(atts).toHaveLength(1);
            expect((await getAttachment(hub, m.principal, actor, atts[0].id)).content.toString()).toBe(`evidence ${k.name}`);
          } else {
            await expect(getReport(hub, m.principal, actor, k.report.id)).rejects.toMatchObject({ status: 404 });
            await expect(reportHistory(hub, m.principal, actor, k.report.id)).rejects.toMatchObject({ status: 404 });
            await expect(listComments(hub, m.principal, actor, k.report.id)).rejects.toMatchObject({ status: 404 });
            await expect(listAttachments(hub, m.principal, actor, k.report.id)).rejects.toMatchObject({ status: 404 });
          }
        }
      });

      it(`${who}: feed (paged), search, export and dashboard`, async () => {
        const m = c[who];
        const actor = actorOf(m.principal, '127.0.0.1');
        const seen: Report[] = [];
        let cursor: string | undefined;
        do {
          const page = await listReports(hub, m.principal, actor, { limit: 3, cursor });
          seen.push(...page.items);
          cursor = page.next ?? undefined;
        } while (cursor);
        expect(ids(seen)).toEqual(expected(who));
        expect(new Set(ids(seen)).size).toBe(seen.length);
        // The page PostgreSQL builds as JSON text (the REST feed there): the same items, recipients view and pages.
        const fromJson: Report[] = [];
        const reads = async (): Promise<number> => (await hub.db.selectFrom('hub_audit').select('seq').where('action', '=', 'read').where('user_id', '=', m.userId).execute()).length;
        const readsBefore = await reads();
        let jsonPages = 0;
        cursor = undefined;
        do {
          const text = await listReportsJson(hub, m.principal, actor, { limit: 3, cursor });
          if (text === null) break;
          const page = JSON.parse(text) as { items: Report[]; next: string | null };
          fromJson.push(...page.items);
          cursor = page.next ?? undefined;
          if (page.items.some((r) => r.tlp !== 'CLEAR' && r.tlp !== 'GREEN')) jsonPages++;
        } while (cursor);
        if (backend.name.startsWith('postgres')) {
          expect(fromJson).toEqual(JSON.parse(JSON.stringify(seen)));
          expect(await reads()).toBe(readsBefore + jsonPages);
        } else {
          expect(fromJson).toEqual([]);
        }
        expect(ids((await searchReports(hub, m.principal, actor, { q: 'ZEBRA' })).items)).toEqual(expected(who));
        expect(ids((await searchReports(hub, m.principal, actor, { indicator: '198.51.100.7' })).items)).toEqual(expected(who));
        expect(ids(JSON.parse(await exportReports(hub, m.principal, actor, {}, 'json')))).toEqual(expected(who));
        const csv = await exportReports(hub, m.principal, actor, {}, 'csv');
        for (const k of cases) expect(csv.includes(`case ${k.name}"`)).toBe(k.sees.includes(who));
        expect((await dashboardSummary(hub, m.principal, 0)).total).toBe(expected(who).length);
      });
    }

    it('hides a RED comment from everyone but its named reader', async () => {
      const forCoord = await listComments(hub, c.coordinator.principal, actorOf(null), hiddenComment.reportId);
      expect(forCoord.map((x) => x.id)).toContain(hiddenComment.commentId);
      for (const who of ['financeB', 'gas', 'ministry', 'financeAReader'] as Who[]) {
        const list = await listComments(hub, c[who].principal, actorOf(null), hiddenComment.reportId);
        expect(list.map((x) => x.id)).not.toContain(hiddenComment.commentId);
      }
    });

    it('audits every read of AMBER and RED material', async () => {
      const red = cases.find((k) => k.name === 'red')!.report;
      const before = await hub.db.selectFrom('hub_audit').select('seq').where('action', '=', 'read').where('object_id', '=', red.id).execute();
      await getReport(hub, c.coordinator.principal, actorOf(c.coordinator.principal, '192.0.2.9'), red.id);
      const after = await hub.db.selectFrom('hub_audit').selectAll().where('action', '=', 'read').where('object_id', '=', red.id).execute();
      expect(after.length).toBe(before.length + 1);
      expect(after[after.length - 1]).toMatchObject({ user_id: c.coordinator.userId, ip: '192.0.2.9', tlp: 'RED' });
      const clear = cases[0].report;
      await getReport(hub, c.gas.principal, actorOf(c.gas.principal), clear.id);
      expect(await hub.db.selectFrom('hub_audit').select('seq').where('action', '=', 'read').where('object_id', '=', clear.id).execute()).toHaveLength(0);
    });
  });
}
