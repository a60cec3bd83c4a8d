/**
 * CycloneDX XML, in two passes.
 *
 * 1. saxes (a streaming, non-validating parser that never fetches anything) reads the text
 *    first. A DOCTYPE is refused outright: with no DTD there are no entity declarations, so
 *    neither external entities (XXE) nor nested expansion (billion laughs) can happen, and
 *    saxes itself rejects references to undeclared entities. The namespace gives the version;
 *    the component limit applies here. Only what mamori uses is kept (components with their
 *    identities, nested components, metadata.component, dependencies), in CycloneDX's JSON shape.
 * 2. The whole document is then validated against the official XSD of that version (xsd.ts):
 *    errors name the line, the XPath and the JSON path of the offending element.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { MamoriError } from '@mamori/core';
import { buildCyclonedx, checkCyclonedxVersion } from './cyclonedx.js';
import { DEFAULT_LIMITS, type Sbom, type SbomLimits } from './model.js';
import { validateCyclonedxXsd, validateCyclonedxXsdAsync, type XsdOptions, type XsdResult } from './xsd.js';
import { xsdError } from './xsd-errors.js';

const NS_PREFIX = 'http://cyclonedx.org/schema/bom/';
/** libxml2's own limit without XML_PARSE_HUGE. */
const MAX_DEPTH = 256;
/** Leaf elements of <component> kept as JSON string properties. */
const COMPONENT_FIELDS = new Set(['name', 'version', 'group', 'purl', 'cpe', 'description', 'publisher', 'scope']);

interface Frame {
  local: string;
  line: number;
  /** The JSON object this element builds, if any. */
  obj?: Record<string, unknown>;
  /** JSON path of `obj`. */
  path?: string;
  text?: string;
}

interface ParsedXml { doc: Record<string, unknown>; version: string }

export function readCyclonedxXml(text: string, limits: SbomLimits = {}): Sbom {
  const parsed = parseCyclonedxXml(text, limits);
  return finish(text, parsed, validateCyclonedxXsd(text, parsed.version, xsdOptions(limits)), limits);
}

/** The same, with the XSD validation off this thread (see xsd.ts). */
export async function readCyclonedxXmlAsync(text: string, limits: SbomLimits = {}): Promise<Sbom> {
  const parsed = parseCyclonedxXml(text, limits);
  return finish(text, parsed, await validateCyclonedxXsdAsync(text, parsed.version, xsdOptions(limits)), limits);
}

const xsdOptions = (limits: SbomLimits): XsdOptions => ({
  timeoutMs: limits.xsdTimeoutMs ?? DEFAULT_LIMITS.xsdTimeoutMs,
  maxMemoryMiB: limits.xsdMemoryMiB ?? DEFAULT_LIMITS.xsdMemoryMiB,
});

function finish(text: string, { doc, version }: ParsedXml, result: XsdResult, limits: SbomLimits): Sbom {
  if (!result.valid) {
    const first = result.problems[0] ?? { message: 'invalid' };
    if (result.unreadable) {
      throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason: first.message, ...(first.line !== undefined ? { line: first.line, field: `line ${first.line}` } : {}) });
    }
    throw xsdError(text, version, first, result.total);
  }
  return buildCyclonedx(doc, version, 'xml', limits);
}

