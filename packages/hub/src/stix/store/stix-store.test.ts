import type { Kysely, KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { stixMigrations } from './migrations.js';
import { StixStore, type PagePosition } from './stix-store.js';
import { sampleIndicator, sampleIpv4 } from '../samples.js';
import { TLP1_MARKINGS, TLP2_MARKINGS } from '../tlp.js';
import { redactGranular } from '../markings.js';

describe.each(testBackends())('STIX store on $name', (backend) => {
  let platform: Platform;
  let store: StixStore;

  beforeAll(async () => {
    platform = await backend.open({ migrations: [stixMigrations] });
    store = new StixStore(platform.store);
  });
  afterAll(async () => platform?.close());

  it('keeps every version; latest and first follow the version timestamps, not arrival', async () => {
    const c = await store.createCollection({ title: 'versions', defaultTlp: 'GREEN' });
    const v2 = sampleIndicator(1, { modified: '2026-02-01T00:00:00.000Z' });
    const v1 = sampleIndicator(1);
    const v3 = sampleIndicator(1, { modified: '2026-03-01T00:00:00.000Z' });
    await store.add(c.id, [v2]);
    await store.add(c.id, [v1]);
    await store.add(c.id, [v3]);
    const last = await store.page({ collectionId: c.id, limit: 10 });
    expect(last.rows.map((r) => r.version)).toEqual(['2026-03-01T00:00:00.000Z']);
    const first = await store.page({ collectionId: c.id, limit: 10, versions: { first: true } });
    expect(first.rows.map((r) => r.version)).toEqual(['2026-01-01T00:00:00.000Z']);
    const all = await store.page({ collectionId: c.id, limit: 10, versions: { all: true } });
    expect(all.rows.map((r) => r.version)).toEqual(['2026-02-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
    const one = await store.page({ collectionId: c.id, limit: 10, versions: { versions: ['2026-02-01T00:00:00Z'] } });
    expect(one.rows.map((r) => r.version)).toEqual(['2026-02-01T00:00:00.000Z']);
  });

  it('treats a repeated version as a no-op and a conflicting one as a failure of that object only', async () => {
    const c = await store.createCollection({ title: 'dups' });
    const a = sampleIndicator(2);
    const r1 = await store.add(c.id, [a, sampleIpv4(2)]);
    expect(r1.failures).toEqual([]);
    const r2 = await store.add(c.id, [a, { ...a, name: 'changed' }, sampleIpv4(2), sampleIndicator(3)]);
    expect(r2.successes.map((s) => s.message ?? 'added')).toEqual(['already present', 'already present', 'added']);
    expect(r2.failures).toEqual([{ id: a.id, version: a.modified, message: 'this version exists with different content' }]);
    const all = await store.page({ collectionId: c.id, limit: 100, versions: { all: true } });
    expect(all.rows).toHaveLength(3);
    expect(all.rows.find((r) => r.id === a.id)!.object.name).toBe(a.name);
  });

  it('pages in strict (date_added, id, version) order with a position, never repeating or skipping', async () => {
    const c = await store.createCollection({ title: 'paging' });
    await store.add(c.id, Array.from({ length: 250 }, (_, i) => sampleIndicator(1000 + i)));
    await store.add(c.id, Array.from({ length: 250 }, (_, i) => sampleIndicator(2000 + i)));
    const seen: string[] = [];
    let after;
    for (;;) {
      const p = await store.page({ collectionId: c.id, limit: 37, after });
      seen.push(...p.rows.map((r) => r.id));
      if (!p.more) break;
      const last = p.rows[p.rows.length - 1];
      after = { dateAdded: last.dateAdded, id: last.id, versionKey: last.versionKey };
    }
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
    const filtered = await store.page({ collectionId: c.id, limit: 1000, types: ['indicator'], ids: [String(sampleIndicator(1001).id)] });
    expect(filtered.rows).toHaveLength(1);
  });

  it('gives a later write a later date_added even from a server whose clock is behind, so a reader\'s position never skips it', async () => {
    const c = await store.createCollection({ title: 'two servers' });
    const ahead = new StixStore(platform.store);
    // Server A's clock runs an hour ahead of server B's.
    (ahead as unknown as { lastDateAdded: number }).lastDateAdded = Date.now() * 1000 + 3_600_000_000;
    await ahead.add(c.id, [sampleIndicator(3001), sampleIndicator(3002)]);
    const first = await store.page({ collectionId: c.id, limit: 10 });
    expect(first.more).toBe(false);
    const last = first.rows[first.rows.length - 1];
    await new StixStore(platform.store).add(c.id, [sampleIndicator(3003)]);
    const rest = await store.page({ collectionId: c.id, limit: 10, after: { dateAdded: last.dateAdded, id: last.id, versionKey: last.versionKey } });
    expect(rest.rows.map((r) => r.id)).toEqual([sampleIndicator(3003).id]);
  });

  it('marks objects with the strictest TLP, maps TLP 1.0, and narrows reads in SQL', async () => {
    const c = await store.createCollection({ title: 'tlp', defaultTlp: 'AMBER' });
    const green = sampleIndicator(10, { tlp: 'GREEN' });
    const white = { ...sampleIndicator(11), object_marking_refs: [Object.keys(TLP1_MARKINGS)[0]] };
    const both = { ...sampleIndicator(12), object_marking_refs: [TLP2_MARKINGS.GREEN, TLP2_MARKINGS.RED] };
    const unmarked = sampleIndicator(13);
    const redPattern = { ...sampleIndicator(14, { tlp: 'CLEAR' }), granular_markings: [{ marking_ref: TLP2_MARKINGS.RED, selectors: ['pattern'] }] };
    await store.add(c.id, [green, white, both, unmarked, redPattern], { ownerOrgId: 'org-a', authorUserId: 'user-a' });
    const all = await store.page({ collectionId: c.id, limit: 10 });
    const tlpById = Object.fromEntries(all.rows.map((r) => [r.id, r.tlp]));
    expect(tlpById).toEqual({ [green.id as string]: 'GREEN', [white.id as string]: 'CLEAR', [both.id as string]: 'RED', [unmarked.id as string]: 'AMBER', [redPattern.id as string]: 'RED' });
    const outsider = await store.page({ collectionId: c.id, limit: 10, narrowing: { tlps: ['CLEAR', 'GREEN'], ownerOrgId: 'org-b', authorUserId: 'user-b' } });
    expect(outsider.rows.map((r) => r.id).sort()).toEqual([green.id, white.id].sort());
    const sameOrg = await store.page({ collectionId: c.id, limit: 10, narrowing: { tlps: ['CLEAR'], ownerOrgId: 'org-a', authorUserId: 'user-x' } });
    expect(sameOrg.rows).toHaveLength(3);
    const author = await store.page({ collectionId: c.id, limit: 10, narrowing: { tlps: [], ownerOrgId: 'org-a', authorUserId: 'user-a' } });
    expect(author.rows).toHaveLength(5);
  });

  it('honours granular markings on read by withholding the marked property', () => {
    const o = { ...sampleIndicator(20, { tlp: 'GREEN' }), description: 'secret', granular_markings: [{ marking_ref: TLP2_MARKINGS.AMBER, selectors: ['description'] }] };
    const seenByGreen = redactGranular(o, (l) => l === 'GREEN' || l === 'CLEAR');
    expect(seenByGreen.description).toBeUndefined();
    expect(seenByGreen.granular_markings).toBeUndefined();
    expect(redactGranular(o, () => true)).toBe(o);
  });

  it('correlates through the per-value index: SCO values, pattern literals and hashes', async () => {
    const c = await store.createCollection({ title: 'values' });
    await store.add(c.id, [sampleIndicator(30), sampleIpv4(30),
      { ...sampleIndicator(31), pattern: "[file:hashes.'SHA-256' = 'ABCDEF' OR ipv4-addr:value IN ('10.0.0.31', '10.9.9.9/32')]" }]);
    const hits = await store.findByValue('10.0.0.30');
    expect(hits.map((h) => h.kind).sort()).toEqual(['ipv4-addr:value', 'ipv4-addr:value']);
    expect(await store.findByValue('abcdef', 'file:hashes.SHA-256')).toHaveLength(1);
    expect(await store.findByValue('10.9.9.9')).toHaveLength(1);
  });

  it('deletes versions and re-elects the latest', async () => {
    const c = await store.createCollection({ title: 'delete' });
    await store.add(c.id, [sampleIndicator(40), sampleIndicator(40, { modified: '2026-05-01T00:00:00.000Z' })]);
    const id = String(sampleIndicator(40).id);
    const address = String(sampleIndicator(40).name).replace('Scanner ', '');
    const indexed = async (): Promise<string[]> => (await store.findByValue(address)).filter((v) => v.collectionId === c.id).map((v) => v.versionKey).sort();
    expect(await indexed()).toEqual(['2026-01-01T00:00:00.000000000Z', '2026-05-01T00:00:00.000000000Z']);
    expect(await store.deleteObject(c.id, id, ['2026-05-01T00:00:00.000000000Z'])).toBe(1);
    const p = await store.page({ collectionId: c.id, limit: 5 });
    expect(p.rows.map((r) => r.version)).toEqual(['2026-01-01T00:00:00.000Z']);
    // the deleted version's values go with it, the other version's stay
    expect(await indexed()).toEqual(['2026-01-01T00:00:00.000000000Z']);
    expect(await store.deleteObject(c.id, id)).toBe(1);
    expect(await indexed()).toEqual([]);
    expect(await store.deleteObject(c.id, id)).toBe(0);
  });

  it('keeps status resources and sync positions', async () => {
    const c = await store.createCollection({ title: 'status' });
    const id = await store.createStatus(c.id, 3, 'u1');
    expect((await store.getStatus(id))!.status).toBe('pending');
    await store.recordStatus(id, { successes: [{ id: 'a', version: 'v' }, { id: 'b', version: 'v' }], failures: [{ id: 'c', version: 'v', message: 'x' }] });
    const s = (await store.getStatus(id))!;
    expect(s).toMatchObject({ status: 'complete', success_count: 2, failure_count: 1, pending_count: 0 });
    await store.setSyncPosition('k', { next: 'a' });
    await store.setSyncPosition('k', { next: 'b' });
    expect(await store.getSyncPosition('k')).toEqual({ next: 'b' });
  });
});

describe.each(testBackends())('STIX pages after a cursor on $name', (backend) => {
  let platform: Platform;
  let store: StixStore;
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];

  beforeAll(async () => {
    platform = await backend.open({ migrations: [stixMigrations] });
    // The page statements as compiled, so the test can ask the engine how it runs them.
    const capture: KyselyPlugin = {
      transformQuery: (args) => {
        if (args.node.kind === 'SelectQueryNode') captured.push(platform.store.db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const db = platform.store.db.withPlugin(capture);
    store = new StixStore({ ...platform.store, db, as: <DB>() => db as never as Kysely<DB> });
  });
  afterAll(async () => platform?.close());

  it('pages with added_after and next exactly like without, and starts the index range at the cursor, not at added_after', async () => {
    const c = await store.createCollection({ title: 'cursor', defaultTlp: 'GREEN' });
    for (let i = 0; i < 6; i++) await store.add(c.id, Array.from({ length: 20 }, (_, k) => (k % 4 === 3 ? sampleIpv4(50_000 + i * 20 + k) : sampleIndicator(50_000 + i * 20 + k))));
    const everything = await store.page({ collectionId: c.id, limit: 10_000, types: ['indicator'] });
    const addedAfter = everything.rows[14].dateAdded - 1;
    const expected = everything.rows.filter((r) => r.dateAdded > addedAfter).map((r) => r.id);
    const walked: string[] = [];
    let after: PagePosition | undefined;
    for (;;) {
      captured.length = 0;
      const p = await store.page({ collectionId: c.id, limit: 7, types: ['indicator'], addedAfter, after });
      walked.push(...p.rows.map((r) => r.id));
      if (!p.more) break;
      const last = p.rows[p.rows.length - 1];
      after = { dateAdded: last.dateAdded, id: last.id, versionKey: last.versionKey };
    }
    expect(walked).toEqual(expected);

    if (platform.store.dialect === 'sqlite') {
      // the last page's statement: its index search must be bounded by the cursor's row value
      const { sql: text, parameters } = captured[captured.length - 1];
      const rows = (await platform.store.db.executeQuery<{ detail: string }>({ sql: `explain query plan ${text}`, parameters, query: { kind: 'RawNode' } as never })).rows;
      expect(rows.map((r) => r.detail).join('\n')).toMatch(/\(date_added,id,version_key\)>/);
    }
  });

  /** How SQLite runs the last page statement captured (an empty string on PostgreSQL). */
  const lastPlan = async (): Promise<string> => {
    if (platform.store.dialect !== 'sqlite') return '';
    const { sql: text, parameters } = captured[captured.length - 1];
    const r = await platform.store.db.executeQuery<{ detail: string }>({ sql: `explain query plan ${text}`, parameters, query: { kind: 'RawNode' } as never });
    return r.rows.map((x) => x.detail).join('\n');
  };

  it('pages several types as ordered per-type index ranges, and one object by its key: same rows as the plain filters', async () => {
    const c = await store.createCollection({ title: 'types', defaultTlp: 'GREEN' });
    const malware = (n: number): Record<string, unknown> => ({ ...sampleIndicator(n), type: 'malware', id: String(sampleIndicator(n).id).replace('indicator--', 'malware--'), is_family: false });
    for (let i = 0; i < 5; i++) await store.add(c.id, Array.from({ length: 12 }, (_, k) => (k % 3 === 0 ? malware(60_000 + i * 12 + k) : k % 3 === 1 ? sampleIpv4(60_000 + i * 12 + k) : sampleIndicator(60_000 + i * 12 + k))));
    const everything = await store.page({ collectionId: c.id, limit: 10_000 });
    const expected = everything.rows.filter((r) => r.type !== 'ipv4-addr').map((r) => r.id);
    const walked: string[] = [];
    let after: PagePosition | undefined;
    for (;;) {
      captured.length = 0;
      const p = await store.page({ collectionId: c.id, limit: 7, types: ['malware', 'indicator', 'malware'], after });
      walked.push(...p.rows.map((r) => r.id));
      if (!p.more) break;
      const last = p.rows[p.rows.length - 1];
      after = { dateAdded: last.dateAdded, id: last.id, versionKey: last.versionKey };
    }
    expect(walked).toEqual(expected);
    if (platform.store.dialect === 'sqlite') expect((await lastPlan()).match(/USING INDEX stix_object_type_page/g)).toHaveLength(2);

    const one = everything.rows[20];
    captured.length = 0;
    const p = await store.page({ collectionId: c.id, objectId: one.id, limit: 10, versions: { all: true } });
    expect(p.rows.map((r) => r.id)).toEqual([one.id]);
    if (platform.store.dialect === 'sqlite') expect(await lastPlan()).toMatch(/sqlite_autoindex_stix_object_1 \(collection_id=\? AND id=\?\)/);
  });
});
