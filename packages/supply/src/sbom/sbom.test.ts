import { describe, expect, it } from 'vitest';
import { generateCyclonedxJson } from '@mamori/testbed';
import { dependencyPaths, findCycles, readSbom } from '../index.js';
import { thrown } from './test-helpers.js';

const cdx = (specVersion: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  bomFormat: 'CycloneDX', specVersion, version: 1, serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  metadata: { component: { type: 'device', 'bom-ref': 'router', name: 'AX-3000', version: '2.1', supplier: { name: 'Example Networks' } } },
  components: [
    { type: 'library', 'bom-ref': 'openssl', name: 'openssl', version: '1.1.1k', purl: 'pkg:generic/openssl@1.1.1k', cpe: 'cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*' },
    { type: 'library', 'bom-ref': 'lodash', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20',
      components: [{ type: 'library', 'bom-ref': 'inner', name: 'inner', version: '1.0.0', purl: 'pkg:npm/inner@1.0.0' }] },
  ],
  dependencies: [{ ref: 'router', dependsOn: ['openssl', 'lodash'] }, { ref: 'lodash', dependsOn: ['openssl'] }],
  ...extra,
});

describe('CycloneDX JSON', () => {
  for (const v of ['1.4', '1.5', '1.6']) {
    it(`reads and validates ${v}`, () => {
      const s = readSbom(JSON.stringify(cdx(v)));
      expect(s).toMatchObject({ format: 'cyclonedx', encoding: 'json', specVersion: v, root: 'router', name: 'AX-3000' });
      expect(s.components.map((c) => c.ref)).toEqual(['router', 'openssl', 'lodash', 'inner']);
      expect(s.components[1].cpe).toBe('cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*');
      expect(s.components[0].supplier).toBe('Example Networks');
      expect(s.dependencies.get('lodash')).toEqual(['inner', 'openssl']);
      expect(dependencyPaths(s).pathTo('inner')).toEqual(['router', 'lodash', 'inner']);
    });
  }

  it('names the JSON path of a schema violation', () => {
    const doc = cdx('1.6');
    (doc.components as Record<string, unknown>[])[1].type = 'spaceship';
    const e = thrown(() => readSbom(JSON.stringify(doc)));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_SCHEMA');
    expect(e.details.field).toBe('/components/1/type');
    expect(e.message).toContain('CycloneDX 1.6');
  });

  it('refuses versions it has no schema for', () => {
    for (const v of ['1.2', '2.0', '9']) expect(thrown(() => readSbom(JSON.stringify(cdx(v)))).code).toBe('MAMORI_SUPPLY_SBOM_VERSION');
  });

  it('keeps invalid purls out and says where they were', () => {
    const doc = cdx('1.5');
    (doc.components as Record<string, unknown>[])[0].purl = 'pkg:/nonsense';
    const s = readSbom(JSON.stringify(doc));
    expect(s.components[1].purl).toBeUndefined();
    expect(s.issues[0].at).toBe('/components/0/purl');
  });

  it('reports a JSON syntax error with its offset and line', () => {
    const e = thrown(() => readSbom('{\n "bomFormat": "CycloneDX",\n "specVersion": 1.6,,\n}'));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
    expect(e.details.line).toBe(3);
  });

  it('refuses hostile nesting before validation can recurse', () => {
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(thrown(() => readSbom(deep)).code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
  });

  it('keeps cyclic dependency graphs and finds the cycles', () => {
    const doc = cdx('1.6', { dependencies: [{ ref: 'router', dependsOn: ['openssl'] }, { ref: 'openssl', dependsOn: ['lodash'] }, { ref: 'lodash', dependsOn: ['openssl', 'lodash'] }] });
    const s = readSbom(JSON.stringify(doc));
    const cycles = findCycles(s.dependencies);
    expect(cycles).toHaveLength(1);
    expect(new Set(cycles[0])).toEqual(new Set(['openssl', 'lodash']));
    expect(dependencyPaths(s).pathTo('lodash')).toEqual(['router', 'openssl', 'lodash']);
  });

  it('reads 100,000 components with bounded memory and limits', async () => {
    // Each step below blocks this thread for seconds (tens at high load): a turn of the event
    // loop between them keeps vitest's worker messages from timing out (its RPC limit is 60 s).
    const turn = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r))); // spans a poll phase
    const text = generateCyclonedxJson({ components: 100_000, cycle: true, seed: 7 });
    await turn();
    const before = process.memoryUsage().heapUsed;
    const s = readSbom(text);
    expect(s.components).toHaveLength(100_001);
    expect(findCycles(s.dependencies).length).toBe(1);
    expect(dependencyPaths(s).pathTo('c99999')[0]).toBe('root');
    // The parsed SBOM is a small multiple of the text, not an explosion of it.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(text.length * 20);
    await turn();
    expect(thrown(() => readSbom(text, { maxComponents: 50_000 })).code).toBe('MAMORI_SUPPLY_SBOM_TOO_LARGE');
    expect(thrown(() => readSbom(text, { maxBytes: 1000 })).code).toBe('MAMORI_SUPPLY_SBOM_TOO_LARGE');
  }, 240_000); // ~20 s on an idle 2-core machine; the budget covers a loaded one
});

