import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError, testBackends, type Platform } from '@mamori/core';
import { publishStix, STIX_PUBLISHED_SUBJECT } from './publish.js';
import { addressIndicator, commandAndControl, observation, statisticsReport, vulnerableProduct } from './producers.js';
import { stixMigrations } from './store/migrations.js';
import { StixStore } from './store/stix-store.js';
import { TLP2_MARKINGS } from './tlp.js';
import { validateObjects } from './validate/validate.js';

describe('publishStix and the producer builders', () => {
  let platform: Platform;
  beforeAll(async () => { platform = await testBackends()[0].open({ migrations: [stixMigrations] }); });
  afterAll(async () => platform?.close());

  it('builders make valid STIX with deterministic ids', () => {
    const objects = [
      ...addressIndicator({ address: '192.0.2.7', role: 'scanner', validFrom: '2026-11-01T00:00:00.000Z' }),
      ...observation({ addresses: ['192.0.2.7', '2001:db8::7'], firstObserved: '2026-11-01T00:00:00Z', lastObserved: '2026-11-01T01:00:00Z', count: 3200, key: 'telescope|2026-11-01T00' }),
      ...commandAndControl({ address: '203.0.113.9', port: 6667, firstSeen: '2026-11-01T00:00:00.000Z', score: 0.92 }),
      ...vulnerableProduct({ cve: 'CVE-2024-3400', product: { name: 'PAN-OS', vendor: 'Palo Alto Networks', version: '10.2.9' }, published: '2024-04-12T00:00:00.000Z' }),
    ];
    expect(validateObjects(objects).problems).toEqual([]);
    expect(addressIndicator({ address: '192.0.2.7', role: 'scanner', validFrom: '2026-11-01T00:00:00.000Z' })[1].id).toBe(objects[1].id);
    expect(objects[0].id).toBe(validateObjects([objects[0]]).valid[0].object.id);
  });

  it('marks with at least the given TLP, raises address-bearing objects to the floor, stores and announces', async () => {
    const events: unknown[] = [];
    const sub = await platform.bus.subscribe(STIX_PUBLISHED_SUBJECT, (m) => { events.push(m); });
    const ind = addressIndicator({ address: '198.51.100.20', role: 'weak-device', validFrom: '2026-11-01T00:00:00.000Z' });
    const report = statisticsReport({ key: 'survey|2026-11', name: 'Weak devices by ISP, November', description: '12 ISPs, 340 devices', published: '2026-11-02T00:00:00.000Z', objectRefs: [String(ind[1].id)] });
    const red = { ...addressIndicator({ address: '198.51.100.21', role: 'x', validFrom: '2026-11-01T00:00:00.000Z' })[1], object_marking_refs: [TLP2_MARKINGS.RED] };
    const r = await publishStix(platform, [...ind, report, red], { collection: 'survey', title: 'Survey', tlp: 'GREEN', minimumTlpForAddresses: 'AMBER' });
    expect(r.failures).toEqual([]);
    const rows = (await new StixStore(platform.store).page({ collectionId: 'survey', limit: 10 })).rows;
    const tlp = Object.fromEntries(rows.map((x) => [x.type === 'indicator' ? String(x.object.name) : x.type, x.tlp]));
    expect(tlp).toEqual({ 'ipv4-addr': 'AMBER', 'weak-device 198.51.100.20': 'AMBER', report: 'GREEN', 'x 198.51.100.21': 'RED' });
    await new Promise((res) => setTimeout(res, 20));
    expect(events).toHaveLength(1);
    await sub.unsubscribe();
  });

  it('rejects the whole call when one object is invalid, writing nothing', async () => {
    const good = addressIndicator({ address: '198.51.100.30', role: 'scanner', validFrom: '2026-11-01T00:00:00.000Z' });
    const bad = { ...good[1], id: 'indicator--x' };
    try {
      await publishStix(platform, [...good, bad], { collection: 'atomic', title: 'Atomic', tlp: 'GREEN' });
      expect.unreachable();
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_HUB_STIX_INVALID')).toBe(true);
      expect((e as any).details.field).toBe('objects[2].id');
    }
    expect((await new StixStore(platform.store).page({ collectionId: 'atomic', limit: 10 })).rows).toHaveLength(0);
  });
});
