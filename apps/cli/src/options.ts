/** Option parsers shared by commands: each throws MAMORI_USAGE naming the option. */
import { MamoriError, parseDuration, parseSince } from '@mamori/core';

/** A duration option (`30s`, `5m`, `250ms`) in milliseconds, > 0. */
export function durationOption(text: string, option: string): number {
  const ms = parseDuration(text);
  if (!(ms > 0)) throw new MamoriError('MAMORI_USAGE', { reason: `${option}: not a duration: "${text}"` });
  return ms;
}

/**
 * `--since`/`--until` (an ISO-8601 time or a duration back from now) as [from, to) in epoch ms;
 * with no `--until` the end is just after now, so a row saved this millisecond counts.
 */
export function timeRangeOptions(o: { since: string; until?: string }, now = Date.now()): { from: number; to: number } {
  const at = (text: string, option: string): number => {
    const ms = parseSince(text, now);
    if (Number.isNaN(ms)) throw new MamoriError('MAMORI_USAGE', { reason: `${option}: not a time or duration: "${text}"` });
    return ms;
  };
  return { from: at(o.since, '--since'), to: o.until === undefined ? now + 1 : at(o.until, '--until') };
}
