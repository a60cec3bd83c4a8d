/**
 * The authorised scope of a survey: the prefixes an operator may contact, minus an
 * exclusion (opt-out) list that always wins. Every connect the survey makes is checked
 * against this object first (see connector.ts); nothing else decides what may be touched.
 */
import { MamoriError, PrefixSet, formatIpv4, parseIp, parsePrefix, prefixEnd, type Prefix } from '@mamori/core';

export type ScopeVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'outside-scope' | 'excluded' | 'not-an-address' };

/** Parses a scope or exclusion file: one CIDR (or bare address) per line, `#` comments. */
export function parseScopeText(text: string): Prefix[] {
  const prefixes: Prefix[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    try {
      prefixes.push(parsePrefix(line, { strict: true }));
    } catch (e) {
      throw new MamoriError('MAMORI_SURVEY_SCOPE_FILE', { input: line.slice(0, 80), line: i + 1, field: `line ${i + 1}` }, { cause: e });
    }
  });
  return prefixes;
}

export class SurveyScope {
  private readonly include: PrefixSet;
  private readonly exclude: PrefixSet;
  readonly includePrefixes: readonly Prefix[];
  readonly excludePrefixes: readonly Prefix[];
  private excludedRanges: [number, number][] | undefined;

  constructor(include: readonly Prefix[], exclude: readonly Prefix[] = []) {
    if (include.length === 0) throw new MamoriError('MAMORI_SURVEY_SCOPE_REQUIRED');
    this.includePrefixes = include;
    this.excludePrefixes = exclude;
    this.include = new PrefixSet(include);
    this.exclude = new PrefixSet(exclude);
  }

  static fromText(scopeText: string, excludeText = ''): SurveyScope {
    return new SurveyScope(parseScopeText(scopeText), parseScopeText(excludeText));
  }

  /** Exclusion first: an opted-out address is refused even when a scope line covers it. */
  check(address: string): ScopeVerdict {
    let ip;
    try {
      ip = parseIp(address);
    } catch {
      return { allowed: false, reason: 'not-an-address' };
    }
    if (this.exclude.has(ip)) return { allowed: false, reason: 'excluded' };
    if (!this.include.has(ip)) return { allowed: false, reason: 'outside-scope' };
    return { allowed: true };
  }

  allows(address: string): boolean {
    return this.check(address).allowed;
  }

  /**
   * Every IPv4 address in scope and not excluded, in ascending order, each once (scope
   * prefixes may overlap). IPv6 scope lines are honoured by `check` but not enumerated:
   * an IPv6 survey works from address lists, never by sweeping.
   */
  *addresses(): Generator<string> {
    for (const [start, end] of v4Ranges(this.includePrefixes)) {
      for (let a = start; a <= end; a++) {
        if (!this.exclude.hasV4(a)) yield formatIpv4(a);
      }
    }
  }

  /** Number of addresses `addresses()` yields (exclusions subtracted). */
  count(): number {
    return v4Ranges(this.includePrefixes).reduce((n, [s, e]) => n + this.allowedIn(s, e), 0);
  }

  /**
   * The aligned IPv4 blocks of prefix length `bits` (a /24 for 24) that hold at least one
   * allowed address, as CIDR strings in ascending order: the work items of a distributed run.
   */
  blocks(bits: number): string[] {
    if (!Number.isInteger(bits) || bits < 8 || bits > 32) throw new MamoriError('MAMORI_SURVEY_INPUT', { reason: `block size /${bits}: expected /8 to /32`, field: 'bits' });
    const size = 2 ** (32 - bits);
    const out: string[] = [];
    for (const [start, end] of v4Ranges(this.includePrefixes)) {
      for (let b = Math.floor(start / size) * size; b <= end; b += size) {
        if (this.allowedIn(Math.max(b, start), Math.min(b + size - 1, end)) > 0 && out[out.length - 1] !== `${formatIpv4(b)}/${bits}`) out.push(`${formatIpv4(b)}/${bits}`);
      }
    }
    return out;
  }

  /** Addresses in [s, e] (inside one merged scope range) not on the exclusion list. */
  private allowedIn(s: number, e: number): number {
    let n = e - s + 1;
    this.excludedRanges ??= v4Ranges(this.excludePrefixes);
    for (const [xs, xe] of this.excludedRanges) {
      const lo = Math.max(s, xs);
      const hi = Math.min(e, xe);
      if (lo <= hi) n -= hi - lo + 1;
    }
    return n;
  }
}

function v4Ranges(prefixes: readonly Prefix[]): [number, number][] {
  return mergeRanges(prefixes.filter((p) => p.family === 4).map((p) => [p.start as number, prefixEnd(p) as number]));
}

function mergeRanges(ranges: [number, number][]): [number, number][] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
