/**
 * TLP 2.0 as STIX marking definitions, as the STIX store sees them. The level names and
 * marking ids are the hub's own table (access/tlp.ts). TLP 1.0's built-in STIX
 * markings are accepted and mapped (WHITE → CLEAR); the strictest marking wins.
 */

import { TLP1_MARKING_IDS, TLP2_EXTENSION_ID, TLP2_MARKING_IDS, TLP_LEVELS, tlpRank, type Tlp } from '../access/tlp.js';

export type StixTlp = Tlp;

export const STIX_TLP_LEVELS: readonly StixTlp[] = TLP_LEVELS;
const EXTENSION_ID = TLP2_EXTENSION_ID;

/** TLP 2.0 marking-definition ids (the hub's table). */
export const TLP2_MARKINGS: Readonly<Record<StixTlp, string>> = TLP2_MARKING_IDS;

/** STIX 2.1 built-in TLP 1.0 markings and the TLP 2.0 level each maps to (the hub's table). */
export const TLP1_MARKINGS: Readonly<Record<string, StixTlp>> = TLP1_MARKING_IDS;

const BY_ID: ReadonlyMap<string, StixTlp> = new Map<string, StixTlp>([
  ...(Object.entries(TLP2_MARKINGS) as [StixTlp, string][]).map(([l, id]): [string, StixTlp] => [id, l]),
  ...Object.entries(TLP1_MARKINGS),
]);

export function tlpRankOf(level: StixTlp): number {
  return tlpRank(level);
}

/** The TLP level a marking-definition id stands for, or undefined when it is not a TLP marking. */
export function tlpOfMarking(markingId: string): StixTlp | undefined {
  return BY_ID.get(markingId);
}

/** Reads `TLP:AMBER+STRICT`, `amber`, `white` (TLP 1.0 → CLEAR); undefined otherwise. */
export function readTlp(text: string): StixTlp | undefined {
  const t = text.trim().toUpperCase().replace(/^TLP:/, '');
  if (t === 'WHITE') return 'CLEAR';
  return (STIX_TLP_LEVELS as readonly string[]).includes(t) ? (t as StixTlp) : undefined;
}

export function strictestOf(levels: Iterable<StixTlp>): StixTlp | undefined {
  let best: StixTlp | undefined;
  for (const l of levels) if (best === undefined || tlpRank(l) > tlpRank(best)) best = l;
  return best;
}

/** The strictest TLP among marking refs; non-TLP markings are ignored here. */
export function tlpOfRefs(refs: unknown): StixTlp | undefined {
  if (!Array.isArray(refs)) return undefined;
  return strictestOf(refs.map((r) => (typeof r === 'string' ? tlpOfMarking(r) : undefined)).filter((l): l is StixTlp => l !== undefined));
}

/** The TLP 2.0 marking-definition object itself, as FIRST/OASIS publish it. */
export function tlp2MarkingDefinition(level: StixTlp): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKINGS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${level}`,
    extensions: { [EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level.toLowerCase() } },
  };
}
