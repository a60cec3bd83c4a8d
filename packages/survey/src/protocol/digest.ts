/**
 * HTTP Digest access authentication, client side (RFC 7616): MD5, SHA-256 and SHA-512-256,
 * their `-sess` variants, qop `auth` (or none, the RFC 2069 form old devices still speak).
 */
import { createHash, randomFillSync } from 'node:crypto';
import type { AuthChallenge } from './www-authenticate.js';

const HASHES: Record<string, string> = { 'md5': 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

/** Random bytes drawn 4 KiB at a time: a cnonce per attempt without a crypto call per attempt. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** A fresh client nonce (16 hex digits of CSPRNG output). */
export function newCnonce(): string {
  if (poolAt + 8 > pool.length) { randomFillSync(pool); poolAt = 0; }
  poolAt += 8;
  return pool.toString('hex', poolAt - 8, poolAt);
}

export function digestSupported(ch: AuthChallenge): boolean {
  const alg = (ch.params.algorithm ?? 'MD5').toLowerCase().replace(/-sess$/, '');
  const qop = ch.params.qop;
  return alg in HASHES && ch.params.nonce !== undefined && (qop === undefined || qop.split(',').map((q) => q.trim()).includes('auth'));
}

export interface DigestInput {
  challenge: AuthChallenge;
  username: string;
  password: string;
  method: string;
  uri: string;
  nc: number;
  cnonce?: string;
}

/** The `Authorization` header value answering a Digest challenge. */
export function digestAuthorization(input: DigestInput): string {
  const p = input.challenge.params;
  const algorithm = p.algorithm ?? 'MD5';
  const sess = /-sess$/i.test(algorithm);
  const hashName = HASHES[algorithm.toLowerCase().replace(/-sess$/, '')] ?? 'md5';
  const H = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  const realm = p.realm ?? '';
  const nonce = p.nonce ?? '';
  const cnonce = input.cnonce ?? newCnonce();
  const nc = input.nc.toString(16).padStart(8, '0');
  const qop = p.qop !== undefined ? 'auth' : undefined;
  let ha1 = H(`${input.username}:${realm}:${input.password}`);
  if (sess) ha1 = H(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = H(`${input.method}:${input.uri}`);
  const response = qop ? H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : H(`${ha1}:${nonce}:${ha2}`);
  const q = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  const parts = [`username=${q(input.username)}`, `realm=${q(realm)}`, `nonce=${q(nonce)}`, `uri=${q(input.uri)}`, `algorithm=${algorithm}`, `response=${q(response)}`];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${q(cnonce)}`);
  if (p.opaque !== undefined) parts.push(`opaque=${q(p.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Server side of the same computation (the testbed's devices and the tests use it). */
export function digestExpected(params: Record<string, string>, password: string, method: string): string {
  const algorithm = params.algorithm ?? 'MD5';
  const hashName = HASHES[algorithm.toLowerCase().replace(/-sess$/, '')] ?? 'md5';
  const H = (s: string): string => createHash(hashName).update(s, 'utf8').digest('hex');
  let ha1 = H(`${params.username}:${params.realm}:${password}`);
  if (/-sess$/i.test(algorithm)) ha1 = H(`${ha1}:${params.nonce}:${params.cnonce}`);
  const ha2 = H(`${method}:${params.uri}`);
  return params.qop ? H(`${ha1}:${params.nonce}:${params.nc}:${params.cnonce}:${params.qop}:${ha2}`) : H(`${ha1}:${params.nonce}:${ha2}`);
}
