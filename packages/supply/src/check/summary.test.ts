/**
 * The trusted list per time range on both back ends: what was listed at the range's end comes
 * from the history snapshots (a later suspension or SBOM does not rewrite the past), open and
 * critical vulnerabilities follow the SBOM each product had then, additions and advisories
 * count by their time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import {
  addProduct, attachSbom, listAsOf, listSummary, parseOsvRecord, publishNewAdvisories, putCriteria, readSbom, saveSbom, saveVulns, setStatus, supplyMigrations,
} from '../index.js';

const at = (y: number, m: number, d = 1) => Date.UTC(y, m - 1, d);
const sbom = (libs: [string, string][]) => readSbom(JSON.stringify({
  bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
  metadata: { component: { type: 'device', 'bom-ref': 'fw', name: 'firmware' } },
  components: libs.map(([name, version]) => ({ type: 'library', 'bom-ref': name, name, version, purl: `pkg:npm/${name}@${version}` })),
  dependencies: [{ ref: 'fw', dependsOn: libs.map(([name]) => name) }],
}));
const rec = (id: string, name: string, fixed: string, vector: string) => parseOsvRecord({
  id, modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  severity: [{ type: 'CVSS_V3', score: vector }],
});
const CRIT = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MED = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';
const product = (manufacturer: string, model: string, when: number) => ({
  manufacturer, model, assessor: 'lab 3', criteriaVersion: '2025.1', criteriaMet: ['no-default-password'], assessedAt: when, expiresAt: when + 3 * 365 * 86_400_000,
});

describe.each(testBackends())('trusted list summary on $name', (backend) => {
  let p: Platform;
  beforeAll(async () => {
    p = await backend.open({ migrations: [supplyMigrations] });
    const store = p.store;
    await putCriteria(store, { version: '2025.1', title: 'IoT baseline', publishedAt: at(2025, 1), criteria: [{ id: 'no-default-password', title: 'No default password', required: true }] });
    await saveVulns(store, [rec('OSV-CRIT-1', 'webui', '1.0.1', CRIT), rec('OSV-MED-1', 'lodash', '4.17.21', MED)]);
    const router = await addProduct(store, product('Example Networks', 'AX-3000', at(2025, 5)), 'secretariat', at(2025, 5));
    const fw = await saveSbom(store, sbom([['webui', '1.0.0'], ['lodash', '4.17.20']]), at(2025, 7));
    await attachSbom(store, router.id, fw.id, 'secretariat', at(2025, 7));
    await publishNewAdvisories(store, p.bus, at(2025, 7, 2));
    const camera = await addProduct(store, product('Example Vision', 'CAM-1', at(2025, 11)), 'secretariat', at(2025, 11));
    const camFw = await saveSbom(store, sbom([['lodash', '4.17.20']]), at(2025, 11));
    await attachSbom(store, camera.id, camFw.id, 'secretariat', at(2025, 11, 2));
    await setStatus(store, camera.id, 'suspended', 'secretariat', 'vendor stopped updates', at(2026, 2));
  });
  afterAll(async () => { await p?.close(); });

  it('reads the list as it stood at a time from the history', async () => {
    expect(await listAsOf(p.store, at(2025, 4))).toEqual([]);
    const dec = await listAsOf(p.store, at(2025, 12));
    expect(dec.map((x) => [x.model, x.status]).sort()).toEqual([['AX-3000', 'listed'], ['CAM-1', 'listed']]);
    expect((await listAsOf(p.store, at(2026, 3))).find((x) => x.model === 'CAM-1')?.status).toBe('suspended');
  });

  it('counts listed products, additions, open and critical vulnerabilities and advisories per range', async () => {
    expect(await listSummary(p.store, { from: at(2025, 1), to: at(2025, 4) }))
      .toEqual({ listed: 0, added: 0, openVulns: 0, criticalOpen: 0, productsWithVulns: 0, advisories: 0 });
    // Listed in May without an SBOM: nothing known open until the SBOM arrives in July.
    expect(await listSummary(p.store, { from: at(2025, 4), to: at(2025, 6) }))
      .toEqual({ listed: 1, added: 1, openVulns: 0, criticalOpen: 0, productsWithVulns: 0, advisories: 0 });
    expect(await listSummary(p.store, { from: at(2025, 4), to: at(2025, 10) }))
      .toEqual({ listed: 1, added: 1, openVulns: 2, criticalOpen: 1, productsWithVulns: 1, advisories: 1 });
    expect(await listSummary(p.store, { from: at(2025, 10), to: at(2026, 1) }))
      .toEqual({ listed: 2, added: 1, openVulns: 3, criticalOpen: 1, productsWithVulns: 2, advisories: 0 });
    // The camera is suspended in February: no longer listed at the end of that half-year.
    expect(await listSummary(p.store, { from: at(2025, 10), to: at(2026, 4) }))
      .toEqual({ listed: 1, added: 1, openVulns: 2, criticalOpen: 1, productsWithVulns: 1, advisories: 0 });
  });
});
