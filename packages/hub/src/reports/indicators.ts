/**
 * Indicators attached to a report, normalised so the same value matches across reports
 * (search goes through an index on the normalised value, not pairwise correlation).
 */
import { formatIp, formatPrefix, parseIp, parsePrefix } from '@mamori/core';
import { fail } from '../model/validate.js';

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'cve'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export interface Indicator {
  type: IndicatorType;
  value: string;
  note?: string;
}

const HEX = { md5: 32, sha1: 40, sha256: 64 } as const;

/** Validates and normalises one indicator; errors name the field. */
export function normaliseIndicator(raw: unknown, field: string): Indicator {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(field, 'must be an object { type, value }');
  const { type, value, note } = raw as Record<string, unknown>;
  if (typeof type !== 'string' || !(INDICATOR_TYPES as readonly string[]).includes(type)) fail(`${field}.type`, `must be one of ${INDICATOR_TYPES.join(', ')}`);
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) fail(`${field}.value`, 'must be a string of 1–2048 characters');
  const v = value.trim();
  let out: string;
  try {
    switch (type as IndicatorType) {
      case 'ipv4':
      case 'ipv6': {
        const ip = parseIp(v);
        if ((ip.family === 4) !== (type === 'ipv4')) throw new Error('wrong family');
        out = formatIp(ip);
        break;
      }
      case 'cidr': out = formatPrefix(parsePrefix(v)); break;
      case 'domain':
        if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i.test(v.replace(/\.$/, ''))) throw new Error('not a domain name');
        out = v.replace(/\.$/, '').toLowerCase();
        break;
      case 'url': {
        const u = new URL(v);
        if (!['http:', 'https:', 'ftp:'].includes(u.protocol)) throw new Error('scheme');
        out = u.href;
        break;
      }
      case 'email':
        if (!/^[^\s@]{1,64}@[^\s@]{1,253}$/.test(v)) throw new Error('not an address');
        out = v.toLowerCase();
        break;
      case 'cve':
        if (!/^CVE-\d{4}-\d{4,}$/i.test(v)) throw new Error('not CVE-YYYY-NNNN');
        out = v.toUpperCase();
        break;
      default: {
        const len = HEX[type as keyof typeof HEX];
        if (!new RegExp(`^[0-9a-f]{${len}}$`, 'i').test(v)) throw new Error(`not ${len} hex digits`);
        out = v.toLowerCase();
      }
    }
  } catch (e) {
    fail(`${field}.value`, `not a valid ${type} (${(e as Error).message})`);
  }
  const ind: Indicator = { type: type as IndicatorType, value: out };
  if (note !== undefined) {
    if (typeof note !== 'string' || note.length > 500) fail(`${field}.note`, 'must be a string of at most 500 characters');
    ind.note = note;
  }
  return ind;
}
