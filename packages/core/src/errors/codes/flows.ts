import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/flows. Add new codes here, prefixed MAMORI_FLOWS_. */
export const flowsErrors = {
  MAMORI_FLOWS_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
