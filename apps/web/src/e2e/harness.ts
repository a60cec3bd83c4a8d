/**
 * What the real-browser test stands on: the built bundle, a real server on loopback over a
 * fresh SQLite data directory, and Debian's chromium driven by playwright-core (never a
 * downloaded browser).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig, openPlatform, type Platform } from '@mamori/core';
import { buildServer } from '@mamori/server';
import { e2eMigrations } from './seed.js';
import type { FastifyInstance } from 'fastify';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_DIR = resolve(WEB_DIR, '../..');
export const ARTIFACTS = join(REPO_DIR, 'test-artifacts', 'web');

/** The flags this machine needs: no sandbox as root, no GPU, no traffic beyond loopback. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'e2e' || entry.name.endsWith('.test.ts')) continue;
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds apps/web/build when it is missing or older than the sources; returns how long that took (ms, 0 if fresh). */
export function ensureBundle(): number {
  const index = join(WEB_DIR, 'build', 'index.html');
  const sourcesAt = Math.max(newestMtime(join(WEB_DIR, 'src')), statSync(join(WEB_DIR, 'index.html')).mtimeMs, statSync(join(WEB_DIR, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sourcesAt) return 0;
  const started = Date.now();
  const vite = join(WEB_DIR, 'node_modules', '.bin', 'vite');
  // vitest sets NODE_ENV=test, which makes Vite keep React's development checks and skip
  // minifying (main chunk 473 kB instead of 260 kB): build what `npm run build:web` builds.
  execFileSync(existsSync(vite) ? vite : join(REPO_DIR, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], { cwd: WEB_DIR, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  return Date.now() - started;
}

export interface RunningServer {
  platform: Platform;
  app: FastifyInstance;
  base: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The whole server, every part's routes and migrations, on 127.0.0.1 with its own SQLite file. */
export async function startServer(): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mamori-web-e2e-'));
  // Only these variables: a CI machine's MAMORI_DATABASE_URL must not leak in.
  const config = loadConfig({ env: { MAMORI_DATA_DIR: dataDir, MAMORI_LOG_LEVEL: 'warn', MAMORI_HOST: '127.0.0.1', MAMORI_PORT: '0' } });
  const platform = await openPlatform(config, { migrations: e2eMigrations() });
  const app = await buildServer(platform);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    platform, app, dataDir, base: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await platform.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a fresh profile (playwright gives each launch its own empty user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A page context as a Japanese operator's browser would have it. */
export const CONTEXT_OPTIONS = { viewport: { width: 1366, height: 900 }, locale: 'ja-JP', acceptDownloads: true } as const;

/** axe-core's own script, injected into the page under test. */
export const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
