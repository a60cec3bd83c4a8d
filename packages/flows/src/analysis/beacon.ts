/**
 * Beacon scoring in the manner of RITA (activecm/rita, analysis/beacons): for one client →
 * server pair with at least four distinct connection times, the mean of four sub-scores:
 *  - timestamps: Bowley skew of the inter-arrival gaps (1 − |skew|) and their dispersion
 *    (1 − MAD/median) — both robust to a few missed or late beacons (jitter);
 *  - data size: the same on bytes sent per connection, plus smallness (C&C check-ins are small);
 *  - histogram: connection starts in 24 bins over the window, 1 − coefficient of variation,
 *    or the fit of a two-level (bimodal) pattern, whichever is higher;
 *  - duration: how much of the window the pair spans, or its longest run of consecutive
 *    active hours over 12.
 * A prevalence adjustment follows: +0.15 when ≤ 2 % of the population contacts the server,
 * −0.15 when ≥ 50 % does.
 */
import type { BeaconScore } from './types.js';
import { bowleySkew, clamp01, mad, median, mode, sorted } from './stats.js';

export const MIN_CONNECTIONS = 4;
const BINS = 24;

export function beaconScore(
  startsMs: readonly number[], bytesOut: readonly number[], window: { start: number; end: number }, prevalence: number,
): BeaconScore | null {
  // RITA works on whole-second timestamps; duplicates within a second are one event.
  const ts = [...new Set(startsMs.map((t) => Math.floor(t / 1000)))].sort((a, b) => a - b);
  if (ts.length < MIN_CONNECTIONS) return null;
  const gaps = sorted(ts.slice(1).map((t, i) => t - ts[i]));
  const gapMedian = median(gaps);
  const tsSkewScore = clamp01(1 - Math.abs(bowleySkew(gaps)));
  const tsMadmScore = gapMedian > 0 ? clamp01(1 - mad(gaps, gapMedian) / gapMedian) : 0;

  const sizes = sorted(bytesOut);
  const sizeMedian = median(sizes);
  const dsSkewScore = clamp01(1 - Math.abs(bowleySkew(sizes)));
  const dsMadmScore = sizeMedian > 0 ? clamp01(1 - mad(sizes, sizeMedian) / sizeMedian) : 0;
  const dsSmallnessScore = clamp01(1 - mode(bytesOut as number[]) / 65535);

  const w0 = Math.floor(window.start / 1000), w1 = Math.max(w0 + 1, Math.ceil(window.end / 1000));
  const binWidth = (w1 - w0) / BINS;
  const bins = new Array<number>(BINS).fill(0);
  for (const t of ts) bins[Math.min(BINS - 1, Math.max(0, Math.floor((t - w0) / binWidth)))]++;
  const mean = ts.length / BINS;
  const sd = Math.sqrt(bins.reduce((a, b) => a + (b - mean) ** 2, 0) / BINS);
  const histogramScore = Math.max(clamp01(1 - sd / mean), bimodalFit(bins));

  const coverage = clamp01((ts[ts.length - 1] - ts[0]) / (w1 - w0));
  const hours = new Set(ts.map((t) => Math.floor(t / 3600)));
  let run = 0, best = 0, prev = Number.NaN;
  for (const h of [...hours].sort((a, b) => a - b)) { run = h === prev + 1 ? run + 1 : 1; best = Math.max(best, run); prev = h; }
  const durationScore = Math.max(coverage, clamp01(best / 12));

  const tsScore = (tsSkewScore + tsMadmScore) / 2;
  const dsScore = (dsSkewScore + dsMadmScore + dsSmallnessScore) / 3;
  const prevalenceAdjustment = prevalence <= 0.02 ? 0.15 : prevalence >= 0.5 ? -0.15 : 0;
  const score = clamp01((tsScore + dsScore + histogramScore + durationScore) / 4 + prevalenceAdjustment);
  return {
    score, connections: ts.length, tsSkewScore, tsMadmScore, dsSkewScore, dsMadmScore, dsSmallnessScore,
    histogramScore, durationScore, prevalenceAdjustment, medianIntervalS: gapMedian, medianBytesOut: sizeMedian,
  };
}

/**
 * How well the bin counts fit two levels (a beacon that is on part of the day, off the
 * rest): the share of bins whose count is within 10 % of one of the two most frequent counts.
 * A histogram with activity in fewer than 4 bins, or a level below 3 per bin, scores 0.
 */
function bimodalFit(bins: number[]): number {
  const active = bins.filter((b) => b > 0).length;
  if (active < 4) return 0;
  const freq = new Map<number, number>();
  for (const b of bins) freq.set(b, (freq.get(b) ?? 0) + 1);
  const top = [...freq.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([v]) => v);
  // Levels of one or two connections per bin are what sparse random contact looks like, not a schedule.
  if (top.some((v) => v > 0 && v < 3)) return 0;
  const near = (b: number): boolean => top.some((v) => Math.abs(b - v) <= Math.max(1, v * 0.1));
  return bins.filter(near).length / bins.length;
}