/** Pass 1: well-formedness, no DOCTYPE, the version from the namespace, limits, the JSON shape. */
function parseCyclonedxXml(text: string, limits: SbomLimits): ParsedXml {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const doc: Record<string, unknown> = { bomFormat: 'CycloneDX' };
  const stack: Frame[] = [];
  let version: string | undefined;
  let componentCount = 0;
  const maxComponents = limits.maxComponents ?? 2_000_000;

  const fail = (reason: string): never => {
    throw new MamoriError('MAMORI_SUPPLY_SBOM_PARSE', { reason, line: parser.line, field: `line ${parser.line}` });
  };
  parser.on('doctype', () => {
    throw new MamoriError('MAMORI_SUPPLY_XML_FORBIDDEN', { construct: 'DOCTYPE', line: parser.line, field: `line ${parser.line}` });
  });
  parser.on('error', (e) => fail(e.message));

  parser.on('opentag', (tag: SaxesTagNS) => {
    // libxml2 (the XSD validator) refuses deeper documents with no useful message: say it here.
    if (stack.length >= MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`);
    const parent = stack[stack.length - 1];
    const frame: Frame = { local: tag.local, line: parser.line };
    const attr = (n: string): string | undefined => tag.attributes[n]?.value;
    if (!parent) {
      if (tag.local !== 'bom' || !tag.uri.startsWith(NS_PREFIX)) fail(`root element must be <bom> in namespace ${NS_PREFIX}<version>, found <${tag.name}> (${tag.uri || 'no namespace'})`);
      version = checkCyclonedxVersion(tag.uri.slice(NS_PREFIX.length));
      doc.specVersion = version;
      if (attr('serialNumber') !== undefined) doc.serialNumber = attr('serialNumber');
      if (attr('version') !== undefined) doc.version = Number(attr('version'));
      frame.obj = doc;
      frame.path = '';
    } else if (tag.local === 'component' && (parent.local === 'components' || parent.local === 'metadata')) {
      if (++componentCount > maxComponents) throw new MamoriError('MAMORI_SUPPLY_SBOM_TOO_LARGE', { limit: maxComponents, what: 'components', field: `line ${parser.line}` });
      const owner = stack[stack.length - 2]?.obj;
      const c: Record<string, unknown> = {};
      if (attr('type') !== undefined) c.type = attr('type');
      if (attr('bom-ref') !== undefined) c['bom-ref'] = attr('bom-ref');
      if (parent.local === 'metadata') {
        (parent.obj as Record<string, unknown>).component = c;
        frame.path = `${parent.path}/component`;
      } else if (owner) {
        const list = (owner.components ??= []) as unknown[];
        frame.path = `${stack[stack.length - 2].path}/components/${list.length}`;
        list.push(c);
      }
      frame.obj = c;
    } else if (tag.local === 'metadata' && parent.obj === doc) {
      frame.obj = (doc.metadata = {}) as Record<string, unknown>;
      frame.path = '/metadata';
    } else if (tag.local === 'dependency' && parent.local === 'dependencies') {
      const list = (doc.dependencies ??= []) as unknown[];
      frame.path = `/dependencies/${list.length}`;
      frame.obj = { ref: attr('ref') };
      list.push(frame.obj);
    } else if (tag.local === 'dependency' && parent.local === 'dependency' && parent.obj) {
      ((parent.obj.dependsOn ??= []) as unknown[]).push(attr('ref'));
    } else if (parent.obj && parent.local === 'component' && (COMPONENT_FIELDS.has(tag.local) || tag.local === 'supplier')) {
      frame.text = '';
      if (tag.local === 'supplier') { frame.obj = (parent.obj.supplier = {}) as Record<string, unknown>; frame.text = undefined; }
    } else if (parent.local === 'supplier' && tag.local === 'name' && parent.obj) {
      frame.text = '';
    }
    stack.push(frame);
  });

  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top && top.text !== undefined) {
      if (top.text.length + t.length > 65_536) fail(`<${top.local}> text longer than 64 KiB`);
      top.text += t;
    }
  });

  parser.on('closetag', () => {
    const frame = stack.pop()!;
    const parent = stack[stack.length - 1];
    if (frame.text !== undefined && parent?.obj) parent.obj[frame.local] = frame.text.trim();
  });

  // Chunks keep saxes's internal buffers small on large documents.
  const CHUNK = 1 << 20;
  for (let i = 0; i < text.length; i += CHUNK) parser.write(text.slice(i, i + CHUNK));
  parser.close();
  return { doc, version: version ?? fail('no <bom> element') };
}
