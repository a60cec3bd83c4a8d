/**
 * The dashboard's files (apps/web, built by `npm run build:web` into apps/web/build/).
 *
 * One catch-all GET route: a file that exists is sent; any other path that is not an API path
 * gets index.html so client-side routes survive a reload. Vite names assets by content hash,
 * so /assets/* is cached for a year (immutable) while index.html is revalidated every time
 * (ETag), which is what makes a new build show up at once.
 */
import { existsSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { MamoriError, type MamoriConfig } from '@mamori/core';
import type { RouteModule } from '../route-module.js';

/** Paths that belong to the API side: never answered with the dashboard's HTML. */
const API_PATHS = /^\/(api|taxii2|tsa|openapi\.json|healthz|readyz|metrics)(\/|$|\?)/;

export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
const OTHER_FILES = 'public, max-age=3600';

/** Same-origin only; ECharts' SVG renderer writes style attributes, hence 'unsafe-inline' for styles. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Where the built bundle is: `[web] root` in the configuration (MAMORI_WEB__ROOT), else apps/web/build. */
export function webRoot(config: MamoriConfig): string {
  const section = config.web as { root?: unknown } | undefined;
  if (section?.root !== undefined) {
    if (typeof section.root !== 'string' || section.root === '') throw new MamoriError('MAMORI_CONFIG_INVALID', { field: 'web.root', reason: 'expected a directory path' });
    return isAbsolute(section.root) ? section.root : resolve(section.root);
  }
  // src/routes/web.ts and dist/routes/web.js sit at the same depth under apps/server.
  return fileURLToPath(new URL('../../../web/build/', import.meta.url));
}

/** The file a URL path names inside `root`, or null when it is missing or would leave `root`. */
export function fileUnder(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const full = resolve(root, rel);
  const base = resolve(root);
  if (full !== base && !full.startsWith(base + sep)) return null;
  try {
    return statSync(full).isFile() ? relative(base, full) : null;
  } catch {
    return null;
  }
}

function notFound(method: string, url: string, reply: FastifyReply): FastifyReply {
  return reply.code(404).type('application/json; charset=utf-8').send({ code: 'MAMORI_NOT_FOUND', message: `${method} ${url} not found` });
}

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mamori</title></head>
<body><main><h1>mamori</h1><p>The dashboard has not been built on this server. Run <code>npm run build:web</code> (or <code>npm run build</code>) and reload.</p>
<p>The API is up: see <a href="/openapi.json">/openapi.json</a>.</p></main></body></html>`;

export function createWebRoutes(options: { root?: string } = {}): RouteModule {
  return {
    name: 'web',
    async register(app, platform) {
      const root = options.root ?? webRoot(platform.config);
      // The build writes .br/.gz beside text assets (apps/web/precompress.ts): sent as the browser accepts, never compressed per request.
      await app.register(fastifyStatic, { root, serve: false, suppressWarning: true, preCompressed: true });

      app.get('/*', { schema: { hide: true } }, async (request, reply) => {
        const path = request.url.split('?')[0];
        if (API_PATHS.test(path)) return notFound(request.method, request.url, reply);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'no-referrer');
        const index = resolve(root, 'index.html');
        if (!existsSync(index)) {
          return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
        }
        // A path with an extension is a file: missing ones are a plain 404, never index.html
        // (a stale page asking for an old asset must fail loudly, not get HTML as script).
        if (extname(path) !== '') {
          if (path === '/index.html') return sendIndex(reply);
          const file = fileUnder(root, path);
          if (!file) return notFound(request.method, request.url, reply);
          reply.header('cache-control', path.startsWith('/assets/') ? IMMUTABLE : OTHER_FILES);
          return reply.sendFile(file, { cacheControl: false, dotfiles: 'deny' });
        }
        return sendIndex(reply);
      });

      function sendIndex(reply: FastifyReply): FastifyReply {
        reply.header('cache-control', REVALIDATE);
        reply.header('content-security-policy', CSP);
        return reply.sendFile('index.html', { cacheControl: false });
      }
    },
  };
}

export const webRoutes: RouteModule = createWebRoutes();
