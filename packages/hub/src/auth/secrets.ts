/**
 * Secrets at rest: passwords as scrypt hashes (node:crypto), tokens as 256-bit random values
 * of which only the SHA-256 is stored. Pure functions; no I/O.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

/** OWASP's scrypt minimum (N=2^17, r=8, p=1) costs 128 MiB; 2^15 keeps logins fast on small machines. */
const DEFAULT_COST = { N: 1 << 15, r: 8, p: 1 };
const KEY_LEN = 32;

/** `scrypt$N$r$p$salt$hash` (base64url fields). */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_LEN, { ...cost, maxmem: 256 * cost.N * cost.r });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return false;
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password.normalize('NFC'), Buffer.from(parts[4], 'base64url'), expected.length, { N, r, p, maxmem: 256 * N * r });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

export const TOKEN_PREFIX = 'mamori_';

/** A new bearer secret: 256 random bits, base64url, with a prefix secret scanners can spot. */
export function newTokenSecret(kind: 'api' | 'session'): string {
  return `${TOKEN_PREFIX}${kind === 'api' ? 'hub' : 'ses'}_${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A token-shaped string: bounded length, base64url alphabet; anything else is rejected unhashed. */
export function looksLikeToken(secret: string): boolean {
  return /^mamori_(hub|ses)_[A-Za-z0-9_-]{43}$/.test(secret);
}
