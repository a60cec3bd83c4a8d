import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../server.js';
import { healthRoutes } from './health.js';
import { createWebRoutes, fileUnder, IMMUTABLE, REVALIDATE } from './web.js';

// The route has no store access; one back end is enough.
const backend = testBackends()[0];

describe('web routes (the dashboard bundle)', () => {
  let root: string;
  let p: Platform;
  let app: FastifyInstance;
  let bare: FastifyInstance;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mamori-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>mamori</title><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(root, 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log(1)'));
    writeFileSync(join(root, 'assets', 'index-abc123.js.gz'), gzipSync('console.log(1)'));
    writeFileSync(join(root, 'robots.txt'), 'User-agent: *');
    writeFileSync(join(tmpdir(), 'mamori-web-outside.txt'), 'secret');
    p = await backend.open();
    app = await buildServer(p, { modules: [healthRoutes, createWebRoutes({ root })] });
    bare = await buildServer(p, { modules: [healthRoutes, createWebRoutes({ root: join(root, 'missing') })] });
  });
  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await p?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html for / and client-side routes, revalidated every time', async () => {
    for (const url of ['/', '/telescope', '/hub/reports/r-1', '/index.html']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe(REVALIDATE);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain('<div id="root">');
    }
  });

  it('sends the precompressed asset the browser accepts (br before gzip), the plain file otherwise', async () => {
    const br = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(br.headers['cache-control']).toBe(IMMUTABLE);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe('console.log(1)');
    const gz = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await app.inject({ url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe('console.log(1)');
  });

  it('answers a conditional request for index.html with 304', async () => {
    const first = await app.inject({ url: '/' });
    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('caches hashed assets for a year and other files for an hour', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe(IMMUTABLE);
    expect(asset.body).toBe('console.log(1)');
    const robots = await app.inject({ url: '/robots.txt' });
    expect(robots.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('never answers API paths or missing files with the page', async () => {
    for (const url of ['/api/telescope/top/ports', '/api/nothing', '/taxii2/', '/tsa', '/assets/gone-123.js', '/favicon.ico']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('MAMORI_NOT_FOUND');
      expect(res.headers['cache-control']).toBeUndefined();
    }
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
  });

  it('refuses paths that leave the bundle directory', async () => {
    for (const url of ['/../mamori-web-outside.txt', '/%2e%2e/mamori-web-outside.txt', '/assets/..%2f..%2fmamori-web-outside.txt', '/%E0%A4%A.js']) {
      const res = await app.inject({ url });
      expect(res.body, url).not.toContain('secret');
      expect([400, 404]).toContain(res.statusCode);
    }
    expect(fileUnder(root, '/../mamori-web-outside.txt')).toBeNull();
    expect(fileUnder(root, '/assets/%2e%2e/%2e%2e/mamori-web-outside.txt')).toBeNull();
    expect(fileUnder(root, '/assets/index-abc123.js')).toBe(join('assets', 'index-abc123.js'));
    expect(fileUnder(root, '/assets')).toBeNull();
  });

  it('says how to build the dashboard when the bundle is missing', async () => {
    const res = await bare.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    expect((await bare.inject({ url: '/api/x' })).statusCode).toBe(404);
  });

  it('stays out of the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/*');
  });
});
