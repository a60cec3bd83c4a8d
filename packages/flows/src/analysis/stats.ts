/** Small robust statistics over sorted copies; no dependencies, no allocation beyond one sort. */

export function sorted(values: readonly number[]): number[] {
  return Float64Array.from(values).sort() as unknown as number[];
}

/** Quantile of an ascending array (linear interpolation between closest ranks). */
export function quantile(asc: ArrayLike<number>, q: number): number {
  const n = asc.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return asc[lo] + (asc[hi] - asc[lo]) * (pos - lo);
}

export function median(asc: ArrayLike<number>): number {
  return quantile(asc, 0.5);
}

/** Median absolute deviation around the median. */
export function mad(asc: ArrayLike<number>, med = median(asc)): number {
  const dev = new Float64Array(asc.length);
  for (let i = 0; i < asc.length; i++) dev[i] = Math.abs(asc[i] - med);
  dev.sort();
  return median(dev);
}

/**
 * Bowley (quartile) skewness in [-1, 1]: 0 for a symmetric spread. A degenerate spread
 * (q1 = q3, i.e. perfectly regular values) counts as symmetric, as RITA does.
 */
export function bowleySkew(asc: ArrayLike<number>): number {
  const q1 = quantile(asc, 0.25), q2 = quantile(asc, 0.5), q3 = quantile(asc, 0.75);
  const den = q3 - q1;
  if (den === 0 || q2 === q1 || q2 === q3) return 0;
  return (q1 + q3 - 2 * q2) / den;
}

export function mode(values: readonly number[]): number {
  const counts = new Map<number, number>();
  let best = values[0] ?? 0, bestCount = 0;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > bestCount) { best = v; bestCount = c; }
  }
  return best;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0;
}

/** Saturating count: 0 at 0, → 1 as n grows (n = k gives 0.63). */
export function saturate(n: number, k: number): number {
  return n <= 0 ? 0 : 1 - Math.exp(-n / k);
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space (n up to a few hundred thousand). */
export function binomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let logC = 0; // log C(n, i), built up incrementally
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) {
      const term = Math.exp(logC + i * lp + (n - i) * lq);
      sum += term;
      if (term < sum * 1e-12 && i > n * p) break;
    }
  }
  return Math.min(1, sum);
}
