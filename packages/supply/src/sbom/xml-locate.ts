/**
 * Turns "line N, element X" (what xmllint reports) back into the element's place in the
 * document: an XPath (`/bom/components/component[2]/@type`) and the JSON path the same element
 * has in CycloneDX's JSON encoding (`/components/1/type`), so XML and JSON documents name a
 * fault the same way. Only run after a validation failed: one more pass over the text, stopped
 * at the element found.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlPlace { xpath: string; field: string }

interface Frame { local: string; xpath: string; field: string; counts: Map<string, number> }

/** A list container and its item: components/component, hashes/hash, properties/property, dependencies/dependency. */
function isListItem(parent: string, child: string): boolean {
  const p = parent.toLowerCase();
  const c = child.toLowerCase();
  return p.endsWith(`${c}s`) || p.endsWith(`${c}es`) || (c.endsWith('y') && p.endsWith(`${c.slice(0, -1)}ies`));
}

const FOUND = Symbol('found');

/**
 * Where the element `local` reported at `line` is. libxml2 names the line where a start tag
 * ends, or (for "missing child" in streaming mode) where the end tag is; both are tried, in that
 * order, then the last element opened on or before the line.
 */
export function locateXmlElement(text: string, line: number, local?: string, attribute?: string): XmlPlace | undefined {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: Frame[] = [];
  let found: Frame | undefined;
  let before: Frame | undefined;
  let atEnd: Frame | undefined;
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = stack[stack.length - 1];
    const counts = parent?.counts;
    const n = counts ? (counts.get(tag.local) ?? 0) : 0;
    counts?.set(tag.local, n + 1);
    let field = '';
    if (parent && parent.xpath !== '') {
      if (parent.local === 'dependency' && tag.local === 'dependency') field = `${parent.field}/dependsOn/${n}`;
      else if (isListItem(parent.local, tag.local)) field = `${parent.field}/${n}`;
      else field = `${parent.field}/${tag.local}`;
    }
    const frame: Frame = { local: tag.local, xpath: `${parent ? parent.xpath : ''}/${tag.local}${n > 0 || (counts && isListItem(parent.local, tag.local)) ? `[${n + 1}]` : ''}`, field, counts: new Map() };
    // The root (<bom>) is the document itself: its JSON path is empty.
    if (!parent) frame.field = '';
    stack.push(frame);
    if (parser.line <= line) before = frame;
    if (parser.line === line && (local === undefined || tag.local === local)) { found = frame; throw FOUND; }
    if (parser.line > line) throw FOUND;
  });
  parser.on('closetag', () => {
    const frame = stack.pop()!;
    if (parser.line === line && atEnd === undefined && (local === undefined || frame.local === local)) atEnd = frame;
  });
  parser.on('error', () => { throw FOUND; });
  try {
    const CHUNK = 1 << 20;
    for (let i = 0; i < text.length; i += CHUNK) parser.write(text.slice(i, i + CHUNK));
    parser.close();
  } catch (e) {
    if (e !== FOUND) throw e;
  }
  const at = found ?? atEnd ?? before;
  if (!at) return undefined;
  return attribute
    ? { xpath: `${at.xpath}/@${attribute}`, field: `${at.field}/${attribute}` }
    : { xpath: at.xpath, field: at.field || '/' };
}
