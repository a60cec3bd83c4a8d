import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testBackends, type Platform } from '@mamori/core';
import { openTestPlatform } from '../testing/platform.js';
import { hubContext, type HubContext } from '../context.js';
import { LOCAL_OPERATOR } from '../auth/principal.js';
import { addOrg } from '../model/community.js';
import { actorOf, auditReads, checkpointNow, verifyAudit } from './log.js';

for (const backend of testBackends()) {
  describe(`audit log on ${backend.name}`, () => {
    let platform: Platform;
    let hub: HubContext;
    const stamped: string[] = [];
    beforeAll(async () => {
      platform = await openTestPlatform(backend);
      hub = hubContext(platform, {
        config: { audit: { checkpointEvery: 4 } } as any,
        // A stand-in stamper: records what it was asked to stamp and answers a token naming it.
        stampCheckpoint: async (hash) => { stamped.push(hash); return { kind: 'test', token: `stamp:${hash}` }; },
      });
      for (let i = 0; i < 10; i++) await addOrg(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR, '127.0.0.1'), { name: `org ${i}`, role: 'isp' });
    });
    afterAll(() => platform?.close());

    it('chains every write, checkpoints every N entries and stamps the checkpoints', async () => {
      const cp = await checkpointNow(hub);
      const v = await verifyAudit(hub, { verifyStamp: async (hash, kind, token) => kind === 'test' && token === `stamp:${hash}` });
      expect(v).toMatchObject({ ok: true, entries: 10, checkpoints: 3, stampedCheckpoints: 3, head: cp });
      expect(stamped).toHaveLength(3);
    });

    it('keeps one unbroken chain when writes append concurrently (the head row serialises them)', async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => addOrg(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR, '127.0.0.1'), { name: `racing org ${i}`, role: 'isp' })));
      const v = await verifyAudit(hub);
      expect(v).toMatchObject({ ok: true, entries: 22 });
      const head = await hub.db.selectFrom('hub_audit_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
      expect({ seq: Number(head.seq), hash: head.hash }).toEqual(v.head);
    });

    it('records every AMBER read from two servers in the same chain while writes append beside them', async () => {
      // Two contexts on one database stand for two servers: each remembers its own chain head,
      // so the other's appends and the writes make its next read-audit append find the head moved.
      const other = hubContext(platform, { config: { audit: { checkpointEvery: 4 } } as any });
      const reads = Array.from({ length: 30 }, (_, i) => auditReads(i % 2 ? hub : other, actorOf(LOCAL_OPERATOR, '127.0.0.1'), 'report', [{ id: `read-${i}`, tlp: i % 3 ? 'AMBER' : 'RED' }, { id: `clear-${i}`, tlp: 'CLEAR' }], 'feed'));
      const writes = Array.from({ length: 4 }, (_, i) => addOrg(hub, LOCAL_OPERATOR, actorOf(LOCAL_OPERATOR, '127.0.0.1'), { name: `org during reads ${i}`, role: 'isp' }));
      await Promise.all([...reads, ...writes]);
      const v = await verifyAudit(hub);
      expect(v).toMatchObject({ ok: true, entries: 22 + 30 + 4 });
      const logged = await hub.db.selectFrom('hub_audit').select(['detail', 'tlp']).where('action', '=', 'read').execute();
      expect(logged.flatMap((r) => JSON.parse(r.detail).ids).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `read-${i}`).sort());
      expect(logged.filter((r) => r.tlp === 'RED')).toHaveLength(10);
      await expect(hub.db.selectFrom('hub_audit_checkpoint').select('seq').where('seq', '>', 22).execute()).resolves.toHaveLength(9);
    });

    it('refuses updates and deletes through the append-only triggers', async () => {
      await expect(sql`update hub_audit set action = 'x' where seq = 2`.execute(platform.store.db)).rejects.toThrow(/append-only/);
      await expect(sql`delete from hub_audit where seq = 2`.execute(platform.store.db)).rejects.toThrow(/append-only/);
    });

    it('detects an altered, a deleted and a truncated entry once someone bypasses the triggers', async () => {
      const drop = platform.store.dialect === 'postgres'
        ? [sql`drop trigger hub_audit_no_update on hub_audit`]
        : [sql`drop trigger hub_audit_no_update`, sql`drop trigger hub_audit_no_delete`];
      for (const q of drop) await q.execute(platform.store.db);
      await sql`update hub_audit set detail = '{"name":"forged"}' where seq = 3`.execute(platform.store.db);
      expect((await verifyAudit(hub)).fault).toEqual({ seq: 3, reason: 'content does not match its hash (altered)' });
      await sql`delete from hub_audit where seq = 3`.execute(platform.store.db);
      expect((await verifyAudit(hub)).fault).toEqual({ seq: 3, reason: 'entry missing (next stored entry is 4)' });
      await sql`delete from hub_audit where seq >= 3`.execute(platform.store.db);
      expect((await verifyAudit(hub)).fault?.reason).toMatch(/truncated/);
      // a tail cut after the last checkpoint: only the chain-head row still knows it existed
      await sql`delete from hub_audit_checkpoint`.execute(platform.store.db);
      expect((await verifyAudit(hub)).fault).toEqual({ seq: 3, reason: 'log truncated: the chain head is entry 56' });
      await expect(verifyAudit(hub, { verifyStamp: async () => false })).resolves.toMatchObject({ ok: false });
    });
  });
}
