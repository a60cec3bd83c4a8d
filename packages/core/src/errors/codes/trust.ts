import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/trust. Add new codes here, prefixed MAMORI_TRUST_. */
export const trustErrors = {
  MAMORI_TRUST_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
