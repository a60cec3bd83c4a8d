import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/hub. Add new codes here, prefixed MAMORI_HUB_. */
export const hubErrors = {
  MAMORI_HUB_INPUT: { message: '{reason}', status: 400 },
  MAMORI_HUB_UNAUTHENTICATED: { message: 'authentication required: {reason}', status: 401 },
  MAMORI_HUB_LOGIN_FAILED: { message: 'wrong user name or password', status: 401 },
  MAMORI_HUB_LOCKED: { message: 'account locked after repeated failed logins; try again after {until}', status: 429 },
  MAMORI_HUB_LOGIN_THROTTLED: { message: 'too many failed logins from your network; try again after {until}', status: 429 },
  MAMORI_HUB_FORBIDDEN: { message: 'not allowed: {reason}', status: 403 },
  MAMORI_HUB_NOT_FOUND: { message: '{what} {id} not found', status: 404 },
  MAMORI_HUB_CONFLICT: { message: '{reason}', status: 409 },
  MAMORI_HUB_STATE: { message: 'cannot {action} a report in state {state}', status: 409 },
  MAMORI_HUB_TOO_LARGE: { message: '{what} is {size} bytes; the limit is {limit}', status: 413 },
  MAMORI_HUB_RELAY_IDENTITY: { message: 'relayed text still names the reporter ({found}) in {field}; edit it before relay', status: 422 },
  MAMORI_HUB_AUDIT_BROKEN: { message: 'audit log broken at entry {seq}: {reason}', status: 500 },
  MAMORI_HUB_DELIVERY: { message: 'delivery to {target} failed: {reason}', status: 502 },
  // STIX 2.1 / TAXII 2.1 (issue 10)
  MAMORI_HUB_STIX_INVALID: { message: 'invalid STIX: {reason}', status: 400 },
  MAMORI_HUB_STIX_PATTERN: { message: 'invalid STIX pattern: {reason}', status: 400 },
  MAMORI_HUB_STIX_CONFLICT: { message: 'conflicting STIX object version: {reason}', status: 409 },
  MAMORI_HUB_TAXII_BAD_REQUEST: { message: 'TAXII: {reason}', status: 400 },
  MAMORI_HUB_TAXII_CURSOR: { message: 'TAXII: invalid next cursor ({reason})', status: 400 },
  MAMORI_HUB_TAXII_UNAUTHORIZED: { message: 'TAXII: authentication required', status: 401 },
  MAMORI_HUB_TAXII_FORBIDDEN: { message: 'TAXII: {reason}', status: 403 },
  MAMORI_HUB_TAXII_NOT_FOUND: { message: 'TAXII: {what} not found', status: 404 },
  MAMORI_HUB_TAXII_NOT_ACCEPTABLE: { message: 'TAXII: cannot answer with {accept}; use application/taxii+json;version=2.1', status: 406 },
  MAMORI_HUB_TAXII_TOO_LARGE: { message: 'TAXII: request of {size} bytes exceeds max_content_length {max}', status: 413 },
  MAMORI_HUB_TAXII_MEDIA_TYPE: { message: 'TAXII: unsupported media type {contentType}; send application/taxii+json;version=2.1', status: 415 },
  MAMORI_HUB_TAXII_REMOTE: { message: 'TAXII server {url} answered {status}: {reason}', status: 502 },
} as const satisfies Record<string, ErrorSpec>;
