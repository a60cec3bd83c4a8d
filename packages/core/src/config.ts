/**
 * Configuration: defaults, then a TOML or JSON file, then `MAMORI_*` environment variables,
 * validated by zod. Every error names the key at fault.
 *
 * Parts keep their own sections (`[telescope]`, `[survey]`, ...) and validate them with
 * their own schema through `configSection`, so core never has to know them.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { MamoriError } from './errors/index.js';

export const coreConfigSchema = z
  .object({
    /** Where the SQLite file, keys, archives and uploads live. */
    dataDir: z.string().min(1).default('./data'),
    /** PostgreSQL URL; unset means the embedded SQLite store. */
    databaseUrl: z.string().url().optional(),
    /** PostgreSQL schema to live in (created if missing); unset means the URL's default (public). */
    databaseSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier').optional(),
    /** NATS URL; unset means the in-process bus. */
    natsUrl: z.string().min(1).optional(),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        pretty: z.boolean().optional(),
      })
      .default({ level: 'info' }),
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65535).default(8080),
        bodyLimit: z.coerce.number().int().positive().default(10 * 1024 * 1024),
        /**
         * Behind a load balancer or reverse proxy: which hops' X-Forwarded-For to believe
         * (true: every hop; or a comma-separated list of proxy addresses/CIDRs). Without
         * it every client has the proxy's address, and per-address login throttling would
         * count all users as one.
         */
        trustProxy: z.union([z.boolean(), z.string().min(1)]).default(false),
      })
      .default({ host: '127.0.0.1', port: 8080, bodyLimit: 10 * 1024 * 1024, trustProxy: false }),
  })
  .passthrough();

export type CoreConfig = z.infer<typeof coreConfigSchema>;

/** Loaded configuration: the validated core keys plus raw part sections. */
export type MamoriConfig = CoreConfig & Record<string, unknown>;

/** Environment variables that map to core keys; `MAMORI_<SECTION>__<KEY>` reaches any other key. */
const ENV_KEYS: Record<string, string[]> = {
  MAMORI_DATA_DIR: ['dataDir'],
  MAMORI_DATABASE_URL: ['databaseUrl'],
  MAMORI_DATABASE_SCHEMA: ['databaseSchema'],
  MAMORI_NATS_URL: ['natsUrl'],
  MAMORI_LOG_LEVEL: ['log', 'level'],
  MAMORI_HOST: ['server', 'host'],
  MAMORI_PORT: ['server', 'port'],
};

function setPath(target: Record<string, any>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
}

function camel(s: string): string {
  return s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Parses an environment value: JSON literals (numbers, booleans, arrays) when they parse, else text. */
function envValue(raw: string): unknown {
  if (/^(true|false|null|-?\d+(\.\d+)?|\[.*\]|\{.*\})$/s.test(raw.trim())) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_CONFIG_FILE', { file, reason: (e as Error).message });
  }
  try {
    return extname(file) === '.json' ? JSON.parse(text) : (parseToml(text) as Record<string, unknown>);
  } catch (e) {
    throw new MamoriError('MAMORI_CONFIG_FILE', { file, reason: (e as Error).message });
  }
}

export interface LoadConfigOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Highest precedence: values from CLI flags (`--data`). */
  overrides?: Record<string, unknown>;
}

function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] && !Array.isArray(out[k]) ? deepMerge(out[k], v) : v;
  }
  return out;
}

function zodToMamori(error: z.ZodError, prefix = ''): MamoriError {
  const issue = error.issues[0];
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)';
  return new MamoriError('MAMORI_CONFIG_INVALID', { field, reason: issue.message });
}

export function loadConfig(options: LoadConfigOptions = {}): MamoriConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? env.MAMORI_CONFIG;
  let raw: Record<string, any> = file ? readConfigFile(file) : {};
  const fromEnv: Record<string, any> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('MAMORI_') || value === undefined || name === 'MAMORI_CONFIG') continue;
    // Zod coerces the numeric core keys; only free-form part keys need JSON-ish parsing.
    if (ENV_KEYS[name]) setPath(fromEnv, ENV_KEYS[name], value);
    else if (name.includes('__')) setPath(fromEnv, name.slice(7).split('__').map(camel), envValue(value));
  }
  raw = deepMerge(deepMerge(raw, fromEnv), options.overrides ?? {});
  const parsed = coreConfigSchema.safeParse(raw);
  if (!parsed.success) throw zodToMamori(parsed.error);
  const config = parsed.data as MamoriConfig;
  config.dataDir = resolve(config.dataDir.replace(/^~(?=\/|$)/, homedir()));
  return config;
}

/** Validates one part's section (`[telescope]` etc.) with that part's schema; errors name `section.key`. */
export function configSection<S extends z.ZodTypeAny>(config: MamoriConfig, section: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(config[section] ?? {});
  if (!parsed.success) throw zodToMamori(parsed.error, section);
  return parsed.data;
}

export function dataPath(config: CoreConfig, ...parts: string[]): string {
  return join(config.dataDir, ...parts);
}