const xml = (ns = '1.6', body = ''): string => `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/${ns}" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <component type="device" bom-ref="cam"><supplier><name>Example Vision</name></supplier><name>IPC-200</name><version>3.0</version></component>
  </metadata>
  <components>
    <component type="library" bom-ref="busybox">
      <name>busybox</name><version>1.31.0</version>
      <cpe>cpe:2.3:a:busybox:busybox:1.31.0:*:*:*:*:*:*:*</cpe>
      <components><component type="library" bom-ref="udhcpc"><name>udhcpc</name><version>1.31.0</version><purl>pkg:generic/udhcpc@1.31.0</purl></component></components>
    </component>
    ${body}
  </components>
  <dependencies>
    <dependency ref="cam"><dependency ref="busybox"/></dependency>
  </dependencies>
</bom>`;

describe('CycloneDX XML', () => {
  for (const v of ['1.4', '1.5', '1.6']) {
    it(`reads ${v}`, () => {
      const s = readSbom(xml(v));
      expect(s).toMatchObject({ format: 'cyclonedx', encoding: 'xml', specVersion: v, root: 'cam' });
      expect(s.components.map((c) => c.name)).toEqual(['IPC-200', 'busybox', 'udhcpc']);
      expect(s.components[0].supplier).toBe('Example Vision');
      expect(dependencyPaths(s).pathTo('udhcpc')).toEqual(['cam', 'busybox', 'udhcpc']);
    });
  }

  it('names the line of a schema violation', () => {
    const e = thrown(() => readSbom(xml('1.6', '<component type="toaster"><name>x</name></component>')));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_SCHEMA');
    expect(e.details.field).toBe('/components/1/type');
    expect(e.details.line).toBe('line 12');
  });

  it('refuses DOCTYPE: no external entities, no billion laughs', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&x;</name></component></components></bom>`;
    expect(thrown(() => readSbom(xxe)).code).toBe('MAMORI_SUPPLY_XML_FORBIDDEN');
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><bom xmlns="http://cyclonedx.org/schema/bom/1.6">&lol9;</bom>`;
    expect(thrown(() => readSbom(laughs)).code).toBe('MAMORI_SUPPLY_XML_FORBIDDEN');
    // Without a DOCTYPE an entity reference is simply undefined.
    expect(thrown(() => readSbom(xml('1.6', '<component type="library"><name>&lol;</name></component>'))).code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
  });

  it('refuses other namespaces and versions', () => {
    expect(thrown(() => readSbom('<bom xmlns="http://cyclonedx.org/schema/bom/1.1"/>')).code).toBe('MAMORI_SUPPLY_SBOM_VERSION');
    expect(thrown(() => readSbom('<bom/>')).code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
    expect(thrown(() => readSbom('<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>')).code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
  });
});

const spdxJson = (): Record<string, unknown> => ({
  spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'gateway-fw',
  documentNamespace: 'https://example.org/spdx/gateway-fw-1.0', creationInfo: { created: '2026-01-05T10:00:00Z', creators: ['Tool: example-1.0'] },
  packages: [
    { SPDXID: 'SPDXRef-fw', name: 'gateway-fw', versionInfo: '1.0', downloadLocation: 'NOASSERTION', supplier: 'Organization: Example Networks' },
    { SPDXID: 'SPDXRef-django', name: 'Django', versionInfo: '3.2.1', downloadLocation: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: 'pkg:pypi/Django@3.2.1' }] },
    { SPDXID: 'SPDXRef-zlib', name: 'zlib', versionInfo: '1:1.2.11.dfsg-2', downloadLocation: 'NOASSERTION',
      externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/zlib1g@1:1.2.11.dfsg-2' },
        { referenceCategory: 'SECURITY', referenceType: 'cpe22Type', referenceLocator: 'cpe:/a:zlib:zlib:1.2.11' }] },
  ],
  relationships: [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-fw' },
    { spdxElementId: 'SPDXRef-fw', relationshipType: 'DEPENDS_ON', relatedSpdxElement: 'SPDXRef-django' },
    { spdxElementId: 'SPDXRef-zlib', relationshipType: 'DEPENDENCY_OF', relatedSpdxElement: 'SPDXRef-django' },
  ],
});

