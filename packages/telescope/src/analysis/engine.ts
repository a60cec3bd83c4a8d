/**
 * The ingest engine: frames in, interval results out. It decodes each frame into one
 * reused `PacketInfo`, drops what is outside the darknet, classifies and fingerprints,
 * hands the packet to every plugin, and closes a bucket when a packet of a later bucket
 * arrives (packets a little out of order count in the open bucket, as corsaro does).
 * Finished intervals queue up in `pending` for the caller's (async) sink to drain.
 */
import { bucketStart, MINUTE_MS, type PrefixSet } from '@mamori/core';
import type { CaptureFrame } from '../capture/frame.js';
import { Fingerprint } from '../classify/classes.js';
import { classify, scannerFingerprint } from '../classify/classify.js';
import { decodeFrame } from '../decode/decoder.js';
import { DECODE_PROBLEM_NAMES, PacketInfo, type DecodeProblemCode } from '../decode/packet.js';
import { BackscatterPlugin, CORSARO_DOS_THRESHOLDS, type BackscatterThresholds, type VictimRow } from './backscatter.js';
import { CampaignDetector, DEFAULT_CAMPAIGN_THRESHOLDS, type CampaignAlert, type CampaignThresholds } from './campaigns.js';
import { InfectedHostPlugin, type InfectedHostRow } from './infected.js';
import { PortRollupPlugin } from './port-rollup.js';
import type { PortTable } from './port-table.js';
import { portKey } from './plugin.js';
import { SourceRollupPlugin, SourceTable } from './source-rollup.js';
import { SummaryPlugin, type IntervalSummary } from './summary.js';

export interface EngineOptions {
  bucketMs?: number;
  /** Only packets to these addresses count; also gives the darknet size for backscatter scaling. */
  darknet?: PrefixSet | null;
  /** Darknet size in addresses when no `darknet` set is given (0: unknown). */
  darknetSize?: number;
  /** Known research scanners (operator list). */
  research?: PrefixSet | null;
  backscatter?: BackscatterThresholds;
  campaigns?: CampaignThresholds;
  /** Keep per-source rows (the largest output by far); default true. */
  sourceRollups?: boolean;
}

export interface IntervalResult {
  startMs: number;
  endMs: number;
  summary: IntervalSummary;
  /** Per-port rows, column by column (`rows()` for objects). */
  ports: PortTable;
  /** Per-source rows, column by column (`rows()` for objects). */
  sources: SourceTable;
  victims: VictimRow[];
  alerts: CampaignAlert[];
  infected: InfectedHostRow[];
}

export interface EngineStats {
  frames: number;
  /** IP packets inside the darknet that went through the analyses. */
  packets: number;
  bytes: number;
  nonIp: number;
  outsideDarknet: number;
  malformed: Record<string, number>;
  firstMs: number | null;
  lastMs: number | null;
  intervals: number;
}

export function darknetSizeOf(set: PrefixSet): number {
  let n = 0;
  for (const p of set.prefixes()) if (p.family === 4) n += 2 ** (32 - p.bits);
  return n;
}

export class TelescopeEngine {
  readonly bucketMs: number;
  readonly pending: IntervalResult[] = [];
  readonly stats: EngineStats = { frames: 0, packets: 0, bytes: 0, nonIp: 0, outsideDarknet: 0, malformed: {}, firstMs: null, lastMs: null, intervals: 0 };

  private readonly p = new PacketInfo();
  private readonly darknet: PrefixSet | null;
  private readonly darknet4: ((ip: number) => boolean) | null;
  private readonly research4: ((ip: number) => boolean) | null;
  private readonly summary = new SummaryPlugin();
  private readonly ports = new PortRollupPlugin();
  private readonly sources = new SourceRollupPlugin();
  private readonly keepSources: boolean;
  private readonly victims: BackscatterPlugin;
  private readonly infected = new InfectedHostPlugin();
  private readonly campaigns: CampaignDetector;
  private readonly malformed = new Float64Array(16);
  private bucket = -1;
  private bucketEnd = 0;

