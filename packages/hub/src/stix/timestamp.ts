/**
 * STIX timestamps (STIX 2.1 §3.2): RFC 3339 in UTC, `Z` suffix, optional fraction of
 * seconds. mamori keeps the original text (the version identity) and a sortable key.
 */

const STIX_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

export interface StixTime {
  /** Epoch microseconds (fractions beyond µs are kept only in `key`). */
  us: number;
  /** Fixed-width text that sorts like the instant: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
  key: string;
}

/** Parses a STIX timestamp; undefined when it is not one (wrong shape or impossible date). */
export function parseStixTimestamp(text: unknown): StixTime | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = STIX_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls 31 February over into March: reject dates that do not exist.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  const nanos = frac.padEnd(9, '0');
  const us = ms * 1000 + Number(nanos.slice(0, 6));
  return { us, key: `${y}-${mo}-${d}T${h}:${mi}:${s}.${nanos}Z` };
}

/** A TAXII/STIX timestamp with microsecond precision for an epoch-µs value. */
export function formatMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
}

export function nowMicros(): number {
  // performance.timeOrigin + now() gives sub-ms resolution without a native addon.
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}
