import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/flows. Add new codes here, prefixed MAMORI_FLOWS_. */
export const flowsErrors = {
  MAMORI_FLOWS_INPUT: { message: '{reason}', status: 400 },
  MAMORI_FLOWS_TRUNCATED: { message: 'flow export packet truncated: {what} needs {need} bytes, {have} left', status: 400 },
  MAMORI_FLOWS_VERSION: { message: 'unsupported flow export version {version}', status: 400 },
  MAMORI_FLOWS_HEADER: { message: 'bad flow export header: {reason}', status: 400 },
  MAMORI_FLOWS_SET: { message: 'bad flow set: {reason}', status: 400 },
  MAMORI_FLOWS_TEMPLATE: { message: 'bad template: {reason}', status: 400 },
  MAMORI_FLOWS_LIMIT: { message: 'flow collector limit reached: {reason}', status: 429 },
  MAMORI_FLOWS_CSV: { message: 'bad nfdump CSV: {reason}', status: 400 },
  MAMORI_FLOWS_NOT_FOUND: { message: '{what} not found', status: 404 },
  MAMORI_FLOWS_FORBIDDEN: { message: '{reason}', status: 403 },
} as const satisfies Record<string, ErrorSpec>;
