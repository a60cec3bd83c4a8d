/** Big-endian readers over a Buffer, plus the bounds check every decoder uses before reading. */
import { MamoriError } from '@mamori/core';

export function u16(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

export function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Unsigned integer of 1..8 bytes (RFC 7011 reduced-size encoding); 8-byte values lose precision above 2^53. */
export function uint(b: Uint8Array, p: number, len: number): number {
  switch (len) {
    case 1: return b[p];
    case 2: return u16(b, p);
    case 4: return u32(b, p);
    case 8: return u32(b, p) * 4294967296 + u32(b, p + 4);
    default: {
      let v = 0;
      for (let i = 0; i < len; i++) v = v * 256 + b[p + i];
      return v;
    }
  }
}

/** Throws MAMORI_FLOWS_TRUNCATED unless `need` bytes are available at `offset` (before `limit`). */
export function need(limit: number, offset: number, n: number, what: string): void {
  if (offset + n > limit) {
    throw new MamoriError('MAMORI_FLOWS_TRUNCATED', { offset, what, need: n, have: Math.max(0, limit - offset) });
  }
}
