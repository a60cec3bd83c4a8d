import type { VersionScheme } from './scheme.js';

/**
 * Maven's version order (ComparableVersion, "Version Order Specification" in the Maven POM
 * reference): tokens split at `.`, `-` and digit/letter transitions; trailing zeros and
 * "release" qualifiers dropped; qualifiers ordered alpha < beta < milestone < rc = cr <
 * snapshot < "" = ga = final = release < sp, unknown qualifiers after those (case-insensitive,
 * lexical); a number beats a qualifier. No npm package implements it, so it is written here.
 */
type Item = { sep: '.' | '-'; value: number | string };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };

export function parseMavenVersion(v: string): Item[] | null {
  const s = v.trim().toLowerCase();
  if (s.length === 0 || s.length > 256 || !/^[a-z0-9._+-]+$/.test(s)) return null;
  const items: Item[] = [];
  let sep: '.' | '-' = '.';
  let cur = '';
  const push = (nextSep: '.' | '-'): void => {
    if (cur === '') items.push({ sep, value: 0 });
    else if (/^[0-9]+$/.test(cur)) items.push({ sep, value: Number(cur) });
    else items.push({ sep, value: cur });
    cur = '';
    sep = nextSep;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '.' || c === '-' || c === '_' || c === '+') { push(c === '.' ? '.' : '-'); continue; }
    if (cur !== '' && /[0-9]/.test(c) !== /[0-9]/.test(cur[cur.length - 1])) {
      // "1alpha2": a transition is a hyphen; a single letter before a digit is an alias (a1 = alpha-1).
      const letters = /[a-z]/.test(cur);
      if (letters && cur.length === 1 && /[0-9]/.test(c)) cur = cur === 'a' ? 'alpha' : cur === 'b' ? 'beta' : cur === 'm' ? 'milestone' : cur;
      push('-');
    }
    cur += c;
  }
  push('.');
  for (const it of items) if (typeof it.value === 'string' && it.value in ALIASES) it.value = ALIASES[it.value];
  // Trailing "null" items (0, "") carry no weight: 1.0.0 = 1 = 1-ga.
  while (items.length > 1 && (items[items.length - 1].value === 0 || items[items.length - 1].value === '')) items.pop();
  return items;
}

function qualifierRank(q: string): number {
  const i = QUALIFIERS.indexOf(q);
  return i >= 0 ? i : QUALIFIERS.length;
}

function compareItem(a: Item | undefined, b: Item | undefined): number {
  const av = a?.value ?? (typeof b?.value === 'number' ? 0 : '');
  const bv = b?.value ?? (typeof a?.value === 'number' ? 0 : '');
  if (typeof av === 'number' && typeof bv === 'number') return av - bv;
  if (typeof av === 'number') return bv === '' && av === 0 ? 0 : 1;
  if (typeof bv === 'number') return av === '' && bv === 0 ? 0 : -1;
  const ra = qualifierRank(av);
  const rb = qualifierRank(bv);
  if (ra !== rb) return ra - rb;
  return ra === QUALIFIERS.length ? (av < bv ? -1 : av > bv ? 1 : 0) : 0;
}

export const mavenScheme: VersionScheme<Item[]> = {
  name: 'Maven',
  parse: parseMavenVersion,
  compare(a, b) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const c = compareItem(a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  },
};
