/**
 * `mamori hub stix publish telescope|flows|supply`: each part's findings, made with the
 * testbed's generators (or the part's own API), published into a hub collection under the
 * operator's TLP, read back from the store, and published again without adding anything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@mamori/core';
import { archiveLine, ARCHIVE_HEADER, decodePacket, ExporterSession, type FlowRecord } from '@mamori/flows';
import { StixStore, TLP2_MARKINGS } from '@mamori/hub';
import { addProduct, attachSbom, parseOsvRecord, putCriteria, readSbom, saveSbom, saveVulns } from '@mamori/supply';
import { botnetScenario, encodeCapture, exportStream, TelescopeScenario } from '@mamori/testbed';
import { runInProcess } from '../testing.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-stix-publish-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Obj = Record<string, any>;

async function cli(data: string, ...args: string[]): Promise<Obj> {
  const r = await runInProcess(['--data', data, '--quiet', '--json', ...args]);
  if (r.code !== 0) throw new Error(`mamori ${args.join(' ')} → ${r.code}: ${r.stdout}`);
  return JSON.parse(r.stdout) as Obj;
}

async function withStore<T>(data: string, fn: (stix: StixStore, store: ReturnType<typeof openSqliteStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore(join(data, 'mamori.db'));
  try {
    return await fn(new StixStore(store), store);
  } finally {
    await store.close();
  }
}

const stored = (data: string, collection: string): Promise<Obj[]> =>
  withStore(data, async (stix) => (await stix.page({ collectionId: collection, limit: 10_000 })).rows.map((r) => r.object));

function expectMarked(objects: Obj[], tlp: keyof typeof TLP2_MARKINGS): void {
  for (const o of objects) expect(o.object_marking_refs, `${o.id}`).toContain(TLP2_MARKINGS[tlp]);
}

describe('mamori hub stix publish', () => {
  it('telescope: campaign alert → port indicator; Mirai-like scanners → address indicators and one observed-data (TLP:AMBER by default)', async () => {
    const data = join(dir, 'telescope');
    const scenario = new TelescopeScenario({ seed: 8, minutes: 5 });
    const truth = scenario.truth;
    const file = join(dir, 'darknet.pcapng');
    writeFileSync(file, encodeCapture([...scenario.frames()], { format: 'pcapng' }));
    await cli(data, 'telescope', 'ingest', file, '--darknet', `${truth.darknet},${truth.darknet6}`, '--research', truth.researchPrefix, '--no-publish');

    const since = new Date(truth.startMs).toISOString();
    const r = await cli(data, 'hub', 'stix', 'publish', 'telescope', '--collection', 'darknet', '--title', 'Darknet', '--since', since);
    expect(r).toMatchObject({ source: 'telescope', collection: 'darknet', tlp: 'AMBER', failed: 0 });
    expect(r.added).toBe(r.objects);

    const objects = await stored(data, 'darknet');
    expectMarked(objects, 'AMBER');
    const scanners = objects.filter((o) => o.type === 'indicator' && o.labels?.includes('infected-host'));
    expect(scanners.map((o) => /'([^']+)'/.exec(o.pattern)![1]).sort()).toEqual([...truth.miraiSources].sort());
    const [observed] = objects.filter((o) => o.type === 'observed-data');
    const addressIds = new Set(objects.filter((o) => o.type === 'ipv4-addr' || o.type === 'ipv6-addr').map((o) => o.id));
    expect(observed.object_refs).toHaveLength(truth.miraiSources.length);
    for (const ref of observed.object_refs) expect(addressIds.has(ref)).toBe(true);
    const campaign = objects.filter((o) => o.type === 'indicator' && o.indicator_types.includes('anomalous-activity'));
    expect(campaign.map((o) => o.pattern)).toEqual([`[network-traffic:dst_port = ${truth.campaign!.port} AND network-traffic:protocols[*] = 'tcp']`]);

    const again = await cli(data, 'hub', 'stix', 'publish', 'telescope', '--collection', 'darknet', '--since', since);
    expect(again).toMatchObject({ objects: r.objects, added: 0, unchanged: r.objects });
  }, 300_000);

  it('flows: C&C candidates → infrastructure, address, indicator, consists-of and indicates (TLP chosen by the operator)', async () => {
    const data = join(dir, 'flows');
    const s = botnetScenario({ seed: 7, hours: 3, hosts: 60 });
    const records: FlowRecord[] = [];
    for (const p of exportStream(s.flows, 10)) decodePacket(p, new ExporterSession('192.0.2.1:4739'), records);
    const csv = join(dir, 'flows.csv');
    writeFileSync(csv, `${ARCHIVE_HEADER}\n${records.map(archiveLine).join('\n')}\n`);
    await cli(data, 'flows', 'import', csv, '--utc');

    const r = await cli(data, 'hub', 'stix', 'publish', 'flows', '--collection', 'c2', '--title', 'C&C', '--tlp', 'green', '--limit', '3');
    expect(r).toMatchObject({ tlp: 'GREEN', failed: 0 });
    const objects = await stored(data, 'c2');
    expectMarked(objects, 'GREEN');
    const c2 = s.commandAndControl[0].address;
    const infra = objects.find((o) => o.type === 'infrastructure' && o.name.startsWith(`C&C candidate ${c2}`))!;
    expect(infra.infrastructure_types).toEqual(['command-and-control']);
    const address = objects.find((o) => o.type === 'ipv4-addr' && o.value === c2)!;
    const indicator = objects.find((o) => o.type === 'indicator' && o.pattern === `[ipv4-addr:value = '${c2}']`)!;
    const rel = (type: string, source: string, target: string): Obj | undefined =>
      objects.find((o) => o.type === 'relationship' && o.relationship_type === type && o.source_ref === source && o.target_ref === target);
    expect(rel('consists-of', infra.id, address.id)).toBeDefined();
    expect(rel('indicates', indicator.id, infra.id)).toBeDefined();

    expect(await cli(data, 'hub', 'stix', 'publish', 'flows', '--collection', 'c2', '--tlp', 'green', '--limit', '3')).toMatchObject({ added: 0 });
    const bad = await runInProcess(['--data', data, '--quiet', 'hub', 'stix', 'publish', 'flows', '--collection', 'c2', '--tlp', 'purple']);
    expect(bad.code).toBe(2);
  }, 300_000);

  it('supply: a critical vulnerability in a listed product → vulnerability, software, has, advisory report; once', async () => {
    const data = join(dir, 'supply');
    await cli(data, 'hub', 'taxii', 'collection', 'list'); // creates and migrates the store
    const NOW = Date.UTC(2026, 10, 1);
    await withStore(data, async (_stix, store) => {
      await putCriteria(store, { version: '2026.1', title: 'IoT baseline', publishedAt: NOW - 1e9, criteria: [{ id: 'signed-updates', title: 'Signed updates', required: true }] });
      await addProduct(store, {
        manufacturer: 'Example Networks', model: 'AX-3000', assessor: 'lab 3', criteriaVersion: '2026.1', criteriaMet: ['signed-updates'],
        assessedAt: NOW - 1e9, expiresAt: NOW + 1e11,
      }, 'secretariat', NOW - 1e9);
      const sbom = await saveSbom(store, readSbom(JSON.stringify({
        bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
        metadata: { component: { type: 'device', 'bom-ref': 'fw', name: 'AX-3000 firmware', version: '2.1' } },
        components: [{ type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' }],
        dependencies: [{ ref: 'fw', dependsOn: ['lodash'] }],
      })), NOW);
      await attachSbom(store, 'example-networks-ax-3000', sbom.id, 'secretariat', NOW);
      await saveVulns(store, [parseOsvRecord({
        id: 'GHSA-crit-0001', aliases: ['CVE-2026-12345'], modified: '2026-01-01T00:00:00Z', summary: 'prototype pollution',
        affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }] }],
        severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      })]);
    });

    const r = await cli(data, 'hub', 'stix', 'publish', 'supply', '--collection', 'advisories', '--title', 'Advisories', '--tlp', 'amber+strict');
    expect(r).toMatchObject({ objects: 4, added: 4, failed: 0, tlp: 'AMBER+STRICT' });
    const objects = await stored(data, 'advisories');
    expectMarked(objects, 'AMBER+STRICT');
    const vuln = objects.find((o) => o.type === 'vulnerability')!;
    expect(vuln).toMatchObject({ name: 'CVE-2026-12345', external_references: [{ source_name: 'cve', external_id: 'CVE-2026-12345' }] });
    const software = objects.find((o) => o.type === 'software')!;
    expect(software).toMatchObject({ name: 'AX-3000', vendor: 'Example Networks' });
    const has = objects.find((o) => o.type === 'relationship')!;
    expect(has).toMatchObject({ relationship_type: 'has', source_ref: software.id, target_ref: vuln.id });
    const report = objects.find((o) => o.type === 'report')!;
    expect(report.object_refs).toEqual([software.id, vuln.id, has.id]);
    expect(report.description).toContain('Fixed in 4.17.21');

    expect(await cli(data, 'hub', 'stix', 'publish', 'supply', '--collection', 'advisories')).toMatchObject({ objects: 0, added: 0 });
  }, 300_000);
});