describe('SPDX 2.3', () => {
  it('reads JSON', () => {
    const s = readSbom(JSON.stringify(spdxJson()));
    expect(s).toMatchObject({ format: 'spdx', encoding: 'json', specVersion: 'SPDX-2.3', root: 'SPDXRef-fw' });
    expect(s.components[1].purl).toBe('pkg:pypi/django@3.2.1');
    expect(s.components[2].cpe).toBe('cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*');
    expect(dependencyPaths(s).pathTo('SPDXRef-zlib')).toEqual(['SPDXRef-fw', 'SPDXRef-django', 'SPDXRef-zlib']);
  });

  it('names the path of a schema violation and refuses 2.2', () => {
    const d = spdxJson();
    delete (d.packages as Record<string, unknown>[])[2].downloadLocation;
    expect(thrown(() => readSbom(JSON.stringify(d))).details.field).toBe('/packages/2');
    const r = spdxJson();
    (r.relationships as Record<string, unknown>[])[1].relationshipType = 'LIKES';
    expect(thrown(() => readSbom(JSON.stringify(r))).details.field).toBe('/relationships/1/relationshipType');
    expect(thrown(() => readSbom(JSON.stringify({ ...spdxJson(), spdxVersion: 'SPDX-2.2' }))).code).toBe('MAMORI_SUPPLY_SBOM_VERSION');
  });

  it('accepts every part of a full 2.3 document and refuses what the official schema refuses, by path', () => {
    const checksums = [{ algorithm: 'SHA256', checksumValue: 'a'.repeat(64) }];
    const full = (): Record<string, unknown> => {
      const annotation = { annotationDate: '2026-01-05T10:00:00Z', annotationType: 'REVIEW', annotator: 'Person: Jane', comment: 'checked' };
      const d = spdxJson();
      delete d.documentNamespace; // optional in the official JSON schema
      const fw = (d.packages as Record<string, unknown>[])[0];
      Object.assign(fw, {
        checksums, annotations: [{ ...annotation }], homepage: 'https://example.org', licenseConcluded: 'MIT', licenseDeclared: 'MIT', licenseInfoFromFiles: ['MIT'],
        copyrightText: 'NOASSERTION', packageFileName: 'fw.bin', primaryPackagePurpose: 'FIRMWARE', hasFiles: ['SPDXRef-main'], attributionTexts: ['thanks'],
        packageVerificationCode: { packageVerificationCodeValue: 'd6a770ba38583ed4bb4525bd96e50461655d2758', packageVerificationCodeExcludedFiles: ['./fw.spdx'] },
        releaseDate: '2026-01-01T00:00:00Z', builtDate: '2025-12-31T00:00:00Z', validUntilDate: '2030-01-01T00:00:00Z',
      });
      return {
        ...d,
        annotations: [annotation],
        files: [{ SPDXID: 'SPDXRef-main', fileName: './src/main.c', checksums, fileTypes: ['SOURCE'], licenseInfoInFiles: ['MIT'], fileContributors: ['Jane'], noticeText: 'n' }],
        snippets: [{ SPDXID: 'SPDXRef-snip', snippetFromFile: 'SPDXRef-main', name: 's', ranges: [{ startPointer: { reference: 'SPDXRef-main', offset: 10 }, endPointer: { reference: 'SPDXRef-main', offset: 20 } }] }],
        hasExtractedLicensingInfos: [{ licenseId: 'LicenseRef-vendor', extractedText: 'All rights reserved.', name: 'Vendor', crossRefs: [{ url: 'https://example.org/l', isLive: true }] }],
        revieweds: [{ reviewDate: '2026-01-06T00:00:00Z', reviewer: 'Person: Joe' }],
      };
    };
    expect(readSbom(JSON.stringify(full())).components).toHaveLength(3);
    const refused = (change: (d: any) => void): { field: unknown; reason: unknown } => {
      const d = full();
      change(d);
      const e = thrown(() => readSbom(JSON.stringify(d)));
      expect(e.code).toBe('MAMORI_SUPPLY_SBOM_SCHEMA');
      return { field: e.details.field, reason: e.details.reason };
    };
    expect(refused((d) => { d.packages[1].vendorField = 1; })).toEqual({ field: '/packages/1', reason: 'must NOT have additional properties ("vendorField")' });
    expect(refused((d) => { d.files[0].checksums = []; }).field).toBe('/files/0/checksums');
    expect(refused((d) => { delete d.annotations[0].comment; }).field).toBe('/annotations/0');
    expect(refused((d) => { d.snippets[0].ranges[0].endPointer = { offset: 3 }; }).field).toBe('/snippets/0/ranges/0/endPointer');
    expect(refused((d) => { delete d.hasExtractedLicensingInfos[0].extractedText; }).field).toBe('/hasExtractedLicensingInfos/0');
    expect(refused((d) => { d.files[0].fileTypes = ['MOVIE']; }).field).toBe('/files/0/fileTypes/0');
    expect(refused((d) => { delete d.packages[0].packageVerificationCode.packageVerificationCodeValue; }).field).toBe('/packages/0/packageVerificationCode');
  });

  const tv = `SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: gateway-fw
DocumentNamespace: https://example.org/spdx/gateway-fw-1.0
Creator: Tool: example-1.0
Created: 2026-01-05T10:00:00Z
DocumentComment: <text>Two
lines</text>

PackageName: gateway-fw
SPDXID: SPDXRef-fw
PackageVersion: 1.0
PackageDownloadLocation: NOASSERTION

PackageName: Django
SPDXID: SPDXRef-django
PackageVersion: 3.2.1
PackageDownloadLocation: NOASSERTION
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/Django@3.2.1

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-fw
Relationship: SPDXRef-fw DEPENDS_ON SPDXRef-django
`;

  it('reads tag-value', () => {
    const s = readSbom(tv);
    expect(s).toMatchObject({ format: 'spdx', encoding: 'tag-value', root: 'SPDXRef-fw', name: 'gateway-fw' });
    expect(s.components.map((c) => c.purl ?? c.name)).toEqual(['gateway-fw', 'pkg:pypi/django@3.2.1']);
    expect(s.dependencies.get('SPDXRef-fw')).toEqual(['SPDXRef-django']);
  });

  it('names the line in tag-value errors', () => {
    const e = thrown(() => readSbom(tv.replace('Relationship: SPDXRef-fw DEPENDS_ON', 'Relationship: SPDXRef-fw LIKES')));
    expect(e.details.line).toBe('line 23');
    expect(thrown(() => readSbom(tv.replace('PackageVersion: 1.0', 'no colon here'))).details.line).toBe(13);
  });
});
