/**
 * TLP 2.0 as STIX marking definitions. TLP 1.0's built-in STIX 2.1 markings are accepted
 * and mapped (WHITE → CLEAR); the strictest marking on an object wins.
 */

export type TlpLevel = 'clear' | 'green' | 'amber' | 'amber+strict' | 'red';

/** Strictness order: a higher rank is more restrictive. */
export const TLP_RANK: Readonly<Record<TlpLevel, number>> = { clear: 0, green: 1, amber: 2, 'amber+strict': 3, red: 4 };
export const TLP_LEVELS: readonly TlpLevel[] = ['clear', 'green', 'amber', 'amber+strict', 'red'];

/** The TLP 2.0 extension definition that the TLP 2.0 marking definitions use. */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';

/** TLP 2.0 marking-definition ids (FIRST / OASIS TLP 2.0 STIX objects). */
export const TLP2_MARKING_IDS: Readonly<Record<TlpLevel, string>> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** STIX 2.1 built-in TLP 1.0 marking definitions (STIX 2.1 §7.2.1.4). */
export const TLP1_MARKING_IDS = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
} as const;

const BY_MARKING_ID: ReadonlyMap<string, TlpLevel> = new Map<string, TlpLevel>([
  ...(Object.entries(TLP2_MARKING_IDS) as [TlpLevel, string][]).map(([l, id]) => [id, l] as [string, TlpLevel]),
  [TLP1_MARKING_IDS.white, 'clear'],
  [TLP1_MARKING_IDS.green, 'green'],
  [TLP1_MARKING_IDS.amber, 'amber'],
  [TLP1_MARKING_IDS.red, 'red'],
]);

/** The TLP level a marking-definition id stands for, or undefined when it is not a TLP marking. */
export function tlpOfMarking(markingId: string): TlpLevel | undefined {
  return BY_MARKING_ID.get(markingId);
}

/** Parses `clear`, `TLP:AMBER+STRICT`, `white` (TLP 1.0) ... into a level. */
export function parseTlp(text: string): TlpLevel | undefined {
  const t = text.trim().toLowerCase().replace(/^tlp:/, '');
  if (t === 'white') return 'clear';
  return (TLP_LEVELS as readonly string[]).includes(t) ? (t as TlpLevel) : undefined;
}

export function strictest(levels: Iterable<TlpLevel>): TlpLevel | undefined {
  let best: TlpLevel | undefined;
  for (const l of levels) if (best === undefined || TLP_RANK[l] > TLP_RANK[best]) best = l;
  return best;
}

/** The strictest TLP among marking refs; non-TLP markings are ignored here. */
export function tlpOfRefs(refs: readonly string[] | undefined): TlpLevel | undefined {
  return strictest((refs ?? []).map(tlpOfMarking).filter((l): l is TlpLevel => l !== undefined));
}

const TLP2_NAMES: Readonly<Record<TlpLevel, string>> = {
  clear: 'TLP:CLEAR', green: 'TLP:GREEN', amber: 'TLP:AMBER', 'amber+strict': 'TLP:AMBER+STRICT', red: 'TLP:RED',
};

/** The TLP 2.0 marking-definition object itself, as published by FIRST/OASIS. */
export function tlp2MarkingDefinition(level: TlpLevel): Record<string, unknown> {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[level],
    created: '2022-10-01T00:00:00.000Z',
    name: TLP2_NAMES[level],
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
  };
}
