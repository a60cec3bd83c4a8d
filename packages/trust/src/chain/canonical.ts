/**
 * Canonical JSON (in the manner of RFC 8785's JCS for the values mamori logs): object keys
 * sorted by UTF-16 code units, no whitespace, numbers as JavaScript prints them. The same
 * entry always hashes the same, whichever process or database wrote it.
 */
import { MamoriError } from '@mamori/core';

export function canonicalJson(value: unknown, field = '$'): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: 'non-finite number in canonical JSON', field });
    return JSON.stringify(value);
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v === undefined ? null : v, `${field}[${i}]`)).join(',')}]`;
  if (typeof value === 'object') {
    if (value instanceof Date) return JSON.stringify(value.toISOString());
    const keys = Object.keys(value as object).filter((k) => (value as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as any)[k], `${field}.${k}`)}`).join(',')}}`;
  }
  throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `${typeof value} cannot be hashed`, field });
}
