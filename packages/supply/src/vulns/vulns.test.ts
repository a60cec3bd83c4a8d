import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { generateCyclonedxJson, generateOsvRecords } from '@mamori/testbed';
import { matchLinear, matchSbom, parseCvss, parseNvdCve, parseOsvRecord, readSbom, readVulnSource, VulnIndex, type VulnRecord } from '../index.js';

const osv = (id: string, ecosystem: string, name: string, events: Record<string, string>[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem, name }, ranges: [{ type: ecosystem === 'npm' ? 'SEMVER' : 'ECOSYSTEM', events }] }], ...extra,
});

function codeOf(f: () => unknown): string {
  try { f(); } catch (e) { if (isMamoriError(e)) return e.code; throw e; }
  return 'no error';
}

describe('CVSS', () => {
  it('scores v3.1, v3.0 and v4.0 base vectors', () => {
    expect(parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({ baseScore: 9.8, rating: 'critical' });
    expect(parseCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N').baseScore).toBe(5.3);
    expect(parseCvss('CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N').baseScore).toBe(6.1);
    expect(parseCvss('CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N')).toMatchObject({ baseScore: 0, rating: 'none' });
    expect(parseCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toMatchObject({ baseScore: 9.3, rating: 'critical' });
  });

  it('refuses malformed vectors with a reason', () => {
    for (const v of ['CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N', 'AV:N/AC:L', 'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:2.0/AV:N']) {
      expect(codeOf(() => parseCvss(v)), v).toBe('MAMORI_SUPPLY_CVSS');
    }
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => { const c = codeOf(() => parseCvss(`CVSS:3.1/${s}`)); expect(['MAMORI_SUPPLY_CVSS', 'no error']).toContain(c); }), { numRuns: 300 });
  });
});

describe('OSV records', () => {
  it('names the field at fault', () => {
    expect(() => parseOsvRecord({ modified: 'x' })).toThrow(/id/);
    try {
      parseOsvRecord(osv('X-1', 'npm', 'a', [{ introduced: '0', fixed: '1.0.0' } as never]));
      throw new Error('no error');
    } catch (e) {
      expect(isMamoriError(e, 'MAMORI_SUPPLY_OSV')).toBe(true);
      expect((e as { details: { field: string } }).details.field).toBe('affected[0].ranges[0].events[0]');
    }
    fc.assert(fc.property(fc.jsonValue(), (v) => { const c = codeOf(() => parseOsvRecord(v)); expect(['MAMORI_SUPPLY_OSV', 'no error']).toContain(c); }), { numRuns: 300 });
  });

  it('takes severity from the CVSS vector, else the database label', () => {
    expect(parseOsvRecord(osv('A', 'npm', 'a', [{ introduced: '0' }], { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] })).severity)
      .toMatchObject({ rating: 'critical', score: 9.8, source: 'cvss3' });
    expect(parseOsvRecord(osv('B', 'npm', 'a', [{ introduced: '0' }], { database_specific: { severity: 'MODERATE' } })).severity).toEqual({ rating: 'medium', source: 'database' });
  });
});

