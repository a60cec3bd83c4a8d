import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/trust. Add new codes here, prefixed MAMORI_TRUST_. */
export const trustErrors = {
  MAMORI_TRUST_INPUT: { message: '{reason}', status: 400 },
  /** Bytes that are not the DER the structure requires (bad tag, length, nesting, value). */
  MAMORI_TRUST_DER: { message: 'malformed DER: {reason}', status: 400 },
  /** A well-formed structure carrying an algorithm, version or OID mamori does not accept. */
  MAMORI_TRUST_UNSUPPORTED: { message: 'unsupported: {reason}', status: 400 },
  /** Keys or certificates missing, unreadable, or not matching each other. */
  MAMORI_TRUST_KEYS: { message: 'trust keys: {reason}', status: 500 },
  /** A PEM or PKCS#12 file that cannot be imported. */
  MAMORI_TRUST_IMPORT: { message: 'cannot import {file}: {reason}', status: 400 },
  /** The TSA refuses to issue (clock policy, serial allocation). */
  MAMORI_TRUST_TSA_UNAVAILABLE: { message: 'time-stamp authority unavailable: {reason}', status: 503 },
  /** A TSA answered with a non-granted status, or not with a time-stamp reply. */
  MAMORI_TRUST_TSA_REJECTED: { message: 'time-stamp request rejected: {reason}', status: 502 },
  /** A signature, token or evidence did not verify (the verdict carries the reasons). */
  MAMORI_TRUST_INVALID: { message: 'verification failed: {reason}', status: 422 },
  /** A signed-in user without the role a trust service needs (sealing in the organisation's name). */
  MAMORI_TRUST_FORBIDDEN: { message: 'not allowed: {reason}', status: 403 },
} as const satisfies Record<string, ErrorSpec>;
