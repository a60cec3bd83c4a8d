/** CycloneDX XML against the official XSDs (xmllint-wasm), and the hostile-input guarantees around it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoriError, MamoriError } from '@mamori/core';
import { generateCyclonedxXml } from '@mamori/testbed';
import { readSbom, readSbomAsync } from '../index.js';
import { cyclonedxXsdFiles, validateCyclonedxXsd, xsdHelpersStarted } from './xsd.js';
import { thrown, turn } from './test-helpers.js';

/** A document using more of the schema than mamori reads: hashes, licences, references, properties. */
const doc = (ns: string, components: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/${ns}" serialNumber="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79" version="1">
  <metadata>
    <timestamp>2026-01-05T10:00:00Z</timestamp>
    <component type="firmware" bom-ref="fw"><name>AX-3000 firmware</name><version>2.1</version></component>
  </metadata>
  <components>
${components}
  </components>
  <dependencies><dependency ref="fw"><dependency ref="zlib"/></dependency></dependencies>
</bom>`;

const ZLIB = `    <component type="library" bom-ref="zlib">
      <name>zlib</name>
      <version>1.2.11</version>
      <hashes><hash alg="SHA-256">c3e5e9fdd5004dcb542feda5ee4f0ff0744628baf8ed2dd5d66f8ca1197cb1a1</hash></hashes>
      <licenses><license><id>Zlib</id></license></licenses>
      <purl>pkg:generic/zlib@1.2.11</purl>
      <externalReferences><reference type="website"><url>https://zlib.net/</url></reference></externalReferences>
      <properties><property name="example:origin">vendored</property></properties>
    </component>`;

describe('CycloneDX XML against the official XSD', () => {
  it('takes every schema from the CycloneDX library package, imports included', () => {
    for (const v of ['1.4', '1.5', '1.6']) {
      expect(cyclonedxXsdFiles(v).map((f) => f.fileName)).toEqual([`bom-${v}.SNAPSHOT.xsd`, 'spdx.SNAPSHOT.xsd']);
    }
  });

  for (const v of ['1.4', '1.5', '1.6']) {
    it(`accepts a valid ${v} document`, () => {
      const s = readSbom(doc(v, ZLIB));
      expect(s).toMatchObject({ encoding: 'xml', specVersion: v, root: 'fw' });
      expect(s.components.map((c) => c.purl)).toEqual([undefined, 'pkg:generic/zlib@1.2.11']);
    });
  }

  it('refuses a bad enumeration value, naming the attribute', () => {
    const e = thrown(() => readSbom(doc('1.6', ZLIB.replace('type="library"', 'type="spaceship"'))));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_SCHEMA');
    expect(e.details).toMatchObject({ schema: 'CycloneDX 1.6 XSD', field: '/components/0/type', xpath: '/bom/components/component[1]/@type', line: 'line 8' });
    expect(String(e.details.reason)).toContain("'spaceship'");
  });

  it('refuses an element out of order', () => {
    const e = thrown(() => readSbom(doc('1.5', ZLIB.replace('<name>zlib</name>\n      <version>1.2.11</version>', '<version>1.2.11</version>\n      <name>zlib</name>'))));
    expect(e.details).toMatchObject({ field: '/components/0/version', xpath: '/bom/components/component[1]/version', line: 'line 9' });
    expect(String(e.details.reason)).toContain('not expected');
  });

  it('refuses a missing required element', () => {
    const e = thrown(() => readSbom(doc('1.4', `${ZLIB}\n    <component type="library" bom-ref="nameless">\n    </component>`)));
    expect(e.details).toMatchObject({ field: '/components/1', xpath: '/bom/components/component[2]' });
    expect(['line 17', 'line 18']).toContain(e.details.line);
    expect(String(e.details.reason)).toContain('Missing child element');
  });

  it('checks parts of the document mamori does not read', () => {
    const e = thrown(() => readSbom(doc('1.6', ZLIB.replace('c3e5e9fd', 'not-hex!'))));
    expect(e.details).toMatchObject({ field: '/components/0/hashes/0', xpath: '/bom/components/component[1]/hashes/hash[1]', line: 'line 11' });
    expect(String(e.details.reason)).toContain('pattern');
  });

  it('says so when a later version\'s document carries an earlier namespace', () => {
    // <manufacturer> and the type "cryptographic-asset" are CycloneDX 1.6.
    const v16 = ZLIB.replace('<name>zlib</name>', '<manufacturer><name>Example</name></manufacturer><name>zlib</name>');
    expect(readSbom(doc('1.6', v16)).specVersion).toBe('1.6');
    const e = thrown(() => readSbom(doc('1.4', v16)));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_SCHEMA');
    expect(String(e.details.reason)).toMatch(/<manufacturer> is CycloneDX 1\.6.*namespace says 1\.4/);
    const crypto = thrown(() => readSbom(doc('1.5', ZLIB.replace('type="library"', 'type="cryptographic-asset"'))));
    expect(String(crypto.details.reason)).toMatch(/'cryptographic-asset' is CycloneDX 1\.6.*namespace says 1\.5/);
  });

  it('refuses nesting deeper than libxml2 reads, naming the line', () => {
    const open = '<component type="library"><name>x</name><components>\n';
    const deep = doc('1.6', `${open.repeat(200)}${'</components></component>'.repeat(200)}`);
    const e = thrown(() => readSbom(deep));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
    expect(e.message).toContain('deeper than 256');
    expect(e.details.line).toBe(8 + 127);
    // Directly, xmllint gives up too, and says it could not parse rather than "validates".
    const r = validateCyclonedxXsd(deep, '1.6', { timeoutMs: 120_000, maxMemoryMiB: 64 });
    expect(r).toMatchObject({ valid: false, unreadable: true });
    expect(r.problems[0].message).not.toMatch(/validates$/);
  });

  it('refuses unknown namespaces before validating', () => {
    expect(thrown(() => readSbom(doc('2.0', ZLIB))).code).toBe('MAMORI_SUPPLY_SBOM_VERSION');
    const other = thrown(() => readSbom(doc('1.6', ZLIB).replace('http://cyclonedx.org/schema/bom/1.6', 'urn:example:bom')));
    expect(other.code).toBe('MAMORI_SUPPLY_SBOM_PARSE');
    expect(other.message).toContain('http://cyclonedx.org/schema/bom/');
  });

  it('validates 100,000 components', async () => {
    // Async, with turns of the event loop between the long synchronous steps (generation, the
    // saxes pass, building the model): vitest's worker messages time out after 60 s.
    const text = generateCyclonedxXml({ components: 100_000, cycle: true, seed: 7 });
    await turn();
    const s = await readSbomAsync(text);
    expect(s.components).toHaveLength(100_001);
    await turn();
    // The same document with one bad component far down names that component.
    const badText = text.replace('<component type="library" bom-ref="c99998">', '<component type="spaceship" bom-ref="c99998">');
    await turn();
    const bad = await readSbomAsync(badText).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MamoriError);
    expect((bad as MamoriError).details).toMatchObject({ field: '/components/99998/type', line: `line ${5 + 99_998}` });
  }, 240_000);

  it('answers the same without blocking the thread (readSbomAsync)', async () => {
    const bad = doc('1.6', ZLIB.replace('c3e5e9fd', 'not-hex!'));
    const sync = thrown(() => readSbom(bad));
    const async = await readSbomAsync(bad).catch((e: unknown) => e);
    expect(async).toBeInstanceOf(MamoriError);
    expect((async as MamoriError).details).toEqual(sync.details);
    expect((await readSbomAsync(doc('1.4', ZLIB))).components).toHaveLength(2);
    const late = await readSbomAsync(generateCyclonedxXml({ components: 2000, seed: 3 }), { xsdTimeoutMs: 1 }).catch((e: unknown) => e);
    expect((late as MamoriError).code).toBe('MAMORI_SUPPLY_SBOM_TOO_LARGE');
  });

  it('reuses idle helper threads on the async path, and replaces one cut off by its time limit', async () => {
    await readSbomAsync(doc('1.5', ZLIB));
    const before = xsdHelpersStarted();
    for (let i = 0; i < 3; i++) expect((await readSbomAsync(doc('1.5', ZLIB))).components).toHaveLength(2);
    expect(xsdHelpersStarted()).toBe(before);
    const late = await readSbomAsync(generateCyclonedxXml({ components: 2000, seed: 3 }), { xsdTimeoutMs: 1 }).catch((e: unknown) => e);
    expect((late as MamoriError).code).toBe('MAMORI_SUPPLY_SBOM_TOO_LARGE');
    // the timed-out helper was terminated: the pool still answers, from its other idle helper or a new one
    const [a, b] = await Promise.all([readSbomAsync(doc('1.5', ZLIB)), readSbomAsync(doc('1.6', ZLIB.replace('c3e5e9fd', 'not-hex!'))).catch((e: unknown) => e)]);
    expect(a.components).toHaveLength(2);
    expect(b).toBeInstanceOf(MamoriError);
  });

  it('cuts a validation off at its time limit and recovers', () => {
    const text = generateCyclonedxXml({ components: 2000, seed: 3 });
    const e = thrown(() => readSbom(text, { xsdTimeoutMs: 1 }));
    expect(e.code).toBe('MAMORI_SUPPLY_SBOM_TOO_LARGE');
    expect(e.details.what).toContain('XSD validation');
    expect(readSbom(text).components).toHaveLength(2001);
  });
});

describe('the validator fetches nothing', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => { requests.push(req.url ?? ''); res.end('<!ENTITY leaked "LEAKED">'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Lets the loopback server accept anything the validator may have sent while this thread waited. */
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

  it('ignores schema locations and XInclude in the document', async () => {
    const text = doc('1.6', ZLIB).replace('version="1">', `version="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://cyclonedx.org/schema/bom/1.6 ${base}/bom.xsd">`)
      .replace('</bom>', `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="${base}/include.xml"/></bom>`);
    thrownOrRead(() => readSbom(text));
    await settle();
    expect(requests).toEqual([]);
  });

  it('loads no external entity even when handed a DOCTYPE directly', async () => {
    // readSbom refuses any DOCTYPE before this point; this checks the validator on its own.
    const text = `<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY % remote SYSTEM "${base}/dtd"> %remote; <!ENTITY file SYSTEM "file:///etc/passwd">]>\n${doc('1.6', ZLIB).split('\n').slice(1).join('\n').replace('<name>zlib</name>', '<name>&file;&leaked;</name>')}`;
    const r = validateCyclonedxXsd(text, '1.6', { timeoutMs: 120_000, maxMemoryMiB: 64 });
    await settle();
    expect(requests).toEqual([]);
    expect(JSON.stringify(r)).not.toMatch(/root:|LEAKED/);
  });
});

function thrownOrRead(f: () => unknown): void {
  try { f(); } catch (e) { if (!isMamoriError(e)) throw e; }
}
