import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { createTestCommunity, type TestCommunity } from '../testing/community.js';
import { actorOf, verifyAudit } from '../audit/log.js';
import { createReport, getReport, relayReport, reportHistory, reportReceipts, submitReport, transitionReport, updateReportFields } from './lifecycle.js';
import { addAttachment } from './discussion.js';
import { listReports } from './feed.js';
import { parseReportFields } from './model.js';

const INJECTIONS = ["'; drop table hub_report; --", '<script>alert(1)</script>', '${7*7}', '\' OR 1=1 --', '%_\\', '=HYPERLINK("http://x")', '../../etc/passwd', '\u202eevil'];

for (const backend of testBackends()) {
  describe(`report lifecycle on ${backend.name}`, () => {
    let platform: Platform;
    let hub: HubContext;
    let c: TestCommunity;
    beforeAll(async () => {
      platform = await openTestPlatform(backend);
      hub = hubContext(platform, { config: { attachmentLimit: 1024, textLimit: 5000, login: { maxFailures: 5, lockMs: 1000, sessionMs: 1000, scryptN: 1024 } } as any });
      c = await createTestCommunity(hub);
    });
    afterAll(() => platform?.close());
    const base = { sector: 'finance', affectedService: 'ATM network', cause: 'failure', severity: 3, title: 'ATM outage', description: 'Bank A ATMs in Kanto stopped at 09:10', tlp: 'AMBER' };

    it('goes draft → submitted → relayed (anonymised) → under analysis → closed, with history and receipts', async () => {
      const a = c.financeA;
      const draft = await createReport(hub, a.principal, actorOf(a.principal), { ...base, route: 'secretariat', timeline: [{ at: '2026-01-01T00:10:00Z', text: 'outage detected by bank-a' }] });
      expect(draft.status).toBe('draft');
      await expect(getReport(hub, c.financeSec.principal, actorOf(null), draft.id)).rejects.toMatchObject({ status: 404 });
      const sub = await submitReport(hub, a.principal, actorOf(a.principal), draft.id);
      expect(sub).toMatchObject({ status: 'submitted', recipients: { orgIds: [c.financeSec.org.id] } });
      await expect(submitReport(hub, a.principal, actorOf(a.principal), draft.id)).rejects.toMatchObject({ code: 'MAMORI_HUB_STATE' });

      // The secretariat must review, and its edit must not name the reporter.
      const sec = c.financeSec;
      const to = { orgIds: [c.ministry.org.id, c.coordinator.org.id], sectors: ['gas'] };
      await expect(relayReport(hub, sec.principal, actorOf(sec.principal), sub.id, { reviewed: false, to } as any)).rejects.toMatchObject({ status: 400 });
      await expect(relayReport(hub, sec.principal, actorOf(sec.principal), sub.id, { reviewed: true, to, timeline: [] })).rejects.toMatchObject({ code: 'MAMORI_HUB_RELAY_IDENTITY', details: { field: 'description' } });
      await expect(relayReport(hub, sec.principal, actorOf(sec.principal), sub.id, { reviewed: true, to, description: 'A bank\'s ATMs stopped', timeline: [{ at: 1, text: 'seen by BANK-A staff' }] })).rejects.toMatchObject({ details: { field: 'timeline[0].text' } });
      await expect(relayReport(hub, c.financeB.principal, actorOf(null), sub.id, { reviewed: true, to })).rejects.toMatchObject({ status: 404 });
      await expect(relayReport(hub, sec.principal, actorOf(sec.principal), sub.id, { reviewed: true, to, description: 'x', tlp: 'GREEN', timeline: [] })).resolves.toMatchObject({ relayed: { tlp: 'AMBER' } });
      const { relayed, source } = await relayReport(hub, sec.principal, actorOf(sec.principal), sub.id, { reviewed: true, to, description: 'A bank\'s ATMs in eastern Japan stopped at 09:10', timeline: [], tlp: 'AMBER+STRICT' });
      expect(source.status).toBe('relayed');
      expect(relayed).toMatchObject({ ownerOrgId: sec.org.id, authorUserId: sec.userId, anonymised: true, tlp: 'AMBER+STRICT' });

      // The ministry sees the copy, not the original, and nothing in it names Bank A.
      const seen = await getReport(hub, c.ministry.principal, actorOf(null), relayed.id);
      expect(JSON.stringify(seen)).not.toMatch(/bank[ -]?a|Bank A|bank-a/i);
      expect(JSON.stringify(seen)).not.toContain(a.org.id);
      expect(JSON.stringify(seen)).not.toContain(a.userId);
      await expect(getReport(hub, c.ministry.principal, actorOf(null), sub.id)).rejects.toMatchObject({ status: 404 });
      // AMBER+STRICT: listed sectors do not widen it, so the gas operator does not get it.
      await expect(getReport(hub, c.gas.principal, actorOf(null), relayed.id)).rejects.toMatchObject({ status: 404 });

      // The reporter sees who received what and when.
      const receipts = await reportReceipts(hub, a.principal, actorOf(a.principal), sub.id);
      expect(receipts.filter((r) => r.via === 'route').map((r) => r.recipientOrgName)).toEqual(['Finance CEPTOAR']);
      const relayedTo = receipts.filter((r) => r.via === 'relay' && r.deliveredReportId === relayed.id).map((r) => r.recipientOrgName).sort();
      // Gas was listed, but AMBER+STRICT does not widen to sectors: its receipt would be a lie.
      expect(relayedTo).toEqual(['FSA', 'NISC']);
      await expect(reportReceipts(hub, c.financeB.principal, actorOf(null), sub.id)).rejects.toMatchObject({ status: 404 });

      const analysed = await transitionReport(hub, sec.principal, actorOf(sec.principal), sub.id, 'under-analysis');
      await expect(transitionReport(hub, a.principal, actorOf(a.principal), sub.id, 'closed')).rejects.toMatchObject({ status: 403 });
      await transitionReport(hub, sec.principal, actorOf(sec.principal), sub.id, 'closed');
      await expect(transitionReport(hub, sec.principal, actorOf(sec.principal), sub.id, 'under-analysis')).rejects.toMatchObject({ code: 'MAMORI_HUB_STATE' });
      expect(analysed.version).toBeGreaterThan(sub.version);
      const hist = await reportHistory(hub, a.principal, actorOf(a.principal), sub.id);
      expect(hist.map((h) => h.action)).toEqual(['create', 'submit', 'relay', 'relay', 'under-analysis', 'closed']);
      expect((await verifyAudit(hub)).ok).toBe(true);
    });

    it('routes straight to the coordinator; only the originator loosens TLP; versions conflict', async () => {
      const a = c.financeA;
      const r = await createReport(hub, a.principal, actorOf(a.principal), { ...base, submit: true });
      expect(r.recipients.orgIds).toEqual([c.coordinator.org.id]);
      await expect(updateReportFields(hub, c.coordinator.principal, actorOf(null), r.id, { tlp: 'GREEN' })).rejects.toMatchObject({ status: 403 });
      const loosened = await updateReportFields(hub, a.principal, actorOf(a.principal), r.id, { tlp: 'GREEN', expectedVersion: r.version });
      expect(loosened.tlp).toBe('GREEN');
      await expect(updateReportFields(hub, a.principal, actorOf(a.principal), r.id, { severity: 4, expectedVersion: r.version })).rejects.toMatchObject({ status: 409 });
      await expect(createReport(hub, a.principal, actorOf(null), { ...base, tlp: 'RED', submit: true })).rejects.toMatchObject({ details: { field: 'recipients.userIds' } });
    });

    it('refuses readers, read-only tokens and other sectors\' writers, writing nothing', async () => {
      const count = async (): Promise<number> => Number((await hub.db.selectFrom('hub_report').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      await expect(createReport(hub, c.financeAReader.principal, actorOf(null), base)).rejects.toMatchObject({ status: 403 });
      await expect(createReport(hub, { ...c.financeA.principal, scopes: ['read'] }, actorOf(null), base)).rejects.toMatchObject({ status: 403 });
      const r = await createReport(hub, c.financeA.principal, actorOf(null), { ...base, submit: true, tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] } });
      await expect(updateReportFields(hub, c.gas.principal, actorOf(null), r.id, { title: 'mine now' })).rejects.toMatchObject({ status: 404 });
      await expect(updateReportFields(hub, c.financeB.principal, actorOf(null), r.id, { title: 'mine now' })).rejects.toMatchObject({ status: 403 });
      expect(await count()).toBe(before + 1);
    });

    it('stores injection strings verbatim and finds them only as text', async () => {
      for (const s of INJECTIONS) {
        const r = await createReport(hub, c.gas.principal, actorOf(null), { ...base, sector: 'gas', title: s, description: s, affectedService: s.slice(0, 200) || 'x', submit: true, tlp: 'CLEAR' });
        expect((await getReport(hub, c.ministry.principal, actorOf(null), r.id)).title).toBe(s);
        const found = await listReports(hub, c.ministry.principal, actorOf(null), { q: s, limit: 200 });
        expect(found.items.map((x) => x.title)).toContain(s);
        expect(found.items.every((x) => x.title.toLowerCase().includes(s.toLowerCase()) || x.description.toLowerCase().includes(s.toLowerCase()) || x.affectedService.toLowerCase().includes(s.toLowerCase()))).toBe(true);
      }
      await expect(createReport(hub, c.gas.principal, actorOf(null), { ...base, title: 'a\u0000b' })).rejects.toMatchObject({ status: 400, details: { field: 'title' } });
    });

    it('limits attachment size and keeps its SHA-256', async () => {
      const r = await createReport(hub, c.gas.principal, actorOf(null), { ...base, sector: 'gas', submit: true });
      await expect(addAttachment(hub, c.gas.principal, actorOf(null), r.id, { filename: 'big.bin', content: Buffer.alloc(1025) })).rejects.toMatchObject({ status: 413 });
      await expect(addAttachment(hub, c.gas.principal, actorOf(null), r.id, { filename: '../x', content: Buffer.alloc(1) })).rejects.toMatchObject({ status: 400 });
      const att = await addAttachment(hub, c.gas.principal, actorOf(null), r.id, { filename: 'log.txt', content: Buffer.from('abc') });
      expect(att.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });
  });
}

describe('report input parsing', () => {
  it('answers any input with a result or a MamoriError naming the field', () => {
    fc.assert(fc.property(fc.anything(), (v) => {
      try { parseReportFields(v, 1000, false); } catch (e) { expect((e as Error).name).toBe('MamoriError'); }
      try { parseReportFields(v, 1000, true); } catch (e) { expect((e as Error).name).toBe('MamoriError'); }
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('sector', 'severity', 'title', 'indicators', 'timeline', 'sharing', 'tlp', 'cause', 'occurredAt'), fc.anything()), (v) => {
      try { parseReportFields(v, 1000, true); } catch (e) { expect((e as Error).name).toBe('MamoriError'); expect((e as any).details.field).toBeTruthy(); }
    }), { numRuns: 2000 });
  });
});
