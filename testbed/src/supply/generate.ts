/**
 * Generated SBOMs and OSV exports for @mamori/supply's tests and benchmark. Deterministic
 * (seeded) so a failure reproduces; package names and version ranges are drawn from one
 * pool so the SBOM really hits the advisories, like a real project against a real feed.
 */

export { seededRandom } from '../random.js';
import { seededRandom } from '../random.js';

export interface GeneratedSbomOptions {
  components: number;
  /** Distinct package names the components are drawn from. Default: components. */
  packages?: number;
  seed?: number;
  /** Add an edge from the last component back to the first (a cycle). */
  cycle?: boolean;
  specVersion?: '1.4' | '1.5' | '1.6';
}

export function packageName(i: number): string {
  return i % 7 === 0 ? `@scope${i % 13}/pkg-${i}` : `pkg-${i}`;
}

export function randomVersion(rnd: () => number): string {
  return `${Math.floor(rnd() * 5)}.${Math.floor(rnd() * 20)}.${Math.floor(rnd() * 30)}`;
}

function npmPurl(name: string, version: string): string {
  return name.startsWith('@') ? `pkg:npm/%40${name.slice(1)}@${version}` : `pkg:npm/${name}@${version}`;
}

interface GeneratedBom {
  components: { type: string; 'bom-ref': string; name: string; version: string; purl: string }[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

/** Components and edges of a generated SBOM: a root, then a tree (each component depends on a few later ones). */
function generateBom(o: GeneratedSbomOptions): GeneratedBom {
  const rnd = seededRandom(o.seed ?? 1);
  const pool = o.packages ?? o.components;
  const components = [];
  for (let i = 0; i < o.components; i++) {
    const name = packageName(Math.floor(rnd() * pool));
    const version = randomVersion(rnd);
    components.push({ type: 'library', 'bom-ref': `c${i}`, name, version, purl: npmPurl(name, version) });
  }
  const dependencies: { ref: string; dependsOn: string[] }[] = [{ ref: 'root', dependsOn: components.slice(0, Math.min(10, components.length)).map((c) => c['bom-ref']) }];
  for (let i = 0; i < o.components; i++) {
    const on: string[] = [];
    for (let k = 1; k <= 3; k++) { const j = i * 3 + k + 9; if (j < o.components) on.push(`c${j}`); }
    if (o.cycle && i === o.components - 1) on.push('c0');
    dependencies.push({ ref: `c${i}`, dependsOn: on });
  }
  return { components, dependencies };
}

const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';

/** A CycloneDX JSON SBOM of npm components. */
export function generateCyclonedxJson(o: GeneratedSbomOptions): string {
  const { components, dependencies } = generateBom(o);
  return JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: o.specVersion ?? '1.6', serialNumber: SERIAL, version: 1,
    metadata: { component: { type: 'application', 'bom-ref': 'root', name: 'generated-product', version: '1.0.0' } },
    components, dependencies,
  });
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The same SBOM as CycloneDX XML, valid against the version's official XSD; one component per line. */
export function generateCyclonedxXml(o: GeneratedSbomOptions): string {
  const { components, dependencies } = generateBom(o);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<bom xmlns="http://cyclonedx.org/schema/bom/${o.specVersion ?? '1.6'}" serialNumber="${SERIAL}" version="1">`,
    '<metadata><component type="application" bom-ref="root"><name>generated-product</name><version>1.0.0</version></component></metadata>',
    '<components>',
  ];
  for (const c of components) {
    out.push(`<component type="${c.type}" bom-ref="${esc(c['bom-ref'])}"><name>${esc(c.name)}</name><version>${esc(c.version)}</version><purl>${esc(c.purl)}</purl></component>`);
  }
  out.push('</components>', '<dependencies>');
  for (const d of dependencies) {
    out.push(d.dependsOn.length === 0 ? `<dependency ref="${esc(d.ref)}"/>` : `<dependency ref="${esc(d.ref)}">${d.dependsOn.map((r) => `<dependency ref="${esc(r)}"/>`).join('')}</dependency>`);
  }
  out.push('</dependencies>', '</bom>', '');
  return out.join('\n');
}

export interface GeneratedOsvOptions {
  records: number;
  /** Package names the records are about: drawn from the same pool as the SBOM's. */
  packages: number;
  seed?: number;
}

/** OSV records for npm in the shape of the real export (all.zip entries): SEMVER ranges with introduced/fixed. */
export function generateOsvRecords(o: GeneratedOsvOptions): Record<string, unknown>[] {
  const rnd = seededRandom(o.seed ?? 2);
  const out: Record<string, unknown>[] = [];
  const vectors = ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N', 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'];
  for (let i = 0; i < o.records; i++) {
    const name = packageName(Math.floor(rnd() * o.packages));
    const a = randomVersion(rnd);
    const b = randomVersion(rnd);
    const [lo, hi] = cmp(a, b) <= 0 ? [a, b] : [b, a];
    const events: Record<string, string>[] = [{ introduced: rnd() < 0.3 ? '0' : lo }];
    if (hi !== lo) events.push(rnd() < 0.8 ? { fixed: hi } : { last_affected: hi });
    out.push({
      schema_version: '1.6.0',
      id: `GHSA-gen-${i.toString(36).padStart(4, '0')}-${Math.floor(rnd() * 1e6).toString(36)}`,
      modified: '2026-01-01T00:00:00Z', published: '2025-06-01T00:00:00Z',
      aliases: [`CVE-2026-${10000 + i}`],
      summary: `generated advisory ${i}`,
      severity: [{ type: 'CVSS_V3', score: vectors[Math.floor(rnd() * vectors.length)] }],
      affected: [{ package: { ecosystem: 'npm', name, purl: npmPurl(name, '').replace(/@$/, '') }, ranges: [{ type: 'SEMVER', events }] }],
    });
  }
  return out;
}

function cmp(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
