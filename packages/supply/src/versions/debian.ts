import type { VersionScheme } from './scheme.js';

/**
 * Debian policy §5.6.12: `[epoch:]upstream[-revision]`, compared part by part with dpkg's
 * verrevcmp: non-digit runs character by character (`~` sorts before everything, even the
 * end of the string; letters before other characters), digit runs numerically.
 * Written by hand: no maintained npm package implements it; the tests check it against
 * `dpkg --compare-versions`.
 */
export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

export function parseDebianVersion(v: string): DebianVersion | null {
  const s = v.trim();
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    if (!/^[0-9]+$/.test(s.slice(0, colon))) return null;
    epoch = Number(s.slice(0, colon));
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (!UPSTREAM.test(upstream) || (dash >= 0 && !REVISION.test(revision))) return null;
  if (colon < 0 && upstream.includes(':')) return null;
  return { epoch, upstream, revision };
}

function order(c: number): number {
  if (c === 126) return -1; // ~
  if (c >= 48 && c <= 57) return 0; // digits never reach here in the non-digit loop
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return c;
  return c + 256;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = i < a.length && !isDigit(a.charCodeAt(i)) ? order(a.charCodeAt(i)) : 0;
      const bc = j < b.length && !isDigit(b.charCodeAt(j)) ? order(b.charCodeAt(j)) : 0;
      if (ac !== bc) return ac - bc;
      i++; j++;
    }
    while (i < a.length && a.charCodeAt(i) === 48) i++;
    while (j < b.length && b.charCodeAt(j) === 48) j++;
    while (i < a.length && isDigit(a.charCodeAt(i)) && j < b.length && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++; j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

export const debianScheme: VersionScheme<DebianVersion> = {
  name: 'Debian',
  parse: parseDebianVersion,
  compare: (a, b) => (a.epoch !== b.epoch ? a.epoch - b.epoch : verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision)),
};
