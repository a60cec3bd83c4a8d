/**
 * IPv4 membership for the per-packet path. A darknet or a research list is usually a
 * handful of prefixes: comparing against each under its mask touches no memory beyond
 * two small arrays, where the general table lookup reads a 256 KiB directory at a random
 * /16 per source (a cache miss per one-off scanner). Large sets keep the table.
 */
import type { PrefixSet } from '@mamori/core';

const LINEAR_MAX = 16;

export type V4Match = (ip: number) => boolean;

export function v4Matcher(set: PrefixSet): V4Match {
  const v4 = set.prefixes().flatMap((p) => (p.family === 4 ? [p] : []));
  if (v4.length > LINEAR_MAX) return (ip) => set.hasV4(ip);
  const n = v4.length;
  const starts = new Int32Array(n);
  const masks = new Int32Array(n);
  v4.forEach((p, i) => {
    masks[i] = p.bits === 0 ? 0 : (-1 << (32 - p.bits)) | 0;
    starts[i] = p.start & masks[i];
  });
  return (ip) => {
    for (let i = 0; i < n; i++) if ((ip & masks[i]) === starts[i]) return true;
    return false;
  };
}
