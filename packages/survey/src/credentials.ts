/**
 * The credential dictionary: a versioned data file of ID/password pairs, each with a stable
 * id. Findings and logs carry only the id; the password lives in this file and in memory.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MamoriError } from '@mamori/core';

export interface CredentialPair {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly source?: string;
}

export interface CredentialDictionary {
  readonly version: number;
  readonly pairs: readonly CredentialPair[];
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Validates a parsed dictionary document; errors name the field at fault. */
export function parseDictionary(doc: unknown): CredentialDictionary {
  const fail = (field: string, reason: string): never => {
    throw new MamoriError('MAMORI_SURVEY_DICTIONARY', { field, reason });
  };
  if (typeof doc !== 'object' || doc === null) return fail('$', 'not an object');
  const d = doc as Record<string, unknown>;
  if (d.format !== 'mamori-survey-credentials') fail('format', 'expected "mamori-survey-credentials"');
  if (!Number.isInteger(d.version) || (d.version as number) < 1) fail('version', 'expected a positive integer');
  if (!Array.isArray(d.pairs)) return fail('pairs', 'expected an array');
  const ids = new Set<string>();
  const pairs = (d.pairs as unknown[]).map((p, i): CredentialPair => {
    const field = `pairs[${i}]`;
    if (typeof p !== 'object' || p === null) return fail(field, 'not an object');
    const r = p as Record<string, unknown>;
    if (typeof r.id !== 'string' || !ID.test(r.id)) fail(`${field}.id`, 'expected a stable id ([a-z0-9._-])');
    if (ids.has(r.id as string)) fail(`${field}.id`, `duplicate id ${String(r.id)}`);
    ids.add(r.id as string);
    if (typeof r.username !== 'string' || r.username.length > 128 || /[\r\n]/.test(r.username)) fail(`${field}.username`, 'expected a one-line string');
    if (typeof r.password !== 'string' || (r.password as string).length > 128 || /[\r\n]/.test(r.password as string)) fail(`${field}.password`, 'expected a one-line string');
    return { id: r.id as string, username: r.username as string, password: r.password as string, source: typeof r.source === 'string' ? r.source : undefined };
  });
  return { version: d.version as number, pairs };
}

export function loadDictionary(path: string): CredentialDictionary {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new MamoriError('MAMORI_SURVEY_DICTIONARY', { field: path, reason: (e as Error).message }, { cause: e });
  }
  return parseDictionary(doc);
}

/** The bundled dictionary (Mirai's published default pairs), `data/credentials-v1.json`. */
export function defaultDictionary(): CredentialDictionary {
  return loadDictionary(new URL('../data/credentials-v1.json', import.meta.url).pathname);
}

/**
 * A fingerprint of the dictionary's content (ids, names and passwords, in order): workers of
 * a distributed run compare it with the run's, so every worker tries exactly the same pairs.
 */
export function dictionaryDigest(dict: CredentialDictionary): string {
  return createHash('sha256').update(JSON.stringify([dict.version, dict.pairs.map((p) => [p.id, p.username, p.password])])).digest('hex');
}
