import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/hub. Add new codes here, prefixed MAMORI_HUB_. */
export const hubErrors = {
  MAMORI_HUB_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
