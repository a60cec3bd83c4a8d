/**
 * How markings decide who sees what of a STIX object.
 *
 * - The object-level TLP is the strictest TLP among `object_marking_refs` (TLP 1.0 ids map
 *   to TLP 2.0), else the collection's default.
 * - A granular marking on an essential property (one without which the object says nothing:
 *   its pattern, value, name, references, ...) raises the object-level TLP: the object is
 *   only listed to those who may read it whole.
 * - A granular marking on any other property is honoured on read by removing that property
 *   (and the marking entry) for a reader whom the marking does not admit.
 */
import { readTlp, strictestOf, tlpOfMarking, TLP2_MARKINGS, tlpRankOf, type StixTlp } from './tlp.js';

type StixObject = Record<string, unknown>;

const ESSENTIAL = new Set([
  'created', 'modified', 'pattern', 'pattern_type', 'valid_from', 'value', 'name', 'relationship_type', 'source_ref', 'target_ref',
  'sighting_of_ref', 'object_refs', 'first_observed', 'last_observed', 'number_observed', 'published', 'is_family', 'hashes',
  'protocols', 'src_ref', 'dst_ref', 'number', 'path', 'key', 'content', 'opinion', 'context', 'product', 'is_multipart',
]);

interface GranularTlp {
  level: StixTlp;
  /** Top-level properties the marking selects. */
  properties: string[];
}

function granularTlps(o: StixObject): GranularTlp[] {
  const out: GranularTlp[] = [];
  if (!Array.isArray(o.granular_markings)) return out;
  for (const g of o.granular_markings as { marking_ref?: unknown; selectors?: unknown }[]) {
    const level = typeof g?.marking_ref === 'string' ? tlpOfMarking(g.marking_ref) : undefined;
    if (!level || !Array.isArray(g.selectors)) continue;
    out.push({ level, properties: g.selectors.filter((s): s is string => typeof s === 'string').map((s) => s.split('.')[0]) });
  }
  return out;
}

/** The TLP under which the object may be listed at all. */
export function effectiveTlp(o: StixObject, fallback: StixTlp): StixTlp {
  const levels: StixTlp[] = [];
  const objectLevel = strictestOf((Array.isArray(o.object_marking_refs) ? o.object_marking_refs : [])
    .map((r) => (typeof r === 'string' ? tlpOfMarking(r) : undefined)).filter((l): l is StixTlp => !!l));
  levels.push(objectLevel ?? fallback);
  for (const g of granularTlps(o)) if (g.properties.some((p) => ESSENTIAL.has(p))) levels.push(g.level);
  return strictestOf(levels)!;
}

/**
 * The object as a reader who may read the TLP levels `readable` sees it: properties under
 * granular markings the reader may not read are removed, with their marking entries.
 * Returns the same object when nothing is withheld.
 */
export function redactGranular(o: StixObject, readable: (level: StixTlp) => boolean): StixObject {
  const withheld = granularTlps(o).filter((g) => !readable(g.level));
  if (withheld.length === 0) return o;
  const drop = new Set(withheld.flatMap((g) => g.properties));
  const out: StixObject = {};
  for (const [k, v] of Object.entries(o)) if (!drop.has(k)) out[k] = v;
  const kept = (o.granular_markings as { selectors?: unknown }[]).filter((g) =>
    !(Array.isArray(g?.selectors) && g.selectors.some((s) => typeof s === 'string' && drop.has(s.split('.')[0]))));
  if (kept.length) out.granular_markings = kept;
  else delete out.granular_markings;
  return out;
}

/**
 * Marks an object with at least `level`: when it already carries a stricter TLP that one
 * stays (the strictest wins; loosening is for the originator, not for a publisher).
 */
export function applyTlp(o: StixObject, level: StixTlp): StixObject {
  if (o.type === 'marking-definition') return o;
  const refs = Array.isArray(o.object_marking_refs) ? (o.object_marking_refs as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  const current = strictestOf(refs.map(tlpOfMarking).filter((l): l is StixTlp => !!l));
  const target = current && tlpRankOf(current) > tlpRankOf(level) ? current : level;
  const others = refs.filter((r) => !tlpOfMarking(r));
  return { ...o, object_marking_refs: [...others, TLP2_MARKINGS[target]] };
}

export { readTlp };