  constructor(options: EngineOptions = {}) {
    this.bucketMs = options.bucketMs ?? MINUTE_MS;
    this.darknet = options.darknet && options.darknet.size > 0 ? options.darknet : null;
    this.darknet4 = this.darknet ? this.darknet.matcherV4() : null;
    this.research4 = options.research && options.research.size > 0 ? options.research.matcherV4() : null;
    const size = this.darknet ? darknetSizeOf(this.darknet) : (options.darknetSize ?? 0);
    this.victims = new BackscatterPlugin(size, options.backscatter ?? CORSARO_DOS_THRESHOLDS);
    this.campaigns = new CampaignDetector(this.bucketMs, options.campaigns ?? DEFAULT_CAMPAIGN_THRESHOLDS);
    this.keepSources = options.sourceRollups !== false;
  }

  /** The frame handler to give the capture reader. */
  readonly onFrame = (f: CaptureFrame): void => {
    const p = this.p;
    const st = this.stats;
    st.frames++;
    p.reset(f.tsMs, f.origLen);
    if (!decodeFrame(f.data, f.offset, f.caplen, f.linkType, p)) {
      if (p.problem !== 0) this.malformed[p.problem]++;
      else st.nonIp++;
      return;
    }
    if (p.problem !== 0) this.malformed[p.problem]++; // transport truncated: still counts as IP
    if (this.darknet !== null && !this.inDarknet(p)) {
      st.outsideDarknet++;
      return;
    }
    if (f.tsMs >= this.bucketEnd || this.bucket < 0) this.roll(f.tsMs);
    st.packets++;
    st.bytes += f.origLen;
    const cls = classify(p);
    let fp = scannerFingerprint(p);
    if (this.research4 !== null && p.ipVersion === 4 && this.research4(p.src)) fp |= Fingerprint.RESEARCH;
    this.summary.observe(p, cls, fp);
    this.sources.observe(p, cls, fp);
    const key = portKey(p);
    this.ports.count(key, p.wireLen, this.sources.firstForPort(this.sources.lastSlot, key));
    this.victims.observe(p, cls);
    if (fp !== 0) this.infected.observeSlot(p, fp, this.sources.lastSlot);
  };

  private inDarknet(p: PacketInfo): boolean {
    if (p.ipVersion === 4) return this.darknet4!(p.dst);
    let v = 0n;
    for (let i = 0; i < 16; i++) v = (v << 8n) | BigInt(p.dst6[i]);
    return this.darknet!.has({ family: 6, value: v });
  }

  private roll(tsMs: number): void {
    if (this.bucket >= 0) this.closeInterval();
    this.bucket = bucketStart(tsMs, this.bucketMs);
    this.bucketEnd = this.bucket + this.bucketMs;
    this.stats.firstMs ??= tsMs;
  }

  private closeInterval(): void {
    const start = this.bucket;
    const end = this.bucketEnd;
    const ports = this.ports.endIntervalFolding(start, this.campaigns);
    const summary = this.summary.endInterval(start, end, this.sources.sourceCount);
    let sources = SourceTable.empty(start);
    if (this.keepSources) sources = this.sources.endInterval(start);
    else this.sources.reset();
    this.pending.push({
      startMs: start, endMs: end, summary, ports, sources,
      victims: this.victims.endInterval(start, end),
      alerts: this.campaigns.takeAlerts(),
      infected: this.infected.endInterval(),
    });
    this.stats.intervals++;
    this.stats.lastMs = end;
  }

  /** Closes the open bucket (end of input). */
  finish(): void {
    if (this.bucket >= 0) this.closeInterval();
    this.bucket = -1;
    this.bucketEnd = 0;
    for (let i = 1; i < this.malformed.length; i++) {
      if (this.malformed[i] > 0) this.stats.malformed[DECODE_PROBLEM_NAMES[i as DecodeProblemCode]] = this.malformed[i];
    }
  }
}
