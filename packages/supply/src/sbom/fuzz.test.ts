/** Every reader, fed random and mutated input: a result or a MamoriError, never another exception. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMamoriError } from '@mamori/core';
import { parseCpe, parsePurl, readSbom } from '../index.js';
import { turn } from './test-helpers.js';

function outcome(f: () => unknown): 'ok' | 'mamori' {
  try { f(); return 'ok'; } catch (e) {
    if (isMamoriError(e)) return 'mamori';
    throw e;
  }
}

const cdxJson = JSON.stringify({
  bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
  metadata: { component: { type: 'application', 'bom-ref': 'app', name: 'app' } },
  components: [{ type: 'library', 'bom-ref': 'a', name: 'a', version: '1.0.0', purl: 'pkg:npm/a@1.0.0', cpe: 'cpe:2.3:a:x:a:1.0.0:*:*:*:*:*:*:*' }],
  dependencies: [{ ref: 'app', dependsOn: ['a'] }],
});
const cdxXml = '<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library" bom-ref="a"><name>a</name><version>1.0</version><purl>pkg:npm/a@1.0</purl></component></components><dependencies><dependency ref="a"/></dependencies></bom>';
const spdxTv = 'SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://example.org/d\nCreator: Tool: t\nCreated: 2026-01-01T00:00:00Z\nPackageName: a\nSPDXID: SPDXRef-a\nPackageDownloadLocation: NOASSERTION\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\n';

/** A document with a few characters replaced, inserted or deleted at random places. */
const mutated = (doc: string) => fc.array(fc.tuple(fc.nat(doc.length), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })), { minLength: 1, maxLength: 6 })
  .map((edits) => {
    let s = doc;
    for (const [at, kind, text] of edits) {
      const i = at % (s.length + 1);
      s = kind === 'insert' ? s.slice(0, i) + text + s.slice(i) : kind === 'delete' ? s.slice(0, i) + s.slice(i + text.length) : s.slice(0, i) + text + s.slice(i + text.length);
    }
    return s;
  });

describe('parser fuzzing', () => {
  it('valid seeds parse', () => {
    for (const d of [cdxJson, cdxXml, spdxTv]) expect(outcome(() => readSbom(d))).toBe('ok');
  });

  it('random text', async () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (s) => { outcome(() => readSbom(s)); }), { numRuns: 300 });
    await turn();
    fc.assert(fc.property(fc.string({ maxLength: 300 }).map((s) => `<${s}`), (s) => { outcome(() => readSbom(s)); }), { numRuns: 300 });
    await turn();
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => { outcome(() => readSbom(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', components: v }))); }), { numRuns: 150 });
  });

  it('mutated CycloneDX JSON, CycloneDX XML and SPDX tag-value', async () => {
    // Well-formed mutants of the XML seed each get a full XSD validation (0.5 s CPU): a turn
    // after each run.
    for (const seed of [cdxJson, cdxXml, spdxTv]) {
      await fc.assert(fc.asyncProperty(mutated(seed), async (s) => { outcome(() => readSbom(s)); await turn(); }), { numRuns: 400 });
    }
  }, 180_000);

  it('purls and CPEs', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => { outcome(() => parsePurl(`pkg:${s}`)); outcome(() => parseCpe(`cpe:2.3:${s}`)); outcome(() => parseCpe(`cpe:/${s}`)); }), { numRuns: 1000 });
    // What parses is canonical: parsing its own output gives it back.
    fc.assert(fc.property(fc.constantFrom('npm', 'pypi', 'maven', 'golang', 'deb', 'generic'), fc.stringMatching(/^[a-z][a-z0-9._-]{0,20}$/), fc.stringMatching(/^[0-9][0-9a-z.+-]{0,10}$/), (t, n, v) => {
      let p;
      try { p = parsePurl(`pkg:${t}/${n}@${v}`); } catch (e) { if (isMamoriError(e)) return; throw e; }
      expect(parsePurl(p.purl).purl).toBe(p.purl);
    }), { numRuns: 500 });
  });
});
