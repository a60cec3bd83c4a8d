/** Time buckets: rollups and rates are kept per interval (corsaro-style), aligned to the epoch. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Start of the bucket of `size` ms that contains `ms`. */
export function bucketStart(ms: number, size: number = MINUTE_MS): number {
  return Math.floor(ms / size) * size;
}

/** Parses durations such as `90s`, `15m`, `24h`, `7d`, `2w` into milliseconds; NaN if malformed. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) return NaN;
  const unit = { ms: 1, s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/**
 * Parses a `--since` value: an ISO-8601 time or a duration back from `now`.
 * Returns epoch milliseconds, or NaN.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const d = parseDuration(text);
  if (!Number.isNaN(d)) return now - d;
  const t = Date.parse(text);
  return Number.isNaN(t) ? NaN : t;
}
