/**
 * CycloneDX (1.4–1.6, and 1.7 when the schema library ships it) read from its JSON shape.
 * The XML reader (cyclonedx-xml.ts) builds the same shape, so both go through this one
 * function after schema validation.
 */
import { MamoriError } from '@mamori/core';
import { SbomBuilder } from './builder.js';
import { isObject, str } from './json-text.js';
import type { Sbom, SbomEncoding, SbomLimits } from './model.js';
import { CYCLONEDX_VERSIONS, assertValid, cyclonedxValidator } from './schemas.js';

export function checkCyclonedxVersion(version: unknown): string {
  const v = typeof version === 'string' ? version : String(version);
  if (!(CYCLONEDX_VERSIONS as readonly string[]).includes(v)) {
    throw new MamoriError('MAMORI_SUPPLY_SBOM_VERSION', { format: 'CycloneDX', version: v.slice(0, 40), supported: CYCLONEDX_VERSIONS.join(', '), field: '/specVersion' });
  }
  return v;
}

/** Validates a CycloneDX JSON document against its official JSON schema and reads it. */
export function readCyclonedx(doc: Record<string, unknown>, encoding: SbomEncoding, limits: SbomLimits = {}): Sbom {
  const version = checkCyclonedxVersion(doc.specVersion);
  assertValid(cyclonedxValidator(version), doc, `CycloneDX ${version}`);
  return buildCyclonedx(doc, version, encoding, limits);
}

/** Reads an already validated document (JSON shape; the XML reader validates with the XSD). */
export function buildCyclonedx(doc: Record<string, unknown>, version: string, encoding: SbomEncoding, limits: SbomLimits = {}): Sbom {
  const b = new SbomBuilder(limits);
  const metadata = isObject(doc.metadata) ? doc.metadata : undefined;
  // Iterative walk: nested `components` can be deep, and recursion depth is the attacker's choice.
  const stack: { c: Record<string, unknown>; at: string; parent?: string }[] = [];
  const top = Array.isArray(doc.components) ? doc.components : [];
  for (let i = top.length - 1; i >= 0; i--) if (isObject(top[i])) stack.push({ c: top[i] as Record<string, unknown>, at: `/components/${i}` });
  // Pushed last, popped first: the described component comes first in the list.
  if (metadata && isObject(metadata.component)) stack.push({ c: metadata.component, at: '/metadata/component' });
  let rootSeen = false;
  while (stack.length > 0) {
    const { c, at, parent } = stack.pop()!;
    const supplier = isObject(c.supplier) ? str(c.supplier.name) : undefined;
    const ref = b.add({
      ref: str(c['bom-ref']), name: str(c.name) ?? '', version: str(c.version), group: str(c.group), type: str(c.type),
      supplier, purl: str(c.purl), cpe: str(c.cpe),
    }, at);
    if (!rootSeen && at === '/metadata/component') { b.root = ref; rootSeen = true; }
    // A nested component is part of its parent: an edge parent → child keeps the path.
    if (parent) b.depend(parent, ref);
    const nested = Array.isArray(c.components) ? c.components : [];
    for (let i = nested.length - 1; i >= 0; i--) if (isObject(nested[i])) stack.push({ c: nested[i] as Record<string, unknown>, at: `${at}/components/${i}`, parent: ref });
  }
  const deps = Array.isArray(doc.dependencies) ? doc.dependencies : [];
  for (const d of deps) {
    if (!isObject(d) || typeof d.ref !== 'string') continue;
    const on = Array.isArray(d.dependsOn) ? d.dependsOn : [];
    for (const t of on) if (typeof t === 'string') b.depend(d.ref, t);
  }
  return b.finish({
    format: 'cyclonedx', encoding, specVersion: version, serialNumber: str(doc.serialNumber),
    name: metadata && isObject(metadata.component) ? str(metadata.component.name) : undefined,
  });
}
