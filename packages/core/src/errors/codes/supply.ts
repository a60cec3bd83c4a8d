import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/supply. Add new codes here, prefixed MAMORI_SUPPLY_. */
export const supplyErrors = {
  MAMORI_SUPPLY_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
