/**
 * Scan campaigns: a port whose unique-source count jumps against its own baseline. The
 * baseline is an exponentially weighted mean and variance of the port's per-bucket source
 * count (buckets where the port was silent count as zero). This analysis runs over the
 * port rollup of each interval rather than over packets.
 */
import type { PortRollupRow } from './port-rollup.js';
import type { ProtoName } from './plugin.js';
import { makePortKey } from './plugin.js';

export interface CampaignThresholds {
  /** Buckets of history a port needs before it can alert. */
  warmupBuckets: number;
  /** Fewer unique sources than this never alert. */
  minSources: number;
  /** The count must be at least this many times the baseline mean … */
  factor: number;
  /** … and this many standard deviations above it. */
  sigmas: number;
  /** EWMA weight of the newest bucket. */
  alpha: number;
}

export const DEFAULT_CAMPAIGN_THRESHOLDS: CampaignThresholds = { warmupBuckets: 3, minSources: 10, factor: 3, sigmas: 4, alpha: 0.3 };

export interface CampaignAlert {
  bucketMs: number;
  proto: ProtoName;
  port: number;
  sources: number;
  baselineMean: number;
  baselineStddev: number;
  packets: number;
}

interface Baseline {
  mean: number;
  variance: number;
  /** Index of the last bucket folded into the baseline. */
  last: number;
}

export class CampaignDetector {
  private readonly baselines = new Map<number, Baseline>();
  private first = -1;

  constructor(private readonly bucketMs: number, private readonly t: CampaignThresholds = DEFAULT_CAMPAIGN_THRESHOLDS) {}

  /** Folds one interval's port rollup into the baselines; returns the ports that jumped. */
  update(bucketMs: number, rows: PortRollupRow[]): CampaignAlert[] {
    const idx = Math.floor(bucketMs / this.bucketMs);
    if (this.first < 0) this.first = idx;
    const alerts: CampaignAlert[] = [];
    const a = this.t.alpha;
    for (const r of rows) {
      const key = makePortKey(r.proto, r.port);
      let b = this.baselines.get(key);
      if (!b) {
        // Silent since the first bucket: a baseline of zeros.
        b = { mean: 0, variance: 0, last: this.first - 1 };
        this.baselines.set(key, b);
      }
      const gap = idx - b.last - 1;
      if (gap > 0) { // decay through the silent buckets
        const keep = (1 - a) ** gap;
        b.mean *= keep;
        b.variance *= keep;
      }
      const history = idx - this.first;
      const sd = Math.sqrt(b.variance);
      if (history >= this.t.warmupBuckets && r.sources >= this.t.minSources &&
          r.sources >= this.t.factor * Math.max(b.mean, 1) && r.sources > b.mean + this.t.sigmas * sd) {
        alerts.push({ bucketMs, proto: r.proto, port: r.port, sources: r.sources, baselineMean: b.mean, baselineStddev: sd, packets: r.packets });
      }
      const diff = r.sources - b.mean;
      const incr = a * diff;
      b.mean += incr;
      b.variance = (1 - a) * (b.variance + diff * incr);
      b.last = idx;
    }
    return alerts;
  }
}
