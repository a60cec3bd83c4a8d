/**
 * Dashboard first load on loopback: the built bundle (apps/web/build, precompressed) served by
 * the real server, opened N times in Debian's chromium through playwright-core, each time in a
 * fresh browser context (empty cache, no service worker). Per load: first contentful paint
 * (the app's root is empty until it renders the login page), the load event, requests, and the JavaScript
 * transferred (on the wire and decoded).
 *
 * Peers, run beside it on the same machine:
 *   - static: the same server code serving a page that fetches the same JavaScript bytes (the
 *     bundle's files turned into comments of equal length, so equally compressible) and only
 *     then shows a heading — the cost of getting the bytes into the browser at all;
 *   - curl: index.html and every first-load script fetched with `curl --compressed` (no browser).
 * Goal: median first load < 1 s.
 *
 *   npm run bench -- bench/web-first-load.ts [--loads 20]
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig, openPlatform, type Platform } from '@mamori/core';
import { buildServer, migrationSets, routeModules } from '@mamori/server';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const LOADS = arg('loads', 20);
const CHROMIUM = '/usr/bin/chromium';
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = join(REPO, 'apps/web/build');
const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`;

interface LoadFigures { headingMs: number; loadMs: number; requests: number; jsWire: number; jsDecoded: number; jsFiles: string[] }

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };
const p95 = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]; };

async function serve(platform: Platform, webRootDir?: string): Promise<{ base: string; close(): Promise<void> }> {
  const p = webRootDir ? { ...platform, config: { ...platform.config, web: { root: webRootDir } } } : platform;
  const app = await buildServer(p, { modules: webRootDir ? routeModules.filter((m) => m.name === 'web') : routeModules });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, close: () => app.close() };
}

async function firstLoad(browser: Browser, url: string): Promise<LoadFigures> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'ja-JP' });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('h1', { state: 'visible' });
  // First contentful paint, on the page's own clock: the dashboard's root is empty until the
  // app renders the login page, so its first content is the app (no round trip to playwright).
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  const headingMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0].startTime);
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const js = res.filter((r) => r.name.endsWith('.js'));
    return {
      loadMs: nav.loadEventEnd, requests: 1 + res.length,
      jsWire: js.reduce((n, r) => n + r.transferSize, 0), jsDecoded: js.reduce((n, r) => n + r.decodedBodySize, 0),
      jsFiles: js.map((r) => new URL(r.name).pathname),
    };
  });
  await context.close();
  return { headingMs, ...figures };
}

/** A static page fetching the same script bytes, each file turned into a comment of the same length; the last one then shows a heading. */
function staticPeer(dir: string, jsFiles: string[]): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  const tags: string[] = [];
  for (const [i, path] of jsFiles.entries()) {
    const text = readFileSync(join(BUILD, path), 'utf8');
    // The last script shows the heading, as the app does once its code has run.
    const show = i === jsFiles.length - 1 ? `\ndocument.body.insertAdjacentHTML('beforeend', '<main><h1>mamori</h1></main>');` : '';
    const inert = `/*${text.replaceAll('*/', '*\\')}*/${show}`;
    writeFileSync(join(dir, path), inert);
    writeFileSync(join(dir, `${path}.br`), brotliCompressSync(inert));
    writeFileSync(join(dir, `${path}.gz`), gzipSync(inert, { level: 9 }));
    tags.push(`<script type="module" src="${path}"></script>`);
  }
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>peer</title>${tags.join('')}</head><body></body></html>`);
}

/** curl runs beside the server, which lives in this process: it must not block the event loop. */
async function curlMs(base: string, paths: string[]): Promise<number> {
  const { stdout } = await promisify(execFile)('curl', ['-s', '--compressed', '-w', '%{time_total}\n', ...paths.flatMap((p) => ['-o', '/dev/null', base + p])], { encoding: 'utf8' });
  return stdout.trim().split('\n').map(Number).reduce((a, b) => a + b, 0) * 1000;
}

function summary(name: string, runs: LoadFigures[]): string {
  const h = runs.map((r) => r.headingMs);
  const l = runs.map((r) => r.loadMs);
  return `${name.padEnd(7)} first contentful paint median ${median(h).toFixed(0)} ms, p95 ${p95(h).toFixed(0)} ms; load event median ${median(l).toFixed(0)} ms, p95 ${p95(l).toFixed(0)} ms; `
    + `${runs[0].requests} requests, JS ${(runs[0].jsWire / 1024).toFixed(1)} kB on the wire (${(runs[0].jsDecoded / 1024).toFixed(1)} kB decoded, ${runs[0].jsFiles.length} files)`;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(join(BUILD, 'index.html'))) {
    console.log('building the bundle (npm run build:web)…');
    const r = spawnSync('npm', ['run', 'build:web'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build:web failed');
  }
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-web-'));
  const config = loadConfig({ env: { MAMORI_DATA_DIR: join(dir, 'data'), MAMORI_LOG_LEVEL: 'warn' } });
  const platform = await openPlatform(config, { migrations: migrationSets });
  const mamori = await serve(platform);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    await firstLoad(browser, mamori.base + '/'); // warm the browser process and the server's file handles, not measured
    console.log(`mamori dashboard first load, ${LOADS} fresh contexts each (${load()})`);
    const runs: LoadFigures[] = [];
    for (let i = 0; i < LOADS; i++) runs.push(await firstLoad(browser, mamori.base + '/'));
    const jsFiles = runs[0].jsFiles;
    staticPeer(join(dir, 'peer'), jsFiles);
    const peer = await serve(platform, join(dir, 'peer'));
    const peerRuns: LoadFigures[] = [];
    for (let i = 0; i < LOADS; i++) peerRuns.push(await firstLoad(browser, peer.base + '/'));
    const curl: number[] = [];
    for (let i = 0; i < LOADS; i++) curl.push(await curlMs(mamori.base, ['/', ...jsFiles]));
    await peer.close();

    const main = median(runs.map((r) => r.headingMs));
    const base = median(peerRuns.map((r) => r.headingMs));
    console.log(summary('mamori', runs));
    console.log(summary('static', peerRuns));
    console.log(`curl    index.html + ${jsFiles.length} script(s), --compressed: median ${median(curl).toFixed(1)} ms, p95 ${p95(curl).toFixed(1)} ms`);
    console.log(`ratio   mamori / static page of the same bytes: ${(main / base).toFixed(2)}× (${(main - base).toFixed(0)} ms spent running the app)`);
    console.log(`goal    first load < 1 s: ${main < 1000 ? 'met' : 'NOT met'} (median ${main.toFixed(0)} ms; ${load()})`);
    console.log(`bundle  ${readdirSync(join(BUILD, 'assets')).filter((f) => f.endsWith('.js')).length} JS chunks; first load fetches ${jsFiles.join(', ')}`);
  } finally {
    await browser.close();
    await mamori.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
