import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/telescope. Add new codes here, prefixed MAMORI_TELESCOPE_. */
export const telescopeErrors = {
  MAMORI_TELESCOPE_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
