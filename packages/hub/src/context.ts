/**
 * What every hub operation runs against: the store (typed with the hub's tables), the bus,
 * a clock (tests move it), configuration and the optional audit-checkpoint stamper.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { configSection, type Bus, type Logger, type Platform, type StoreDialect } from '@mamori/core';
import type { HubTables } from './model/tables.js';

export const hubConfigSchema = z.object({
  /** Largest attachment accepted, in bytes. */
  attachmentLimit: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Longest free-text field (title, description, impact, comment), in characters. */
  textLimit: z.coerce.number().int().positive().default(20_000),
  login: z.object({
    maxFailures: z.coerce.number().int().positive().default(5),
    lockMs: z.coerce.number().int().positive().default(15 * 60_000),
    sessionMs: z.coerce.number().int().positive().default(12 * 3600_000),
    /** scrypt cost N (a power of two); tests lower it. */
    scryptN: z.coerce.number().int().min(1024).max(1 << 20).default(1 << 15),
    /**
     * Failed logins from one source (an IPv4 address or an IPv6 /64), whatever the account,
     * within `sourceWindowMs` before that source is refused for `sourceBlockMs` (429). This
     * stops password spraying across many accounts, which the per-account lockout cannot see.
     */
    sourceMaxFailures: z.coerce.number().int().positive().default(20),
    sourceWindowMs: z.coerce.number().int().positive().default(15 * 60_000),
    sourceBlockMs: z.coerce.number().int().positive().default(15 * 60_000),
  }).prefault({}),
  tokens: z.object({
    /** Default lifetime of API tokens; 0 means they do not expire unless given one. */
    defaultTtlMs: z.coerce.number().int().min(0).default(90 * 24 * 3600_000),
  }).prefault({}),
  alerts: z.object({
    /** Attempts before a webhook or e-mail delivery goes to the dead letters. */
    maxAttempts: z.coerce.number().int().positive().default(6),
    /** First retry delay; doubles each attempt. */
    backoffMs: z.coerce.number().int().positive().default(5_000),
    webhookTimeoutMs: z.coerce.number().int().positive().default(10_000),
    /** Allow webhooks to loopback/private addresses (tests, single-site installs). */
    allowInternalTargets: z.boolean().default(false),
    /** How often a server's dispatcher looks for due alerts and pages; 0 turns it off. */
    dispatchIntervalMs: z.coerce.number().int().min(0).default(1000),
    smtp: z.object({
      host: z.string().default('127.0.0.1'),
      port: z.coerce.number().int().min(1).max(65535).default(25),
      secure: z.boolean().default(false),
      from: z.string().default('mamori-hub@localhost'),
      user: z.string().optional(),
      pass: z.string().optional(),
    }).prefault({}),
  }).prefault({}),
  paging: z.object({
    /** Reports at or above this severity page the coordinator's on-call list at once. */
    minSeverity: z.coerce.number().int().min(0).max(5).default(4),
    /** Escalate to the next on-call entry when nobody acknowledges within this time. */
    ackTimeoutMs: z.coerce.number().int().positive().default(15 * 60_000),
  }).prefault({}),
  audit: z.object({
    /** Write (and stamp) a checkpoint every this many audit entries. */
    checkpointEvery: z.coerce.number().int().positive().default(1000),
    /** Time-stamp checkpoints through @mamori/trust (its configured TSA, else the local one). */
    timeStamp: z.boolean().default(true),
  }).prefault({}),
});
export type HubConfig = z.infer<typeof hubConfigSchema>;

/** Time-stamps an audit checkpoint hash (e.g. an RFC 3161 client of @mamori/trust). */
export type CheckpointStamper = (hashHex: string) => Promise<{ kind: string; token: string }>;

export interface HubContext {
  readonly db: Kysely<HubTables>;
  readonly dialect: StoreDialect;
  readonly bus: Bus;
  readonly log: Logger;
  readonly config: HubConfig;
  now(): number;
  newId(): string;
  stampCheckpoint?: CheckpointStamper;
}

export interface HubContextOptions {
  now?: () => number;
  config?: Partial<HubConfig>;
  stampCheckpoint?: CheckpointStamper;
}

/** The hub over a platform; the `[hub]` config section is validated here. */
export function hubContext(platform: Platform, options: HubContextOptions = {}): HubContext {
  // Overrides merge into their sections (tests set one key of `login`), then the schema fills
  // whatever neither gave.
  const raw = (platform.config.hub ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...raw };
  const isSection = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [k, v] of Object.entries(options.config ?? {})) merged[k] = isSection(v) && isSection(raw[k]) ? { ...raw[k], ...v } : v;
  const config = configSection({ ...platform.config, hub: merged }, 'hub', hubConfigSchema) as HubConfig;
  return {
    db: platform.store.as<HubTables>(),
    dialect: platform.store.dialect,
    bus: platform.bus,
    log: platform.log,
    config,
    now: options.now ?? Date.now,
    newId: randomUUID,
    stampCheckpoint: options.stampCheckpoint,
  };
}
