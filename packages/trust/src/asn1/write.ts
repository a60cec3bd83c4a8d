/**
 * DER encoding: small functions that each return the full TLV as a Buffer. Structures are
 * built bottom-up by nesting calls, which keeps the signing paths readable and fast (no
 * intermediate object model to serialise).
 */
import { TAG } from './der.js';

function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = content.length === 1 ? content[0] : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

export const seq = (...items: (Uint8Array | undefined | false)[]): Buffer => tlv(TAG.SEQUENCE, ...items.filter((x): x is Uint8Array => !!x));

/** SET OF in DER order: elements sorted by their encodings. */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return tlv(TAG.SET, ...sorted);
}

export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
/** IMPLICIT [n] replacing the tag of an encoded value (keeps its constructed bit). */
export function implicit(n: number, encoded: Uint8Array): Buffer {
  const out = Buffer.from(encoded);
  out[0] = (encoded[0] & 0x20) | 0x80 | n;
  return out;
}

export function integer(value: bigint | number | Uint8Array): Buffer {
  if (value instanceof Uint8Array) {
    // An unsigned magnitude (serial numbers, key material): strip zeros, keep it positive.
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    const mag = value.subarray(i);
    return tlv(TAG.INTEGER, mag.length && mag[0] & 0x80 ? Buffer.concat([Buffer.from([0]), mag]) : mag.length ? mag : Buffer.from([0]));
  }
  if (value >= 0 && value <= Number.MAX_SAFE_INTEGER) return smallUnsignedInteger(Number(value));
  let n = BigInt(value);
  // Two's complement in the fewest octets that keep the sign.
  let len = 1;
  while (n >= 1n << BigInt(8 * len - 1) || n < -(1n << BigInt(8 * len - 1))) len++;
  if (n < 0n) n += 1n << BigInt(8 * len);
  const bytes: number[] = [];
  for (let i = 0; i < len; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

/** A non-negative INTEGER below 2^53 without bigint arithmetic (serial numbers, versions: the TSA's hot path). */
function smallUnsignedInteger(n: number): Buffer {
  let len = 1;
  while (len < 7 && n >= 2 ** (8 * len - 1)) len++;
  const out = Buffer.allocUnsafe(2 + len);
  out[0] = TAG.INTEGER;
  out[1] = len;
  for (let i = len - 1, v = n; i >= 0; i--, v = Math.floor(v / 256)) out[2 + i] = v % 256;
  return out;
}

const oidCache = new Map<string, Buffer>();

export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map(BigInt); // bigint: UUID arcs under 2.25 are 128-bit
  const values = [arcs[0] * 40n + arcs[1], ...arcs.slice(2)];
  const out: number[] = [];
  for (const v of values) {
    const chunk: number[] = [Number(v & 0x7fn)];
    for (let x = v >> 7n; x > 0n; x >>= 7n) chunk.unshift(0x80 | Number(x & 0x7fn));
    out.push(...chunk);
  }
  const enc = tlv(TAG.OID, Buffer.from(out));
  oidCache.set(dotted, enc);
  return enc;
}

export const octets = (v: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, v);
export const NULL = Buffer.from([0x05, 0x00]);
export const bool = (v: boolean): Buffer => Buffer.from([0x01, 0x01, v ? 0xff : 0x00]);
export const utf8 = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const bitString = (v: Uint8Array, unused = 0): Buffer => tlv(TAG.BIT_STRING, Buffer.from([unused]), v);

const p2 = (n: number): string => String(n).padStart(2, '0');

/** GeneralizedTime in DER form, with milliseconds when they are not zero (RFC 3161 genTime). */
export function generalizedTime(d: Date, withMillis = true): Buffer {
  let s = `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (withMillis && ms) s += `.${String(ms).padStart(3, '0').replace(/0+$/, '')}`;
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${s}Z`, 'latin1'));
}

/** RFC 5652 signing-time: UTCTime for 1950–2049, GeneralizedTime otherwise. */
export function signingTime(d: Date): Buffer {
  const y = d.getUTCFullYear();
  if (y < 1950 || y > 2049) return generalizedTime(d, false);
  const s = `${p2(y % 100)}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}Z`;
  return tlv(TAG.UTC_TIME, Buffer.from(s, 'latin1'));
}
