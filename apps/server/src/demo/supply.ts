/**
 * Demo supply chain: a "[demo]" criteria catalogue and three products whose trusted-list
 * history spans the last three half-years — listed, SBOMs attached (one later replaced by a
 * fixed firmware), critical-vulnerability advisories published when they appear, one product
 * suspended — so the half-year view has a trend. Everything goes through the supply part's
 * own functions, back-dated by their `now` argument; the vulnerability records name only
 * demo packages and carry demo ids, so no real record is touched or matched.
 */
import { DAY_MS, MamoriError, type Platform } from '@mamori/core';
import {
  addProduct, attachSbom, findProduct, getCriteria, getVuln, parseOsvRecord, publishNewAdvisories, putCriteria, readSbom, saveSbom, saveVulns, setStatus,
  type SupplyTables,
} from '@mamori/supply';
import type { DemoObject } from './manifest.js';

const CRITERIA = 'demo-1';
const ACTOR = 'mamori demo';
const CRIT = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const MEDIUM = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N';

/** Demo packages (npm names no real package uses) and the demo vulnerabilities in them. */
const VULNS = [
  { id: 'MAMORI-DEMO-0001', name: 'mamori-demo-webui', fixed: '1.0.1', vector: CRIT, summary: '[demo] remote code execution in the web UI' },
  { id: 'MAMORI-DEMO-0002', name: 'mamori-demo-httpd', fixed: '2.4.2', vector: MEDIUM, summary: '[demo] information disclosure in the HTTP server' },
  { id: 'MAMORI-DEMO-0003', name: 'mamori-demo-tls', fixed: '1.1.1', vector: CRIT, summary: '[demo] authentication bypass in the TLS library' },
];

function firmware(name: string, libs: [string, string][]) {
  return readSbom(JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
    metadata: { component: { type: 'firmware', 'bom-ref': 'fw', name: `[demo] ${name}` } },
    components: libs.map(([lib, version]) => ({ type: 'library', 'bom-ref': lib, name: lib, version, purl: `pkg:npm/${lib}@${version}` })),
    dependencies: [{ ref: 'fw', dependsOn: libs.map(([lib]) => lib) }],
  }));
}

const PRODUCTS = [
  { manufacturer: '[demo] Example Networks', model: 'AX-3000', kind: 'product' as const },
  { manufacturer: '[demo] Example Vision', model: 'CAM-1', kind: 'product' as const },
  { manufacturer: '[demo] Example Home', model: 'HUB-7', kind: 'product' as const },
];

export async function demoSupply(platform: Platform, now: number): Promise<{ objects: DemoObject[]; summary: Record<string, number> }> {
  const store = platform.store;
  const occupied = (reason: string) => new MamoriError('MAMORI_DEMO_OCCUPIED', { part: 'supply', reason });
  if (await getCriteria(store, CRITERIA)) throw occupied(`criteria catalogue ${CRITERIA} already exists`);
  for (const v of VULNS) if (await getVuln(store, v.id)) throw occupied(`vulnerability record ${v.id} already exists`);
  // Checked before anything is written: a step's objects are recorded only when it ends.
  for (const p of PRODUCTS) {
    const clash = await findProduct(store, p.manufacturer, p.model);
    if (clash) throw occupied(`product ${clash.id} is already on the list`);
  }
  const objects: DemoObject[] = [];
  const ago = (days: number) => now - days * DAY_MS;

  await putCriteria(store, {
    version: CRITERIA, title: '[demo] IoT セキュリティ基準', publishedAt: ago(420),
    criteria: [
      { id: 'no-default-password', title: '初期パスワードの個別化', required: true },
      { id: 'signed-updates', title: '署名付きアップデート', required: true },
      { id: 'sbom-published', title: 'SBOM の提供', required: false },
    ],
  });
  objects.push({ kind: 'supply-criteria', ref: CRITERIA });
  await saveVulns(store, VULNS.map((v) => parseOsvRecord({
    id: v.id, modified: new Date(ago(420)).toISOString(), summary: v.summary,
    affected: [{ package: { ecosystem: 'npm', name: v.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: v.fixed }] }] }],
    severity: [{ type: 'CVSS_V3', score: v.vector }],
  })));
  for (const v of VULNS) objects.push({ kind: 'supply-vuln', ref: v.id });

  const ids: string[] = [];
  const list = async (i: number, days: number) => {
    const p = PRODUCTS[i];
    const made = await addProduct(store, {
      ...p, versions: ['*'], assessor: '[demo] 評価機関', criteriaVersion: CRITERIA, criteriaMet: ['no-default-password', 'signed-updates', 'sbom-published'],
      assessedAt: ago(days), expiresAt: ago(days) + 3 * 365 * DAY_MS,
    }, ACTOR, ago(days));
    ids.push(made.id);
    objects.push({ kind: 'supply-product', ref: made.id });
    return made.id;
  };
  const sbom = async (id: string, name: string, libs: [string, string][], days: number) => {
    const stored = await saveSbom(store, firmware(name, libs), ago(days));
    objects.push({ kind: 'supply-sbom', ref: stored.id });
    await attachSbom(store, id, stored.id, ACTOR, ago(days));
    await publishNewAdvisories(store, platform.bus, ago(days), { productIds: [id] });
  };

  // Oldest first, so each history row is written in the order it happened.
  const router = await list(0, 400);
  await sbom(router, 'AX-3000 firmware 2.0', [['mamori-demo-webui', '1.0.0'], ['mamori-demo-httpd', '2.4.1']], 390);
  const camera = await list(1, 250);
  await sbom(camera, 'CAM-1 firmware 1.0', [['mamori-demo-httpd', '2.4.1']], 250);
  await sbom(router, 'AX-3000 firmware 2.1', [['mamori-demo-webui', '1.0.1'], ['mamori-demo-httpd', '2.4.1']], 200);
  const home = await list(2, 60);
  await sbom(home, 'HUB-7 firmware 3.0', [['mamori-demo-tls', '1.1.0'], ['mamori-demo-httpd', '2.4.2']], 55);
  await setStatus(store, camera, 'suspended', ACTOR, '[demo] 製造者がアップデートの提供を終了', ago(30));

  const advisories = await store.as<SupplyTables>().selectFrom('supply_advisory_sent').select('vuln_id').where('product_id', 'in', ids).execute();
  return { objects, summary: { products: ids.length, vulnerabilities: VULNS.length, advisories: advisories.length } };
}

export async function removeSupply(platform: Platform, objects: DemoObject[]): Promise<void> {
  const db = platform.store.as<SupplyTables>();
  for (const o of objects) {
    if (o.kind === 'supply-product') {
      await db.deleteFrom('supply_advisory_sent').where('product_id', '=', o.ref).execute();
      await db.deleteFrom('supply_product_history').where('product_id', '=', o.ref).execute();
      await db.deleteFrom('supply_product').where('id', '=', o.ref).execute();
    }
  }
  for (const o of objects) {
    if (o.kind === 'supply-sbom') await db.deleteFrom('supply_sbom').where('id', '=', o.ref).execute();
    else if (o.kind === 'supply-vuln') {
      await db.deleteFrom('supply_vuln_key').where('vuln_id', '=', o.ref).execute();
      await db.deleteFrom('supply_vuln').where('id', '=', o.ref).execute();
    } else if (o.kind === 'supply-criteria') await db.deleteFrom('supply_criteria').where('version', '=', o.ref).execute();
  }
}
