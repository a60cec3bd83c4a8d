/**
 * Logging: pino, pretty on a TTY, JSON lines otherwise. Secrets are redacted by path so a
 * careless `log.info({ headers })` cannot leak a token or password.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'password', '*.password', 'passphrase', '*.passphrase', 'token', '*.token', 'secret', '*.secret',
  'apiKey', '*.apiKey', 'privateKey', '*.privateKey',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
  'res.headers["set-cookie"]', 'databaseUrl', '*.databaseUrl', 'credential', '*.credential',
];

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  /** Fields on every line, such as a survey run's identity. */
  base?: Record<string, unknown>;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const pretty = options.pretty ?? (process.stderr.isTTY === true && !options.destination);
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    base: { ...(options.base ?? {}) },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (pretty) {
    return pino({ ...opts, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } });
  }
  return pino(opts, (options.destination as any) ?? pino.destination(2));
}

/** Masks the password of a connection URL for display (`postgres://u:***@h/db`). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
