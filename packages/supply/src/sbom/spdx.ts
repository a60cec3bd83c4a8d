/**
 * SPDX 2.3, JSON and tag-value. Tag-value is first turned into the JSON shape (remembering
 * each field's line) so both encodings share one schema check and one reader.
 */
import { MamoriError } from '@mamori/core';
import { SbomBuilder } from './builder.js';
import { isObject, str } from './json-text.js';
import type { Sbom, SbomEncoding, SbomLimits } from './model.js';
import { SPDX_VERSIONS, assertValid, spdxValidator } from './schemas.js';

/** Relationship types read as "left depends on / contains right". */
const FORWARD = new Set(['DEPENDS_ON', 'CONTAINS', 'STATIC_LINK', 'DYNAMIC_LINK', 'HAS_PREREQUISITE']);
/** Relationship types read as "right depends on / contains left". */
const REVERSE = new Set([
  'DEPENDENCY_OF', 'CONTAINED_BY', 'BUILD_DEPENDENCY_OF', 'DEV_DEPENDENCY_OF', 'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF', 'TEST_DEPENDENCY_OF', 'RUNTIME_DEPENDENCY_OF', 'PREREQUISITE_FOR', 'PACKAGE_OF',
]);

export function checkSpdxVersion(v: unknown): string {
  const s = String(v);
  if (!(SPDX_VERSIONS as readonly string[]).includes(s)) {
    throw new MamoriError('MAMORI_SUPPLY_SBOM_VERSION', { format: 'SPDX', version: s.slice(0, 40), supported: SPDX_VERSIONS.join(', '), field: '/spdxVersion' });
  }
  return s;
}

export function readSpdx(doc: Record<string, unknown>, encoding: SbomEncoding, limits: SbomLimits = {}, where?: (path: string) => string | undefined): Sbom {
  const version = checkSpdxVersion(doc.spdxVersion);
  try {
    assertValid(spdxValidator(), doc, 'SPDX 2.3');
  } catch (e) {
    if (where && e instanceof MamoriError && typeof e.details.field === 'string') {
      const line = where(e.details.field);
      if (line) throw new MamoriError('MAMORI_SUPPLY_SBOM_SCHEMA', { ...e.details, line, reason: `${String(e.details.reason)} (${line})` });
    }
    throw e;
  }
  const b = new SbomBuilder(limits);
  const packages = Array.isArray(doc.packages) ? doc.packages : [];
  packages.forEach((p, i) => {
    if (!isObject(p)) return;
    let purl: string | undefined;
    let cpe: string | undefined;
    for (const r of Array.isArray(p.externalRefs) ? p.externalRefs : []) {
      if (!isObject(r)) continue;
      if (r.referenceType === 'purl' && !purl) purl = str(r.referenceLocator);
      else if ((r.referenceType === 'cpe23Type' || r.referenceType === 'cpe22Type') && !cpe) cpe = str(r.referenceLocator);
    }
    const supplier = str(p.supplier);
    b.add({
      ref: str(p.SPDXID), name: str(p.name) ?? '', version: str(p.versionInfo), type: str(p.primaryPackagePurpose)?.toLowerCase(),
      supplier: supplier && supplier !== 'NOASSERTION' ? supplier.replace(/^(?:Person|Organization): /, '') : undefined, purl, cpe,
    }, `/packages/${i}`);
  });
  const describes: string[] = Array.isArray(doc.documentDescribes) ? doc.documentDescribes.filter((x): x is string => typeof x === 'string') : [];
  for (const r of Array.isArray(doc.relationships) ? doc.relationships : []) {
    if (!isObject(r)) continue;
    const a = str(r.spdxElementId);
    const t = str(r.relationshipType);
    const z = str(r.relatedSpdxElement);
    if (!a || !t || !z || z === 'NONE' || z === 'NOASSERTION') continue;
    if (t === 'DESCRIBES' && a === 'SPDXRef-DOCUMENT') describes.push(z);
    else if (t === 'DESCRIBED_BY' && z === 'SPDXRef-DOCUMENT') describes.push(a);
    else if (FORWARD.has(t)) b.depend(a, z);
    else if (REVERSE.has(t)) b.depend(z, a);
  }
  if (describes.length > 0) b.root = describes[0];
  return b.finish({ format: 'spdx', encoding, specVersion: version, serialNumber: str(doc.documentNamespace), name: str(doc.name) });
}

