/**
 * The `[flows]` configuration section: where the collector listens, how often it flushes and
 * detects, retention, the raw archive, the allow-list and known-bot files, and the detection
 * thresholds. The CLI's flags override it one by one; each flag is checked by the same field
 * schema as its key, so `--retention 7x` and `retention = "7x"` fail the same way.
 */
import { z } from 'zod';
import { configSection, dataPath, parseDuration, type MamoriConfig } from '@mamori/core';

/** Milliseconds, from a number of ms or a duration text (`30s`, `10m`, `7d`). */
export const durationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDuration(v);
  if (!(ms > 0) || !Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a duration (e.g. 30s, 10m, 7d, or milliseconds)` });
    return z.NEVER;
  }
  return ms;
});

/** `host:port` or `[v6]:port` → its parts. */
export const listenSchema = z.string().transform((v, ctx) => {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(v.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not host:port` });
    return z.NEVER;
  }
  return { host: m[1], port };
});

const unitScore = z.coerce.number().min(0).max(1);

export const detectionConfigSchema = z.object({
  /** Candidates scoring below this are not reported. */
  minScore: unitScore.default(0.2),
  /** At most this many candidates per run. */
  limit: z.coerce.number().int().min(1).max(100_000).default(100),
  /** A client→server pair with a beacon score at least this counts as beaconing (coordination, evidence). */
  beaconThreshold: unitScore.default(0.6),
  /** Two directions of one connection are stitched when they overlap within this. */
  stitchSlack: durationSchema.optional(),
  /** The operator's customer address space; default RFC 1918, RFC 6598 and ULA. */
  internal: z.array(z.string().min(1)).min(1).optional(),
});

export const flowsConfigSchema = z.object({
  listen: listenSchema.default({ host: '127.0.0.1', port: 2055 }),
  /** How often rollups and exporter counters are written. */
  flushEvery: durationSchema.default(30_000),
  /** How often candidates are recomputed over the recent window while collecting. */
  detectEvery: durationSchema.default(600_000),
  /** Rollups and archive files older than this are deleted. */
  retention: durationSchema.default(7 * 86_400_000),
  archive: z.object({
    /** Keep every record in rotated CSV files. */
    enabled: z.boolean().default(false),
    /** Default `<dataDir>/flows-archive`. */
    dir: z.string().min(1).optional(),
    rotate: durationSchema.default(3_600_000),
  }).prefault({}),
  /** Allow-list file: prefixes, `port N`, or `prefix port…` per line. */
  allowList: z.string().min(1).optional(),
  /** More known bots, one address per line or JSON (the store's telescope and survey findings are always used). */
  knownBots: z.string().min(1).optional(),
  detection: detectionConfigSchema.prefault({}),
});

export type FlowsConfig = z.infer<typeof flowsConfigSchema>;

/** The validated `[flows]` section, with the archive directory resolved against the data directory. */
export function flowsConfig(config: MamoriConfig): FlowsConfig & { archive: { dir: string } } {
  const c = configSection(config, 'flows', flowsConfigSchema);
  return { ...c, archive: { ...c.archive, dir: c.archive.dir ?? dataPath(config, 'flows-archive') } };
}
