/**
 * Scan campaigns: a port whose unique-source count jumps against its own baseline. The
 * baseline is an exponentially weighted mean and variance of the port's per-bucket source
 * count (buckets where the port was silent count as zero). This analysis runs over the
 * port rollup of each interval rather than over packets.
 */
import type { ProtoName } from './plugin.js';
import { PORT_KEYS, makePortKey, portKeyPort, portKeyProto } from './plugin.js';
import type { PortTable } from './port-table.js';

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

export class CampaignDetector {
  /**
   * Per port key, side by side (one cache line per port, not three arrays' worth): EWMA mean
   * and variance of unique sources, and the last bucket folded in plus one (0: never).
   */
  private readonly state = new Float64Array(PORT_KEYS * 4);
  private first = -1;
  /** The bucket being folded in (`startBucket` … `takeAlerts`): its start, index and history. */
  private foldingMs = 0;
  private idx = 0;
  private history = 0;
  private found: CampaignAlert[] = [];
  /** The row of each alert's port: alerts are handed out in row order whatever order ports fold in. */
  private foundRows: number[] = [];

  constructor(private readonly bucketMs: number, private readonly t: CampaignThresholds = DEFAULT_CAMPAIGN_THRESHOLDS) {}

  /** Folds one interval's port rollup into the baselines; returns the ports that jumped, in row order. */
  update(bucketMs: number, ports: PortTable): CampaignAlert[] {
    this.startBucket(bucketMs);
    for (let i = 0; i < ports.length; i++) {
      const key = makePortKey(ports.proto(i), ports.port(i));
      if (key < 0) continue; // not a port this engine counts (a hand-made row)
      this.fold(key, ports.sources(i), ports.packets(i), i);
    }
    return this.takeAlerts();
  }

  /**
   * Port by port, for the engine's close, which folds each port in while it walks the
   * touched keys (no table pass of its own): `startBucket`, `fold` per port with the port's
   * row in the interval's table (ports may fold in any order), `takeAlerts`.
   */
  startBucket(bucketMs: number): void {
    this.idx = Math.floor(bucketMs / this.bucketMs);
    if (this.first < 0) this.first = this.idx;
    this.foldingMs = bucketMs;
    this.history = this.idx - this.first;
    this.found = [];
    this.foundRows = [];
  }

  fold(key: number, sources: number, packets: number, row: number): void {
    const a = this.t.alpha;
    const idx = this.idx;
    const at = key << 2;
    const st = this.state;
    // A port never seen before has been silent since the first bucket: a baseline of zeros.
    const last = st[at + 2] === 0 ? this.first - 1 : st[at + 2] - 1;
    let mean = st[at];
    let variance = st[at + 1];
    const gap = idx - last - 1;
    if (gap > 0 && mean !== 0) { // decay through the silent buckets
      const keep = (1 - a) ** gap;
      mean *= keep;
      variance *= keep;
    }
    const sd = Math.sqrt(variance);
    if (this.history >= this.t.warmupBuckets && sources >= this.t.minSources &&
        sources >= this.t.factor * Math.max(mean, 1) && sources > mean + this.t.sigmas * sd) {
      this.found.push({ bucketMs: this.foldingMs, proto: portKeyProto(key), port: portKeyPort(key), sources, baselineMean: mean, baselineStddev: sd, packets });
      this.foundRows.push(row);
    }
    const diff = sources - mean;
    const incr = a * diff;
    st[at] = mean + incr;
    st[at + 1] = (1 - a) * (variance + diff * incr);
    st[at + 2] = idx + 1;
  }

  /** The alerts of the bucket folded in since `startBucket`. */
  takeAlerts(): CampaignAlert[] {
    const found = this.found;
    const rows = this.foundRows;
    this.found = [];
    this.foundRows = [];
    if (found.length < 2) return found;
    return found.map((_, k) => k).sort((x, y) => rows[x] - rows[y]).map((k) => found[k]);
  }
}
