/** IPv6 addresses as 128-bit bigints (IPv6 is rarer on darknets; clarity beats speed here). */
import { MamoriError } from '../errors/index.js';
import { tryParseIpv4 } from './ipv4.js';

const MAX128 = (1n << 128n) - 1n;

export function tryParseIpv6(input: string): bigint | null {
  if (input.length < 2 || input.length > 45) return null;
  let text = input;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups first.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = tryParseIpv4(text.slice(lastColon + 1));
    if (v4 < 0) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!left || !right) return null;
  let groups: number[];
  if (halves.length === 2) {
    if (left.length + right.length > 7) return null;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    if (left.length !== 8) return null;
    groups = left;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

export function parseIpv6(text: string): bigint {
  const v = tryParseIpv6(text);
  if (v === null) throw new MamoriError('MAMORI_IP_INVALID', { input: text });
  return v;
}

/** RFC 5952 canonical text: lower case, longest zero run (≥2 groups) compressed. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

export function ipv6FromBytes(bytes: Uint8Array, offset = 0): bigint {
  let v = 0n;
  for (let i = 0; i < 16; i += 4) {
    const word = ((bytes[offset + i] << 24) | (bytes[offset + i + 1] << 16) | (bytes[offset + i + 2] << 8) | bytes[offset + i + 3]) >>> 0;
    v = (v << 32n) | BigInt(word);
  }
  return v;
}

export function ipv6Mask(bits: number): bigint {
  return bits === 0 ? 0n : (MAX128 << BigInt(128 - bits)) & MAX128;
}
