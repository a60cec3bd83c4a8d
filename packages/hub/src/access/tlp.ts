/**
 * Traffic Light Protocol 2.0 (FIRST, 2022) and its STIX 2.1 marking definitions.
 *
 * Levels are ordered from the loosest to the strictest; `strictestTlp` is how derived
 * objects inherit markings (the strictest marking wins).
 */
import { MamoriError } from '@mamori/core';

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

/** TLP 2.0 marking-definition ids (extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d). */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d';
export const TLP2_MARKING_IDS: Readonly<Record<Tlp, string>> = {
  CLEAR: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  GREEN: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  AMBER: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  RED: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

/** The STIX 2.1 built-in TLP 1.0 marking definitions and the TLP 2.0 level each maps to. */
export const TLP1_MARKING_IDS: Readonly<Record<string, Tlp>> = {
  'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9': 'CLEAR', // TLP:WHITE
  'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da': 'GREEN',
  'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82': 'AMBER',
  'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed': 'RED',
};

const RANK: Readonly<Record<Tlp, number>> = { CLEAR: 0, GREEN: 1, AMBER: 2, 'AMBER+STRICT': 3, RED: 4 };

export function tlpRank(tlp: Tlp): number {
  return RANK[tlp];
}

export function isTlp(value: unknown): value is Tlp {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}

/**
 * Reads a TLP label as people and other tools write it: `TLP:AMBER+STRICT`, `amber`,
 * TLP 1.0's `WHITE` (→ CLEAR). Throws MAMORI_HUB_INPUT naming `field` otherwise.
 */
export function parseTlp(value: unknown, field = 'tlp'): Tlp {
  if (typeof value === 'string') {
    const label = value.trim().toUpperCase().replace(/^TLP:/, '').replace(/\s+/g, '');
    if (label === 'WHITE') return 'CLEAR';
    if (isTlp(label)) return label;
  }
  throw new MamoriError('MAMORI_HUB_INPUT', { field, reason: `${field} must be one of ${TLP_LEVELS.join(', ')} (TLP 1.0 WHITE is read as CLEAR)` });
}

/** The level a STIX marking-definition id stands for (TLP 2.0 or the TLP 1.0 built-ins), or undefined. */
export function tlpFromMarkingId(id: string): Tlp | undefined {
  for (const [tlp, markingId] of Object.entries(TLP2_MARKING_IDS)) if (markingId === id) return tlp as Tlp;
  return TLP1_MARKING_IDS[id];
}

/** The strictest of several markings (derived objects inherit it). CLEAR when none is given. */
export function strictestTlp(levels: Iterable<Tlp>): Tlp {
  let out: Tlp = 'CLEAR';
  for (const l of levels) if (RANK[l] > RANK[out]) out = l;
  return out;
}
