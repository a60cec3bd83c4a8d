/** The `[trust]` configuration section. */
import { z } from 'zod';
import { configSection, dataPath, type MamoriConfig } from '@mamori/core';

const oid = z.string().regex(/^[0-2](\.(0|[1-9]\d*))+$/, 'an OID in dotted form');

/** mamori's default TSA policy: a UUID-based OID (X.667, arc 2.25) needing no registration. */
export const DEFAULT_TSA_POLICY = '2.25.250815618786108969587535499649726559870';

export const trustConfigSchema = z.object({
  /** Keys and certificates; default `<dataDir>/trust`. */
  dir: z.string().optional(),
  /** Remote TSA for `trust stamp` and level-T seals; default: this installation's own TSA. */
  tsaUrl: z.string().url().optional(),
  /**
   * Base URL this installation's server is reached at: `trust init` names `<publicUrl>/crl`
   * (CRL distribution point) and `<publicUrl>/ocsp` (AIA OCSP) in the certificates it issues.
   */
  publicUrl: z.string().url().optional(),
  tsa: z.object({
    policy: oid.default(DEFAULT_TSA_POLICY),
    acceptedPolicies: z.array(oid).default([]),
    /** Accuracy claimed in tokens, in milliseconds (RFC 3161 accuracy). */
    accuracyMs: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** Serial numbers reserved per store round trip. */
    serialBlock: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    /** Sign on the event loop ('inline': least CPU per token) or on libuv's thread pool (one process on every core). */
    signOn: z.enum(['inline', 'thread-pool']).default('inline'),
    /**
     * `host:port` of a TSA listener of its own (POST /tsa only, keep-alive and pipelining,
     * tsp/http-listener.ts) beside the main server's route: several times less CPU per token.
     */
    listen: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]*):\d{1,5}$/, 'host:port').optional(),
  }).default({ policy: DEFAULT_TSA_POLICY, acceptedPolicies: [], accuracyMs: 1000, serialBlock: 1000, signOn: 'inline' }),
  clock: z.object({
    /** NTP server the clock is checked against (e.g. ntp.nict.jp); unset trusts the system clock. */
    ntpServer: z.string().optional(),
    ntpPort: z.coerce.number().int().min(1).max(65535).default(123),
    /** Refuse to issue beyond this |offset| (Japan's accredited scheme: 1 s). */
    maxOffsetMs: z.coerce.number().int().min(1).default(1000),
    intervalMs: z.coerce.number().int().min(1000).default(64_000),
  }).default({ ntpPort: 123, maxOffsetMs: 1000, intervalMs: 64_000 }),
});

export type TrustConfig = z.infer<typeof trustConfigSchema>;

export function trustConfig(config: MamoriConfig): TrustConfig & { dir: string } {
  const c = configSection(config, 'trust', trustConfigSchema);
  return { ...c, dir: c.dir ?? dataPath(config, 'trust') };
}
