/**
 * What every command gets: the global options, configuration, the platform (opened on
 * first use, with every part's migrations applied) and output helpers that honour --json.
 */
import type { Command } from 'commander';
import { loadConfig, openPlatform, createLogger, type Logger, type MamoriConfig, type Platform } from '@mamori/core';
import { migrationSets } from '@mamori/server';

export interface GlobalOptions {
  json?: boolean;
  data?: string;
  config?: string;
  quiet?: boolean;
}

export class CliContext {
  private platformPromise: Promise<Platform> | null = null;
  private loaded: MamoriConfig | null = null;

  constructor(private readonly program: Command) {}

  globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  config(): MamoriConfig {
    if (!this.loaded) {
      const g = this.globals();
      this.loaded = loadConfig({ file: g.config, overrides: g.data ? { dataDir: g.data } : {} });
    }
    return this.loaded;
  }

  logger(): Logger {
    const c = this.config();
    return createLogger({ level: this.globals().quiet ? 'warn' : c.log.level, pretty: c.log.pretty });
  }

  /** Store and bus, migrated. Closed by `close()` when the command ends. */
  platform(): Promise<Platform> {
    this.platformPromise ??= openPlatform(this.config(), { migrations: migrationSets, log: this.logger(), name: 'mamori-cli' });
    return this.platformPromise;
  }

  async close(): Promise<void> {
    if (this.platformPromise) {
      const p = await this.platformPromise.catch(() => null);
      this.platformPromise = null;
      await p?.close();
    }
  }

  get json(): boolean {
    return this.globals().json === true;
  }

  /** Prints a result: JSON with --json, else the human rendering (or JSON if there is none). */
  print<T>(value: T, human?: (v: T) => string): void {
    if (this.json || !human) process.stdout.write(`${JSON.stringify(value, null, this.json ? 0 : 2)}\n`);
    else process.stdout.write(`${human(value)}\n`);
  }

  /** Human-only messages go to stderr so stdout stays machine-readable. */
  note(message: string): void {
    if (!this.globals().quiet) process.stderr.write(`${message}\n`);
  }
}

/** A table for humans: columns padded to their widest cell. */
export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => (r[c] === undefined || r[c] === null ? '' : String(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
