/**
 * @mamori/core — what every part stands on: configuration, logging, errors, IP prefixes,
 * time buckets, the store (SQLite or PostgreSQL) and the bus (in-process or NATS JetStream).
 */
export * from './errors/index.js';
export * from './net/index.js';
export * from './store/index.js';
export * from './bus/index.js';
export {
  loadConfig, configSection, readConfigFile, dataPath, coreConfigSchema,
  type CoreConfig, type MamoriConfig, type LoadConfigOptions,
} from './config.js';
export { createLogger, maskUrl, REDACT_PATHS, type Logger, type LogOptions } from './log.js';
export { bucketStart, parseDuration, parseSince, MINUTE_MS, HOUR_MS, DAY_MS } from './time.js';
export { openPlatform, type Platform } from './platform.js';
export { testBackends, uniqueName, TEST_DATABASE_URL, TEST_NATS_URL, type TestBackend } from './testing.js';
