/**
 * The `since`/`until` query pair of the summary routes: an ISO-8601 time or a duration back
 * from now (24h, 180d), as the telescope's windows take them.
 */
import { MamoriError, parseSince } from '@mamori/core';

/** Query-string properties for a window whose start defaults to `defaultSince` back from now. */
export const timeRangeProps = <D extends string>(defaultSince: D) => ({
  since: { type: 'string', default: defaultSince, description: 'ISO-8601 time or a duration back from now (15m, 24h, 180d)' },
  until: { type: 'string', description: 'ISO-8601 time or duration back from now (exclusive); default now' },
}) as const;

export const timeRangeQuery = { type: 'object', properties: timeRangeProps('180d') } as const;

/** One `since`/`until` value as epoch ms; a 400 (MAMORI_USAGE) naming the field when unreadable. */
export function timeParam(text: string, field: string, now: number): number {
  const ms = parseSince(text, now);
  if (Number.isNaN(ms)) throw new MamoriError('MAMORI_USAGE', { reason: `${field}: not a time or duration: "${text}"`, field });
  return ms;
}

/** [from, to) in epoch ms; with no `until` the end is just after now, so a row saved this millisecond counts. */
export function timeRange(query: { since: string; until?: string }, now = Date.now()): { from: number; to: number } {
  return { from: timeParam(query.since, 'since', now), to: query.until === undefined ? now + 1 : timeParam(query.until, 'until', now) };
}
