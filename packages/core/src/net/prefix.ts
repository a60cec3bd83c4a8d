import { MamoriError } from '../errors/index.js';
import { formatIpv4, ipv4Mask, tryParseIpv4 } from './ipv4.js';
import { formatIpv6, ipv6Mask, tryParseIpv6 } from './ipv6.js';

export type IpFamily = 4 | 6;

/** An address of either family: IPv4 as uint32 number, IPv6 as bigint. */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

/** A CIDR prefix; `start` is the network address (host bits cleared). */
export type Prefix = { family: 4; start: number; bits: number } | { family: 6; start: bigint; bits: number };

export function parseIp(text: string): IpAddress {
  const v4 = tryParseIpv4(text);
  if (v4 >= 0) return { family: 4, value: v4 };
  const v6 = tryParseIpv6(text);
  if (v6 !== null) return { family: 6, value: v6 };
  throw new MamoriError('MAMORI_IP_INVALID', { input: text });
}

export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/**
 * Parses `a.b.c.d/n`, `x::/n` or a bare address (a host prefix). With `strict`, host bits
 * set below the mask are an error (operators mistype scopes; a survey scope must be exact).
 */
export function parsePrefix(text: string, options: { strict?: boolean } = {}): Prefix {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addrText = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const ip = parseIp(addrText);
  const max = ip.family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const b = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b) || Number(b) > max) throw new MamoriError('MAMORI_IP_INVALID', { input: text });
    bits = Number(b);
  }
  if (ip.family === 4) {
    const start = (ip.value & ipv4Mask(bits)) >>> 0;
    if (options.strict && start !== ip.value) throw new MamoriError('MAMORI_IP_INVALID', { input: text, reason: 'host bits set' });
    return { family: 4, start, bits };
  }
  const start = ip.value & ipv6Mask(bits);
  if (options.strict && start !== ip.value) throw new MamoriError('MAMORI_IP_INVALID', { input: text, reason: 'host bits set' });
  return { family: 6, start, bits };
}

export function formatPrefix(p: Prefix): string {
  return p.family === 4 ? `${formatIpv4(p.start)}/${p.bits}` : `${formatIpv6(p.start)}/${p.bits}`;
}

/** Number of addresses in a prefix (a bigint: IPv6 prefixes overflow doubles). */
export function prefixSize(p: Prefix): bigint {
  return 1n << BigInt((p.family === 4 ? 32 : 128) - p.bits);
}

/** Last address of a prefix. */
export function prefixEnd(p: Prefix): number | bigint {
  if (p.family === 4) return (p.start + 2 ** (32 - p.bits) - 1) >>> 0;
  return p.start + (1n << BigInt(128 - p.bits)) - 1n;
}

export function prefixContains(p: Prefix, ip: IpAddress): boolean {
  if (p.family !== ip.family) return false;
  if (p.family === 4) return ((ip.value as number) & ipv4Mask(p.bits)) >>> 0 === p.start;
  return ((ip.value as bigint) & ipv6Mask(p.bits)) === p.start;
}

/** Minimal CIDR cover of [start, end] (inclusive), for either family. */
export function rangeToPrefixes(start: IpAddress, end: IpAddress): Prefix[] {
  const width = start.family === 4 ? 32 : 128;
  let s = BigInt(start.value);
  const e = BigInt(end.value);
  const out: Prefix[] = [];
  while (s <= e) {
    let bits = width;
    // Grow the block while it stays aligned and inside the range.
    while (bits > 0) {
      const size = 1n << BigInt(width - bits + 1);
      if (s % size !== 0n || s + size - 1n > e) break;
      bits--;
    }
    out.push(start.family === 4 ? { family: 4, start: Number(s), bits } : { family: 6, start: s, bits });
    s += 1n << BigInt(width - bits);
  }
  return out;
}
