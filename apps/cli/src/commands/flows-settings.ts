/**
 * `mamori flows` settings: the `[flows]` section of the configuration, each key overridden by
 * its flag when one is given. A flag is checked by the same schema as its key, and a bad one
 * is a usage error naming the flag (a bad key is a configuration error naming `flows.<key>`).
 */
import { readFileSync } from 'node:fs';
import { MamoriError, type MamoriConfig } from '@mamori/core';
import {
  detectionConfigSchema, durationSchema, flowsConfig, listenSchema, parseAllowList, parseKnownBots, type DetectionOptions, type FlowsConfig,
} from '@mamori/flows';

/** Flags shared by `collect` and `import` (commander's camel-cased names). */
export interface FlowsFlags {
  listen?: string;
  flush?: string;
  detectEvery?: string;
  retention?: string;
  archive?: string | boolean;
  knownBots?: string;
  allow?: string;
  internal?: string;
  minScore?: string;
  limit?: string;
}

export type FlowsSettings = ReturnType<typeof flowsConfig>;

/** A field schema of `[flows]` (zod's safeParse, typed structurally so the CLI needs no zod of its own). */
interface FieldSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

function flag<T>(schema: FieldSchema<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new MamoriError('MAMORI_USAGE', { reason: `${name}: ${r.error.issues[0].message}` });
  return r.data;
}

/** A duration flag (`30s`, `10m`, `7d`) in milliseconds; a usage error naming the flag otherwise. */
export function durationFlag(text: string, name: string): number {
  return flag(durationSchema, text, name);
}

/** The configuration's `[flows]`, with every given flag in place of its key. */
export function flowsSettings(config: MamoriConfig, f: FlowsFlags): FlowsSettings {
  const c = flowsConfig(config);
  const d = detectionConfigSchema.shape;
  const detection: FlowsConfig['detection'] = {
    ...c.detection,
    ...(f.minScore !== undefined ? { minScore: flag(d.minScore, f.minScore, '--min-score') } : {}),
    ...(f.limit !== undefined ? { limit: flag(d.limit, f.limit, '--limit') } : {}),
    ...(f.internal !== undefined ? { internal: flag(d.internal, f.internal.split(',').map((s) => s.trim()).filter(Boolean), '--internal') } : {}),
  };
  return {
    ...c,
    ...(f.listen !== undefined ? { listen: flag(listenSchema, f.listen, '--listen') } : {}),
    ...(f.flush !== undefined ? { flushEvery: durationFlag(f.flush, '--flush') } : {}),
    ...(f.detectEvery !== undefined ? { detectEvery: durationFlag(f.detectEvery, '--detect-every') } : {}),
    ...(f.retention !== undefined ? { retention: durationFlag(f.retention, '--retention') } : {}),
    ...(f.knownBots !== undefined ? { knownBots: f.knownBots } : {}),
    ...(f.allow !== undefined ? { allowList: f.allow } : {}),
    archive: f.archive === undefined ? c.archive : { ...c.archive, enabled: true, ...(typeof f.archive === 'string' ? { dir: f.archive } : {}) },
    detection,
  };
}

function readInput(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `${what}: cannot read ${file}: ${(e as Error).message}` });
  }
}

/** What detection runs with: thresholds, and the allow-list and known-bot files read. */
export function detectionOptions(s: FlowsSettings): DetectionOptions {
  const d = s.detection;
  return {
    minScore: d.minScore, limit: d.limit, beaconThreshold: d.beaconThreshold,
    ...(d.stitchSlack !== undefined ? { stitchSlackMs: d.stitchSlack } : {}),
    ...(d.internal ? { internal: d.internal } : {}),
    ...(s.allowList ? { allow: parseAllowList(readInput(s.allowList, 'allow-list (--allow, flows.allowList)')) } : {}),
    ...(s.knownBots ? { knownBots: parseKnownBots(readInput(s.knownBots, 'known bots (--known-bots, flows.knownBots)')) } : {}),
  };
}
