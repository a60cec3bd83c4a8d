import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/survey. Add new codes here, prefixed MAMORI_SURVEY_. */
export const surveyErrors = {
  MAMORI_SURVEY_INPUT: { message: '{reason}', status: 400 },
} as const satisfies Record<string, ErrorSpec>;
