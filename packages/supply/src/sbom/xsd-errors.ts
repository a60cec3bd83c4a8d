/**
 * xmllint's validity messages as typed errors: the line it named, the element's XPath and JSON
 * path, and, when the element, attribute or value exists only in another CycloneDX version, a
 * hint that the namespace (which is the version in XML) is the likely mistake.
 */
import { MamoriError } from '@mamori/core';
import { CYCLONEDX_VERSIONS } from './schemas.js';
import { locateXmlElement } from './xml-locate.js';
import { cyclonedxXsdFiles, type XsdProblem } from './xsd.js';

const names = new Map<string, Set<string>>();

/** Element and attribute names and enumeration values a version's XSD declares. */
function declared(version: string): Set<string> {
  let set = names.get(version);
  if (!set) {
    set = new Set();
    for (const f of cyclonedxXsdFiles(version)) {
      for (const m of f.contents.matchAll(/<xs:(element|attribute|enumeration)\b[^>]*?\b(name|value)="([^"]+)"/g)) set.add(`${m[1]}:${m[3]}`);
    }
    names.set(version, set);
  }
  return set;
}

/** The other supported versions whose XSD declares `key` while `version`'s does not. */
function versionHint(version: string, key: string, what: string): string {
  if (declared(version).has(key)) return '';
  const others = CYCLONEDX_VERSIONS.filter((v) => v !== version && available(v) && declared(v).has(key));
  return others.length === 0 ? '' : `; ${what} is CycloneDX ${others.join('/')}, but the document's namespace says ${version}`;
}

function available(version: string): boolean {
  try { cyclonedxXsdFiles(version); return true; } catch { return false; }
}

/** The first validity problem as MAMORI_SUPPLY_SBOM_SCHEMA, naming line, XPath and JSON path. */
export function xsdError(text: string, version: string, problem: XsdProblem, count: number): MamoriError {
  // "Schemas validity error : Element '{ns}component', attribute 'type': [facet ...] ..."
  const message = problem.message.replace(/^.*?validity error\s*:\s*/, '');
  const el = /Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '([^']+)')?/.exec(message);
  const local = el?.[1];
  const attribute = el?.[2];
  let reason = message.replace(/\{http:\/\/cyclonedx\.org\/schema\/[^}]*\}/g, '');
  if (reason.length > 600) reason = `${reason.slice(0, 600)}…`;
  if (local && /This element is not expected/.test(message)) reason += versionHint(version, `element:${local}`, `<${local}>`);
  const notAllowed = /The attribute '([^']+)' is not allowed/.exec(message);
  if (notAllowed) reason += versionHint(version, `attribute:${notAllowed[1]}`, `attribute ${notAllowed[1]}`);
  const value = /\[facet 'enumeration'\] The value '([^']*)'/.exec(message);
  if (value) reason += versionHint(version, `enumeration:${value[1]}`, `the value '${value[1]}'`);
  if (count > 1) reason += ` (and ${count - 1} more problem${count > 2 ? 's' : ''})`;
  const place = problem.line !== undefined ? locateXmlElement(text, problem.line, local, attribute) : undefined;
  return new MamoriError('MAMORI_SUPPLY_SBOM_SCHEMA', {
    schema: `CycloneDX ${version} XSD`,
    field: place?.field ?? '/',
    ...(place ? { xpath: place.xpath } : {}),
    ...(problem.line !== undefined ? { line: `line ${problem.line}` } : {}),
    reason: problem.line !== undefined ? `${reason} (line ${problem.line})` : reason,
  });
}
