import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/survey. Add new codes here, prefixed MAMORI_SURVEY_. */
export const surveyErrors = {
  MAMORI_SURVEY_INPUT: { message: '{reason}', status: 400 },
  MAMORI_SURVEY_SCOPE_REQUIRED: { message: 'a survey needs an authorised scope (at least one CIDR prefix)', status: 400 },
  MAMORI_SURVEY_OUT_OF_SCOPE: { message: 'refused to contact {address}: {reason}', status: 403 },
  MAMORI_SURVEY_SCOPE_FILE: { message: 'bad scope entry "{input}" at line {line}', status: 400 },
  MAMORI_SURVEY_TELNET_PROTOCOL: { message: 'telnet: {reason}', status: 502 },
  MAMORI_SURVEY_HTTP_PROTOCOL: { message: 'http: {reason}', status: 502 },
  MAMORI_SURVEY_AUTH_HEADER: { message: 'WWW-Authenticate: {reason}', status: 502 },
  MAMORI_SURVEY_IP2ASN: { message: 'ip2asn table: {reason} at line {line}', status: 400 },
  MAMORI_SURVEY_DICTIONARY: { message: 'credential dictionary: {reason}', status: 400 },
  MAMORI_SURVEY_NOT_FOUND: { message: '{what} {id} not found', status: 404 },
  MAMORI_SURVEY_BATCH_STATE: { message: 'batch {id} is {from}; cannot become {to}', status: 409 },
  MAMORI_SURVEY_FORBIDDEN: { message: 'not allowed: {reason}', status: 403 },
  MAMORI_SURVEY_ABORTED: { message: 'survey stopped before connecting to {address}:{port}', status: 409 },
  MAMORI_SURVEY_CLAIM_LOST: { message: 'item {item} of run {runId} was taken over by {holder}', status: 409 },
  MAMORI_SURVEY_CONNECT: { message: 'connect to {address}:{port} failed: {reason}', status: 502 },
} as const satisfies Record<string, ErrorSpec>;
