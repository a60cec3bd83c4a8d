/**
 * IPv4 addresses as unsigned 32-bit integers: the form packet decoders already hold, and
 * the cheapest to compare, hash and mask on the per-packet path.
 */
import { MamoriError } from '../errors/index.js';

/** Parses dotted-quad text; returns -1 instead of throwing (hot-path friendly). */
export function tryParseIpv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero: ambiguous (octal in some parsers)
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

export function parseIpv4(text: string): number {
  const v = tryParseIpv4(text);
  if (v < 0) throw new MamoriError('MAMORI_IP_INVALID', { input: text });
  return v;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Network mask for a prefix length, as uint32 (0 for /0). */
export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** The /24 an address belongs to, as uint32 (used for per-/24 rate limits and rollups). */
export function ipv4Slash24(value: number): number {
  return (value & 0xffffff00) >>> 0;
}
