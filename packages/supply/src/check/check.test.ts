import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import {
  ADVISORY_SUBJECT, addProduct, attachSbom, checkProcurement, getProduct, listProducts, loadSbom, matchDeviceFingerprint, nameDevices, parseOsvRecord,
  productHistory, publishNewAdvisories, putCriteria, readSbom, saveSbom, saveVulns, setStatus, supplyMigrations, type SupplyAdvisory,
} from '../index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);

const sbomText = JSON.stringify({
  bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
  metadata: { component: { type: 'device', 'bom-ref': 'fw', name: 'AX-3000 firmware', version: '2.1' } },
  components: [
    { type: 'library', 'bom-ref': 'web', name: 'webui', version: '1.0.0', purl: 'pkg:npm/webui@1.0.0' },
    { type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
    { type: 'library', 'bom-ref': 'zlib', name: 'zlib1g', version: '1:1.2.11.dfsg-2', purl: 'pkg:deb/debian/zlib1g@1:1.2.11.dfsg-2' },
  ],
  dependencies: [{ ref: 'fw', dependsOn: ['web', 'zlib'] }, { ref: 'web', dependsOn: ['lodash'] }],
});

const rec = (id: string, ecosystem: string, name: string, fixed: string, vector: string, modified = '2026-01-01T00:00:00Z'): ReturnType<typeof parseOsvRecord> => parseOsvRecord({
  id, modified, affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  severity: [{ type: 'CVSS_V3', score: vector }],
});
const CRIT = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MED = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';

for (const backend of testBackends()) {
  describe(`trusted list and procurement check (${backend.name})`, () => {
    let p: Platform;
    beforeAll(async () => {
      p = await backend.open({ migrations: [supplyMigrations] });
      await putCriteria(p.store, { version: '2026.1', title: 'IoT baseline 2026', publishedAt: NOW - 100 * DAY, criteria: [
        { id: 'no-default-password', title: 'No default password', required: true },
        { id: 'signed-updates', title: 'Update mechanism signed', required: true },
        { id: 'sbom-published', title: 'SBOM published', required: false },
      ] });
    });
    afterAll(async () => { await p?.close(); });

    it('keeps catalogues immutable and validates products against them', async () => {
      await expect(putCriteria(p.store, { version: '2026.1', title: 'again', publishedAt: NOW, criteria: [] })).rejects.toMatchObject({ code: 'MAMORI_SUPPLY_LIST_CONFLICT' });
      await expect(addProduct(p.store, { manufacturer: 'X', model: 'Y', assessor: 'A', criteriaVersion: '2026.1', criteriaMet: ['teleportation'], assessedAt: NOW, expiresAt: NOW + DAY }, 'op'))
        .rejects.toMatchObject({ code: 'MAMORI_SUPPLY_INPUT', details: { field: 'criteriaMet' } });
      await expect(addProduct(p.store, { manufacturer: 'X', model: 'Y', assessor: 'A', criteriaVersion: '1999', criteriaMet: [], assessedAt: NOW, expiresAt: NOW + DAY }, 'op'))
        .rejects.toMatchObject({ details: { field: 'criteriaVersion' } });
    });

    it('answers pass, caution and fail with reasons, and keeps history', async () => {
      const ax = await addProduct(p.store, {
        manufacturer: 'Example Networks', model: 'AX-3000', versions: ['2.1'], assessor: 'JC-STAR lab 3', criteriaVersion: '2026.1',
        criteriaMet: ['no-default-password', 'signed-updates', 'sbom-published'], assessedAt: NOW - 10 * DAY, expiresAt: NOW + 355 * DAY, fingerprints: ['ExampleOS/\\d'],
      }, 'secretariat', NOW - 10 * DAY);
      expect(ax.id).toBe('example-networks-ax-3000');
      await expect(addProduct(p.store, { manufacturer: 'example networks', model: 'ax 3000', assessor: 'A', criteriaVersion: '2026.1', criteriaMet: [], assessedAt: NOW, expiresAt: NOW + DAY }, 'op'))
        .rejects.toMatchObject({ code: 'MAMORI_SUPPLY_LIST_CONFLICT' });

      let r = await checkProcurement(p.store, { manufacturer: 'EXAMPLE networks', model: 'ax-3000', version: '2.1' }, NOW);
      expect(r).toMatchObject({ verdict: 'pass', listed: true, openVulns: [], unmetCriteria: [] });

      r = await checkProcurement(p.store, { productId: ax.id, version: '3.0' }, NOW);
      expect(r.verdict).toBe('caution');
      expect(r.reasons[0]).toContain('version 3.0 is not covered');

      r = await checkProcurement(p.store, { productId: ax.id }, NOW + 400 * DAY);
      expect(r.verdict).toBe('fail');
      expect(r.reasons.join()).toContain('expired');

      const cam = await addProduct(p.store, {
        manufacturer: 'Example Vision', model: 'IPC-200', assessor: 'lab 1', criteriaVersion: '2026.1', criteriaMet: ['no-default-password'],
        assessedAt: NOW - DAY, expiresAt: NOW + DAY * 300,
      }, 'secretariat', NOW - DAY);
      r = await checkProcurement(p.store, { productId: cam.id }, NOW);
      expect(r.verdict).toBe('fail');
      expect(r.unmetCriteria.map((c) => c.id)).toEqual(['signed-updates', 'sbom-published']);

      r = await checkProcurement(p.store, { manufacturer: 'Nobody', model: 'Z1' }, NOW);
      expect(r).toMatchObject({ verdict: 'caution', listed: false });

      await setStatus(p.store, cam.id, 'suspended', 'secretariat', 'default password found in survey', NOW);
      r = await checkProcurement(p.store, { productId: cam.id }, NOW);
      expect(r.reasons[0]).toContain('suspended: default password found in survey');
      await setStatus(p.store, cam.id, 'withdrawn', 'secretariat', 'vendor out of business', NOW + 1);
      await expect(setStatus(p.store, cam.id, 'listed', 'secretariat', 'try again', NOW + 2)).rejects.toMatchObject({ code: 'MAMORI_SUPPLY_LIST_STATE' });
      expect((await productHistory(p.store, cam.id)).map((h) => [h.action, h.status])).toEqual([['added', 'listed'], ['suspended', 'suspended'], ['withdrawn', 'withdrawn']]);
      expect((await listProducts(p.store, { status: 'listed' })).map((x) => x.id)).toEqual([ax.id]);
    });

    it('matches the product\'s SBOM, publishes one advisory per new critical vulnerability', async () => {
      const sbom = readSbom(sbomText);
      const stored = await saveSbom(p.store, sbom, NOW);
      expect((await saveSbom(p.store, sbom, NOW)).id).toBe(stored.id);
      expect((await loadSbom(p.store, stored.id)).dependencies.get('web')).toEqual(['lodash']);
      await attachSbom(p.store, 'example-networks-ax-3000', stored.id, 'secretariat', NOW);

      const got: SupplyAdvisory[] = [];
      const sub = await p.bus.subscribe(ADVISORY_SUBJECT, (m) => { got.push(m.json<SupplyAdvisory>()); });
      expect(await saveVulns(p.store, [rec('DSA-1', 'Debian:12', 'zlib1g', '1:1.2.13.dfsg-1', MED)])).toEqual({ added: 1, updated: 0, unchanged: 0 });
      expect(await publishNewAdvisories(p.store, p.bus, NOW)).toEqual([]);

      let r = await checkProcurement(p.store, { productId: 'example-networks-ax-3000' }, NOW);
      expect(r.verdict).toBe('caution');
      expect(r.openVulns).toMatchObject([{ id: 'DSA-1', path: ['fw', 'zlib'], fixed: ['1:1.2.13.dfsg-1'] }]);

      const res = await saveVulns(p.store, [rec('GHSA-crit', 'npm', 'lodash', '4.17.21', CRIT), rec('DSA-1', 'Debian:12', 'zlib1g', '1:1.2.13.dfsg-1', MED)]);
      expect(res).toEqual({ added: 1, updated: 0, unchanged: 1 });
      const first = await publishNewAdvisories(p.store, p.bus, NOW);
      expect(first.map((a) => [a.product.id, a.vulnerability.id, a.vulnerability.path])).toEqual([['example-networks-ax-3000', 'GHSA-crit', ['fw', 'web', 'lodash']]]);
      expect(await publishNewAdvisories(p.store, p.bus, NOW + 1)).toEqual([]);
      for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((res) => setTimeout(res, 20));
      await sub.unsubscribe();
      expect(got.map((a) => a.vulnerability.id)).toEqual(['GHSA-crit']);

      r = await checkProcurement(p.store, { productId: 'example-networks-ax-3000' }, NOW);
      expect(r.verdict).toBe('fail');
      expect(r.reasons[0]).toContain('GHSA-crit in lodash@4.17.20');

      // A newer record replaces the stored one: fixed earlier, so no longer open.
      expect(await saveVulns(p.store, [rec('GHSA-crit', 'npm', 'lodash', '4.17.19', CRIT, '2026-02-01T00:00:00Z')])).toEqual({ added: 0, updated: 1, unchanged: 0 });
      r = await checkProcurement(p.store, { productId: 'example-networks-ax-3000', sbom }, NOW);
      expect(r.openVulns.map((v) => v.id)).toEqual(['DSA-1']);
    });

    it('names a surveyed device by its banner', async () => {
      const products = await listProducts(p.store);
      expect(matchDeviceFingerprint('Server: ExampleOS/2 (embedded)', products)?.id).toBe('example-networks-ax-3000');
      expect(matchDeviceFingerprint('Example Networks AX3000 login:', products)?.id).toBe('example-networks-ax-3000');
      expect(matchDeviceFingerprint('model=IPC 200 fw=1.2', products)?.id).toBe('example-vision-ipc-200');
      expect(matchDeviceFingerprint('AX30000 login:', products)).toBeNull();
      expect(matchDeviceFingerprint('BusyBox v1.31 login:', products)).toBeNull();
      expect((await getProduct(p.store, 'example-vision-ipc-200'))?.status).toBe('withdrawn');
    });

    it('names weak devices of a survey by model, from model string or banner', async () => {
      const products = await listProducts(p.store);
      const named = nameDevices([
        { address: '192.0.2.1', banner: 'Example Networks AX3000 login:', model: null },
        { address: '192.0.2.2', banner: null, model: 'IPC 200' },
        { address: '192.0.2.3', banner: 'BusyBox v1.31 login:' },
        { address: '192.0.2.4' },
      ], products);
      expect(named.map((d) => d.product?.id ?? null)).toEqual(['example-networks-ax-3000', 'example-vision-ipc-200', null, null]);
      expect(named[1].product).toMatchObject({ manufacturer: expect.any(String), status: 'withdrawn' });
      expect(named[0].address).toBe('192.0.2.1');
    });
  });
}
