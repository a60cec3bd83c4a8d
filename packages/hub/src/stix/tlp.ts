/**
 * TLP 2.0 as STIX marking definitions, as the STIX store sees them. The level names and
 * marking ids are the hub's (access/tlp.ts holds the same table; these mirror it so the
 * STIX code has no load-order dependency on the community model). TLP 1.0's built-in STIX
 * markings are accepted and mapped (WHITE → CLEAR); the strictest marking wins.
 */

export type StixTlp = 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED';

export const STIX_TLP_LEVELS: readonly StixTlp[] = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];
const RANK: Readonly<Record<StixTlp, number>> = { CLEAR: 0, GREEN: 1, AMBER: 2, 'AMBER+STRICT': 3, RED: 4 };

const EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** TLP 2.0 marking-definition ids. */
export const TLP2_MARKINGS: Readonly<Record<StixTlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** STIX 2.1 built-in TLP 1.0 markings (STIX 2.1 §7.2.1.4) and the TLP 2.0 level each maps to. */
export const TLP1_MARKINGS: Readonly<Record<string, StixTlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR', // TLP:WHITE
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const BY_ID: ReadonlyMap<string, StixTlp> = new Map<string, StixTlp>([
  ...(Object.entries(TLP2_MARKINGS) as [StixTlp, string][]).map(([l, id]): [string, StixTlp] => [id, l]),
  ...Object.entries(TLP1_MARKINGS),
]);

export function tlpRankOf(level: StixTlp): number {
  return RANK[level];
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
  for (const l of levels) if (best === undefined || RANK[l] > RANK[best]) best = l;
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
