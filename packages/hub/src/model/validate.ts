/**
 * Input checks shared by every write: each failure is MAMORI_HUB_INPUT naming the field.
 * Text is stored as given (queries are parameterised; output encoding is the reader's job),
 * but control characters other than tab/newline and over-long values are refused.
 */
import { MamoriError } from '@mamori/core';

export function fail(field: string, reason: string): never {
  throw new MamoriError('MAMORI_HUB_INPUT', { field, reason: `${field}: ${reason}` });
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function text(value: unknown, field: string, options: { max: number; min?: number; multiline?: boolean }): string {
  if (typeof value !== 'string') fail(field, 'must be a string');
  const v = value.normalize('NFC');
  if (v.length < (options.min ?? 0)) fail(field, options.min === 1 ? 'must not be empty' : `must have at least ${options.min} characters`);
  if (v.length > options.max) fail(field, `must have at most ${options.max} characters`);
  if (CONTROL.test(v) || (!options.multiline && /[\r\n]/.test(v))) fail(field, 'contains control characters');
  return v;
}

export function optionalText(value: unknown, field: string, options: { max: number; multiline?: boolean }): string {
  return value === undefined || value === null ? '' : text(value, field, options);
}

export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) fail(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function int(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) fail(field, `must be an integer from ${min} to ${max}`);
  return value;
}

export function optionalTime(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15) fail(field, 'must be an ISO 8601 time or epoch milliseconds');
  return Math.trunc(ms);
}

export function list<T>(value: unknown, field: string, max: number, each: (v: unknown, field: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(field, 'must be an array');
  if (value.length > max) fail(field, `must have at most ${max} entries`);
  return value.map((v, i) => each(v, `${field}[${i}]`));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function id(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) fail(field, 'must be an id (UUID)');
  return value;
}

export const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export function username(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || !NAME.test(value)) fail(field, 'must be 1–64 characters of letters, digits, . _ @ -, starting with a letter or digit');
  return value;
}

export function email(value: unknown, field = 'email'): string {
  const v = text(value, field, { max: 254, min: 3 });
  if (!/^[^\s@<>()[\],;:"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$|^[^\s@<>()[\],;:"]+@localhost$/.test(v)) fail(field, 'must be an e-mail address');
  return v;
}
