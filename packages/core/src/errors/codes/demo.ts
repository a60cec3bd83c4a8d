import type { ErrorSpec } from '../catalogue.js';

/** Error codes of `mamori demo` (apps/server/src/demo). Add new codes here, prefixed MAMORI_DEMO_. */
export const demoErrors = {
  MAMORI_DEMO_PRESENT: { message: '{reason}', status: 409 },
  /** Removal deletes the demo's time windows, so they must hold no other data. */
  MAMORI_DEMO_OCCUPIED: { message: 'demo refused ({part}): {reason}', status: 409 },
  MAMORI_DEMO_FORBIDDEN: { message: 'not allowed: {reason}', status: 403 },
} as const satisfies Record<string, ErrorSpec>;
