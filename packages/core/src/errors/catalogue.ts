/**
 * The one catalogue of error codes a mamori user can see (in the manner of Fastify's
 * `lib/errors.js`). Each part keeps its own block in its own file below so parts can grow
 * their codes without touching each other; this file merges them and guarantees that a
 * code is defined once.
 */
import { coreErrors } from './codes/core.js';
import { telescopeErrors } from './codes/telescope.js';
import { surveyErrors } from './codes/survey.js';
import { flowsErrors } from './codes/flows.js';
import { hubErrors } from './codes/hub.js';
import { trustErrors } from './codes/trust.js';
import { supplyErrors } from './codes/supply.js';
import { demoErrors } from './codes/demo.js';

export interface ErrorSpec {
  /** Human message; `{name}` placeholders are filled from the error's details. */
  readonly message: string;
  /** HTTP status the server answers with when this error escapes a route. */
  readonly status: number;
}

export const errorCatalogue = {
  ...coreErrors,
  ...telescopeErrors,
  ...surveyErrors,
  ...flowsErrors,
  ...hubErrors,
  ...trustErrors,
  ...supplyErrors,
  ...demoErrors,
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;
