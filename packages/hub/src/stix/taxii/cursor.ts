/**
 * The opaque `next` cursor. It carries the last position of a page in the strict order
 * (date_added, id, version_key) and a digest of the query it belongs to, signed with
 * HMAC-SHA256: a client can neither forge a position nor reuse a cursor with other
 * filters, and because the position is exclusive and the order total, no page repeats or
 * skips an object, however many share a date_added.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { canonicalJson } from '../canonical-json.js';
import type { PagePosition } from '../store/stix-store.js';

const MAX_CURSOR_LENGTH = 2048;

/** A short digest of everything that selects rows, so a cursor is valid for that query only. */
export function queryDigest(query: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(query)).digest('base64url').slice(0, 22);
}

export function encodeCursor(key: Buffer, position: PagePosition, digest: string): string {
  const payload = Buffer.from(JSON.stringify({ d: position.dateAdded, i: position.id, k: position.versionKey, q: digest })).toString('base64url');
  const mac = createHmac('sha256', key).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

function bad(reason: string): never {
  throw new MamoriError('MAMORI_HUB_TAXII_CURSOR', { field: 'next', reason });
}

export function decodeCursor(key: Buffer, token: string, digest: string): PagePosition {
  if (typeof token !== 'string' || token.length > MAX_CURSOR_LENGTH) bad('too long');
  const dot = token.indexOf('.');
  if (dot <= 0) bad('malformed');
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(payload).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) bad('signature does not match: altered or from another server');
  let p: { d?: unknown; i?: unknown; k?: unknown; q?: unknown };
  try {
    p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return bad('malformed');
  }
  if (typeof p.d !== 'number' || typeof p.i !== 'string' || typeof p.k !== 'string' || typeof p.q !== 'string') bad('malformed');
  if (p.q !== digest) bad('it belongs to a request with other filters');
  return { dateAdded: p.d as number, id: p.i as string, versionKey: p.k as string };
}
