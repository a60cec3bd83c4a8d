/**
 * The TAXII service over the hub's community model, on both back ends: what a page costs in
 * statements (the same for 10, 100 or 1,000 objects, and along `next`), and the audit entry
 * of an add committing in the objects' own transaction.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { hubContext, type HubContext } from '../../context.js';
import { createTestCommunity, type TestCommunity } from '../../testing/community.js';
import { openTestPlatform } from '../../testing/platform.js';
import { sampleIndicator, sampleIpv4 } from '../samples.js';
import { countingStore, type CountingStore } from '../store/counting.js';
import { stixMigrations } from '../store/migrations.js';
import { StixStore } from '../store/stix-store.js';
import { hubTaxiiAccess } from './hub-access.js';
import { TaxiiService } from './service.js';
import type { Principal } from '../../access/policy.js';

describe.each(testBackends())('TAXII over the hub community on $name', (backend) => {
  let platform: Platform;
  let counted: CountingStore;
  let hub: HubContext;
  let people: TestCommunity;
  let service: TaxiiService<Principal>;

  beforeAll(async () => {
    const raw = await openTestPlatform(backend, [stixMigrations]);
    counted = countingStore(raw.store);
    platform = { ...raw, store: counted.store };
    hub = hubContext(platform);
    people = await createTestCommunity(hub);
    service = new TaxiiService(new StixStore(platform.store), hubTaxiiAccess(hub), {
      apiRoot: 'mamori', title: 'test', maxContentLength: 10 << 20, asyncThreshold: 5000, maxObjects: 100_000, cursorKey: randomBytes(32),
      // every statement counted, the collection lookup included, whatever the test's pace
      collectionCacheMs: 0,
    });
  });
  afterAll(async () => platform?.close());

  it('answers a filtered page with the same number of statements for 10, 100 and 1,000 objects, and along next', async () => {
    const c = await service.store.createCollection({ title: 'counted', defaultTlp: 'AMBER', sharingGroupId: people.financeGroup.id });
    const objects = Array.from({ length: 2600 }, (_, i) => (i % 5 === 4 ? sampleIpv4(70_000 + i) : sampleIndicator(70_000 + i)));
    const added = await service.addObjects(people.financeA.principal, c.id, { objects });
    expect(added.success_count).toBe(objects.length);

    // One page first: once per process the read audit may learn the chain head (a statement
    // that belongs to no page in particular); what is asserted is the cost of every page after.
    await service.getObjects(people.financeB.principal, c.id, { limit: '1', 'match[type]': 'indicator' });
    const costs: number[] = [];
    for (const limit of [10, 100, 1000]) {
      counted.reset();
      const page = await service.getObjects(people.financeB.principal, c.id, { limit: String(limit), 'match[type]': 'indicator' });
      costs.push(counted.count());
      expect(page.body.objects).toHaveLength(limit);
      expect(page.body.more).toBe(true);
      counted.reset();
      const next = await service.getObjects(people.financeB.principal, c.id, { limit: String(limit), 'match[type]': 'indicator', next: page.body.next });
      costs.push(counted.count());
      expect(next.body.objects?.length).toBeGreaterThan(0);
    }
    // collection lookup, the page, and the AMBER read's audit entry: never per object
    expect(new Set(costs).size).toBe(1);
    expect(costs[0]).toBeLessThanOrEqual(platform.store.dialect === 'postgres' ? 6 : 5);

    // the wire form (stored text, not re-serialised) is the same envelope, at the same cost
    const query = { limit: '100', 'match[type]': 'indicator' };
    counted.reset();
    const asText = await service.getObjectsText(people.financeB.principal, c.id, query);
    expect(counted.count()).toBe(costs[0]);
    expect(JSON.parse(asText.body)).toEqual((await service.getObjects(people.financeB.principal, c.id, query)).body);

    counted.reset();
    await service.manifest(people.financeB.principal, c.id, { limit: '1000' });
    const manifestCost = counted.count();
    counted.reset();
    await service.manifest(people.financeB.principal, c.id, { limit: '10' });
    expect(counted.count()).toBe(manifestCost);
  });

  it('writes the add\'s audit entry in the objects\' transaction: one entry per stored chunk, nothing stored without it', async () => {
    const c = await service.store.createCollection({ title: 'audited', defaultTlp: 'GREEN' });
    const entries = async (): Promise<{ detail: string }[]> =>
      (await hub.db.selectFrom('hub_audit').select(['detail', 'action']).where('action', '=', 'taxii-add').execute())
        .filter((e) => (JSON.parse(e.detail) as { collection?: string }).collection === c.id);
    await service.addObjects(people.financeA.principal, c.id, { objects: [sampleIndicator(80_001), sampleIndicator(80_002)] });
    const after = await entries();
    expect(after).toHaveLength(1);
    expect(JSON.parse(after[0].detail)).toMatchObject({ count: 2 });

    // an audit that fails takes the objects down with it
    const store = new StixStore(platform.store);
    await expect(store.add(c.id, [sampleIndicator(80_003)], { withinTransaction: async () => { throw new Error('audit log unavailable'); } }))
      .rejects.toThrow(/audit log unavailable/);
    const page = await store.page({ collectionId: c.id, limit: 10, ids: [String(sampleIndicator(80_003).id)] });
    expect(page.rows).toHaveLength(0);
    expect(await store.findByValue('10.1.56.131')).toEqual([]);
  });
});
