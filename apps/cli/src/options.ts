/** Option parsers shared by commands: each throws MAMORI_USAGE naming the option. */
import { MamoriError, parseDuration } from '@mamori/core';

/** A duration option (`30s`, `5m`, `250ms`) in milliseconds, > 0. */
export function durationOption(text: string, option: string): number {
  const ms = parseDuration(text);
  if (!(ms > 0)) throw new MamoriError('MAMORI_USAGE', { reason: `${option}: not a duration: "${text}"` });
  return ms;
}
