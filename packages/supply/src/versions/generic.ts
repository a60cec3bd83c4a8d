import type { VersionScheme } from './scheme.js';

/**
 * Ecosystems without a scheme of their own (and CPE versions): runs of digits compare as
 * numbers, runs of letters as text, and a letter run right after a separator ("1.0rc1",
 * "2.0-beta") sorts before the release it precedes.
 */
type Token = number | string;

export function parseGenericVersion(v: string): Token[] | null {
  const s = v.trim().toLowerCase();
  if (s.length === 0 || s.length > 256 || s === '*' || s === '-') return null;
  const out: Token[] = [];
  const re = /([0-9]+)|([a-z]+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out.length ? out : null;
}

export const genericScheme: VersionScheme<Token[]> = {
  name: 'generic',
  parse: parseGenericVersion,
  compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (x === y) continue;
      if (x === undefined) return typeof y === 'string' ? 1 : -1; // 1.0 > 1.0rc1, 1.0 < 1.0.1
      if (y === undefined) return typeof x === 'string' ? -1 : 1;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'number') return 1;
      if (typeof y === 'number') return -1;
      return x < y ? -1 : 1;
    }
    return 0;
  },
};