describe('matching', () => {
  const index = new VulnIndex();
  const add = (r: Record<string, unknown>): void => index.add(parseOsvRecord(r));
  add(osv('GHSA-npm', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }]));
  add(osv('GHSA-scoped', 'npm', '@angular/core', [{ introduced: '16.0.0' }, { last_affected: '16.2.1' }]));
  add(osv('PYSEC-1', 'PyPI', 'django-rest', [{ introduced: '3.0' }, { fixed: '3.2.2' }, { introduced: '4.0a1' }, { fixed: '4.0.1' }]));
  add(osv('MVN-1', 'Maven', 'org.apache.logging.log4j:log4j-core', [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }]));
  add(osv('DSA-1', 'Debian:12', 'zlib1g', [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-1' }]));
  add(osv('GO-1', 'Go', 'golang.org/x/net', [{ introduced: '0' }, { fixed: '0.17.0' }]));
  add({ ...osv('LIST-1', 'npm', 'left-pad', []), affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, versions: ['1.1.1'] }] });
  index.add(parseNvdCve({ cve: {
    id: 'CVE-2021-42374', lastModified: '2023-01-01T00:00:00',
    descriptions: [{ lang: 'en', value: 'busybox lzma out-of-bounds read' }],
    metrics: { cvssMetricV31: [{ type: 'Primary', cvssData: { vectorString: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:N/A:H' } }] },
    configurations: [{ nodes: [{ operator: 'OR', cpeMatch: [{ vulnerable: true, criteria: 'cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*', versionEndExcluding: '1.34.0' }] }] }],
  } }));

  const m = (purl: string): string[] => index.match({ ref: 'x', name: 'x', purl }).map((v) => v.id);

  it('matches each ecosystem with its own version order', () => {
    expect(m('pkg:npm/lodash@4.17.20')).toEqual(['GHSA-npm']);
    expect(m('pkg:npm/lodash@4.17.21')).toEqual([]);
    expect(m('pkg:npm/%40angular/core@16.2.1')).toEqual(['GHSA-scoped']);
    expect(m('pkg:npm/%40angular/core@16.2.2')).toEqual([]);
    expect(m('pkg:npm/%40angular/core@15.9.0')).toEqual([]);
    expect(m('pkg:pypi/Django_Rest@3.2.1')).toEqual(['PYSEC-1']);
    expect(m('pkg:pypi/django-rest@3.2.2')).toEqual([]);
    expect(m('pkg:pypi/django-rest@4.0rc1')).toEqual(['PYSEC-1']);
    expect(m('pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1')).toEqual(['MVN-1']);
    expect(m('pkg:maven/org.apache.logging.log4j/log4j-core@2.0-alpha1')).toEqual([]);
    expect(m('pkg:deb/debian/zlib1g@1:1.2.11.dfsg-2')).toEqual(['DSA-1']);
    expect(m('pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1')).toEqual([]);
    expect(m('pkg:golang/golang.org/x/net@v0.16.0')).toEqual(['GO-1']);
    expect(m('pkg:npm/left-pad@1.1.1')).toEqual(['LIST-1']);
    expect(m('pkg:npm/left-pad@1.1.2')).toEqual([]);
  });

  it('gives fixed versions and matches devices by CPE', () => {
    expect(index.match({ ref: 'x', name: 'x', purl: 'pkg:pypi/django-rest@4.0' })[0].fixed).toEqual(['4.0.1']);
    const hit = index.match({ ref: 'bb', name: 'busybox', cpe: 'cpe:2.3:a:busybox:busybox:1.31.0:*:*:*:*:*:*:*' });
    expect(hit).toMatchObject([{ id: 'CVE-2021-42374', fixed: ['1.34.0'], severity: { rating: 'high', score: 8.2 } }]);
    expect(index.match({ ref: 'bb', name: 'busybox', cpe: 'cpe:2.3:a:busybox:busybox:1.34.0:*:*:*:*:*:*:*' })).toEqual([]);
  });

  it('gives the path from the product to the vulnerable component', () => {
    const sbom = readSbom(JSON.stringify({
      bomFormat: 'CycloneDX', specVersion: '1.5', version: 1,
      metadata: { component: { type: 'application', 'bom-ref': 'app', name: 'app' } },
      components: [
        { type: 'library', 'bom-ref': 'a', name: 'a', version: '1.0.0', purl: 'pkg:npm/a@1.0.0' },
        { type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.4', purl: 'pkg:npm/lodash@4.17.4' },
      ],
      dependencies: [{ ref: 'app', dependsOn: ['a'] }, { ref: 'a', dependsOn: ['lodash'] }, { ref: 'lodash', dependsOn: ['a'] }],
    }));
    expect(matchSbom(sbom, index)).toMatchObject([{ id: 'GHSA-npm', component: 'lodash', path: ['app', 'a', 'lodash'], fixed: ['4.17.21'] }]);
  });

  it('finds exactly what a linear scan of every record finds', () => {
    const records = generateOsvRecords({ records: 2000, packages: 300, seed: 5 }).map((r) => parseOsvRecord(r));
    const idx = new VulnIndex();
    for (const r of records) idx.add(r);
    const sbom = readSbom(generateCyclonedxJson({ components: 1000, packages: 300, seed: 6 }));
    const linear = new Set<string>();
    for (const c of sbom.components) for (const x of matchLinear(records, c)) linear.add(`${x.component} ${x.id}`);
    const indexed = new Set(matchSbom(sbom, idx).map((x) => `${x.component} ${x.id}`));
    expect(indexed.size).toBeGreaterThan(50);
    expect(indexed).toEqual(linear);
  });
});

describe('reading OSV exports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-osv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a directory and a zip, reporting bad files without losing the rest', async () => {
    const src = join(dir, 'osv');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'GHSA-1.json'), JSON.stringify(osv('GHSA-1', 'npm', 'a', [{ introduced: '0' }])));
    writeFileSync(join(src, 'sub', 'GHSA-2.json'), JSON.stringify(osv('GHSA-2', 'npm', 'b', [{ introduced: '0' }])));
    writeFileSync(join(src, 'broken.json'), '{"id": ');
    writeFileSync(join(src, 'README.txt'), 'not json');
    const read = async (p: string): Promise<{ ids: string[]; problems: string[] }> => {
      const ids: string[] = [];
      const problems: string[] = [];
      for await (const r of readVulnSource(p, (x) => problems.push(x.source))) ids.push((r as VulnRecord).id);
      return { ids: ids.sort(), problems };
    };
    const fromDir = await read(src);
    expect(fromDir.ids).toEqual(['GHSA-1', 'GHSA-2']);
    expect(fromDir.problems).toEqual([join(src, 'broken.json')]);
    const zip = join(dir, 'all.zip');
    execFileSync('zip', ['-qr', zip, '.'], { cwd: src });
    const fromZip = await read(zip);
    expect(fromZip.ids).toEqual(['GHSA-1', 'GHSA-2']);
    expect(fromZip.problems).toEqual([`${zip}!broken.json`]);
    writeFileSync(join(dir, 'not.zip'), 'PK\u0003\u0004 truncated');
    await expect(read(join(dir, 'not.zip'))).rejects.toMatchObject({ code: 'MAMORI_SUPPLY_ARCHIVE' });
  });
});
