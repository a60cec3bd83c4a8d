/**
 * Test support for trust and for parts that use it (the hub): a throw-away trust directory
 * with a root, a TSA and an e-seal, and an in-process TSA over it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initTrust, type InitOptions, type InitResult } from './pki/generate.js';
import { loadIdentity } from './pki/keys.js';
import { TimeStampAuthority, type TsaOptions } from './tsp/authority.js';
import { CounterSerialSource } from './tsp/serials.js';
import { DEFAULT_TSA_POLICY } from './config.js';

export interface TestTrust extends InitResult {
  tsa: InitResult['tsa'];
  authority(options?: Partial<TsaOptions>): TimeStampAuthority;
  remove(): void;
}

export async function createTestTrust(options: Partial<InitOptions> = {}): Promise<TestTrust> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mamori-trust-'));
  const result = await initTrust({ organisation: 'Test CSIRT', ...options, dir });
  return {
    ...result,
    authority: (o = {}) => new TimeStampAuthority({
      identity: loadIdentity(dir, 'tsa'),
      policy: DEFAULT_TSA_POLICY,
      serials: new CounterSerialSource(),
      accuracy: { seconds: 1 },
      ...o,
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs the openssl command line (the independent peer of the interop tests) in `cwd`. */
export function runOpenssl(args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** `runOpenssl` without blocking the event loop: for openssl talking to a server in this process. */
export function runOpensslAsync(args: string[], cwd: string): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', args, { cwd, timeout: 20_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('close', (code) => resolve({ ok: code === 0, out }));
    child.on('error', (e) => resolve({ ok: false, out: `${out}${e.message}` }));
  });
}