/** Tag-value tags that open a new package and the JSON property each package tag fills. */
const PACKAGE_TAGS: Record<string, string> = {
  PackageName: 'name', SPDXID: 'SPDXID', PackageVersion: 'versionInfo', PackageDownloadLocation: 'downloadLocation',
  PackageSupplier: 'supplier', PackageOriginator: 'originator', PrimaryPackagePurpose: 'primaryPackagePurpose',
  FilesAnalyzed: 'filesAnalyzed', PackageLicenseConcluded: 'licenseConcluded', PackageLicenseDeclared: 'licenseDeclared',
  PackageCopyrightText: 'copyrightText', PackageHomePage: 'homepage', PackageSummary: 'summary', PackageDescription: 'description',
};
const DOCUMENT_TAGS: Record<string, string> = {
  SPDXVersion: 'spdxVersion', DataLicense: 'dataLicense', SPDXID: 'SPDXID', DocumentName: 'name', DocumentNamespace: 'documentNamespace', DocumentComment: 'comment',
};

/** SPDX 2.3 tag-value (spec clause 5 / annex): `Tag: value` lines, `<text>…</text>` spans. */
export function readSpdxTagValue(text: string, limits: SbomLimits = {}): Sbom {
  const doc: Record<string, unknown> = {};
  const creationInfo: Record<string, unknown> = { creators: [] as string[] };
  const packages: Record<string, unknown>[] = [];
  const relationships: Record<string, unknown>[] = [];
  const lines = new Map<string, number>();
  let pkg: Record<string, unknown> | null = null;
  /** After a FileName/SnippetSPDXID tag, SPDXID lines belong to that file: not a package. */
  let inOther = false;
  const src = text.split(/\r?\n/);
  const maxComponents = limits.maxComponents ?? 2_000_000;
  for (let i = 0; i < src.length; i++) {
    const lineNo = i + 1;
    const raw = src[i];
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const colon = raw.indexOf(':');
    if (colon <= 0) throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `expected "Tag: value" at line ${lineNo}`, line: lineNo, field: `line ${lineNo}` });
    const tag = raw.slice(0, colon).trim();
    let value = raw.slice(colon + 1).trim();
    if (value.startsWith('<text>')) {
      // Multi-line value: runs to the first </text>.
      let acc = value.slice(6);
      let j = i;
      while (!acc.includes('</text>')) {
        j++;
        if (j >= src.length) throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `<text> opened at line ${lineNo} is never closed`, line: lineNo, field: `line ${lineNo}` });
        acc += `\n${src[j]}`;
      }
      value = acc.slice(0, acc.indexOf('</text>'));
      i = j;
    }
    if (tag === 'PackageName') {
      if (packages.length >= maxComponents) throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: maxComponents, what: 'components', field: `line ${lineNo}` });
      pkg = {};
      inOther = false;
      lines.set(`/packages/${packages.length}`, lineNo);
      packages.push(pkg);
    } else if (tag === 'FileName' || tag === 'SnippetSPDXID' || tag === 'LicenseID') {
      pkg = null;
      inOther = true;
    }
    if (tag === 'Creator') (creationInfo.creators as string[]).push(value);
    else if (tag === 'Created') creationInfo.created = value;
    else if (tag === 'LicenseListVersion') creationInfo.licenseListVersion = value;
    else if (tag === 'Relationship') {
      const parts = value.split(/\s+/);
      if (parts.length !== 3) throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `Relationship needs "<element> <TYPE> <element>" at line ${lineNo}`, line: lineNo, field: `line ${lineNo}` });
      lines.set(`/relationships/${relationships.length}`, lineNo);
      relationships.push({ spdxElementId: parts[0], relationshipType: parts[1], relatedSpdxElement: parts[2] });
    } else if (tag === 'ExternalRef' && pkg) {
      const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(value);
      if (!m) throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: `ExternalRef needs "<category> <type> <locator>" at line ${lineNo}`, line: lineNo, field: `line ${lineNo}` });
      ((pkg.externalRefs ??= []) as unknown[]).push({ referenceCategory: m[1], referenceType: m[2], referenceLocator: m[3] });
    } else if (pkg && PACKAGE_TAGS[tag]) {
      pkg[PACKAGE_TAGS[tag]] = tag === 'FilesAnalyzed' ? value.toLowerCase() === 'true' : value;
    } else if (!pkg && !inOther && DOCUMENT_TAGS[tag]) {
      doc[DOCUMENT_TAGS[tag]] = value;
      lines.set(`/${DOCUMENT_TAGS[tag]}`, lineNo);
    }
  }
  doc.creationInfo = creationInfo;
  if (packages.length) doc.packages = packages;
  if (relationships.length) doc.relationships = relationships;
  if (doc.spdxVersion === undefined) throw new MamoriError('MAMORI_SUPPLY_SBOM_FORMAT', { reason: 'tag-value document without SPDXVersion' });
  return readSpdx(doc, 'tag-value', limits, (path) => {
    for (let p = path; p.length > 0; p = p.slice(0, p.lastIndexOf('/'))) {
      const l = lines.get(p);
      if (l !== undefined) return `line ${l}`;
    }
    return undefined;
  });
}
