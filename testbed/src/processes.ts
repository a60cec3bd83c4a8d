/**
 * Real mamori processes for tests: the CLI run from sources (no build needed), as users run
 * it, with helpers to wait for output and to kill it hard (SIGKILL) as a crash would.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../apps/cli/src/main.ts', import.meta.url));
const NODE_ARGS = ['--conditions=@mamori/source', '--import', 'tsx', CLI_MAIN];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one `mamori` command to completion. */
export function runMamori(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...NODE_ARGS, ...args], {
      env: { ...process.env, MAMORI_LOG_LEVEL: 'warn', ...env },
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export interface MamoriProcess {
  readonly child: ChildProcess;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first stdout/stderr line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a long-running `mamori` command (serve, sensor, worker). */
export function startMamori(args: string[], env: Record<string, string | undefined> = {}): MamoriProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], {
    env: { ...process.env, MAMORI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (d) => { stdout += d; watchers.forEach((w) => w()); });
  child.stderr!.on('data', (d) => { stderr += d; watchers.forEach((w) => w()); });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { watchers.forEach((w) => w()); resolve(code); }));
  return {
    child,
    output: () => ({ stdout, stderr }),
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = stdout.match(pattern) ?? stderr.match(pattern);
          if (m) { cleanup(); resolve(m); } else if (child.exitCode !== null) { cleanup(); reject(new Error(`process exited (${child.exitCode}) before ${pattern}: ${stderr.slice(-2000)}`)); }
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${pattern}; stderr: ${stderr.slice(-2000)}`)); }, timeoutMs);
        const cleanup = (): void => { clearTimeout(timer); watchers.delete(check); };
        watchers.add(check);
        check();
      });
    },
    exited: () => exit,
    kill: (signal = 'SIGTERM') => { child.kill(signal); },
  };
}
