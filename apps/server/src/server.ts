/**
 * The mamori server: one Fastify instance carrying every part's routes, structured request
 * logs (the platform's pino logger), an OpenAPI document built from the route schemas, one
 * error shape for every failure, and graceful shutdown.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { MamoriError, type Platform } from '@mamori/core';
import { routeModules as defaultModules } from './parts.js';
import type { RouteModule } from './route-module.js';

export interface ServerOptions {
  modules?: RouteModule[];
  version?: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A handler answered by node:http itself, before Fastify's routing, hooks and logging. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Serves `method url` (exact path, no query string) with a raw node:http handler on the
     * listening server, for hot public endpoints such as the RFC 3161 TSA, whose cost per
     * request is otherwise mostly Fastify's (bench/trust-tsa.ts). The module still registers
     * the Fastify route too: it documents the endpoint in OpenAPI and answers inject() and any
     * URL the exact match misses, so both paths must share one implementation.
     */
    rawRoute(method: string, url: string, handler: RawHandler): void;
  }
}

export async function buildServer(platform: Platform, options: ServerOptions = {}): Promise<FastifyInstance> {
  const modules = options.modules ?? defaultModules;
  const rawRoutes = new Map<string, RawHandler>();
  const app = Fastify({
    loggerInstance: platform.log,
    bodyLimit: platform.config.server.bodyLimit,
    trustProxy: platform.config.server.trustProxy ?? false,
    serverFactory: (fastifyHandler) => createServer((req, res) => {
      const raw = rawRoutes.get(`${req.method} ${req.url}`);
      if (raw) raw(req, res);
      else fastifyHandler(req, res);
    }),
  });
  app.decorate('rawRoute', function (this: { prefix: string }, method: string, url: string, handler: RawHandler) {
    rawRoutes.set(`${method} ${this.prefix}${url}`, handler);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'mamori', description: 'mamori platform API', version: options.version ?? '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.setErrorHandler((error: FastifyError | MamoriError, request, reply) => {
    let status: number;
    let body: ErrorBody;
    if (error instanceof MamoriError) {
      status = error.status;
      body = { code: error.code, message: error.message, details: error.details };
    } else if ((error as FastifyError).validation) {
      status = 400;
      body = { code: 'MAMORI_VALIDATION', message: error.message };
    } else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) {
      status = (error as FastifyError).statusCode!;
      body = { code: (error as FastifyError).code ?? 'MAMORI_REQUEST', message: error.message };
    } else {
      status = 500;
      body = { code: 'MAMORI_INTERNAL', message: 'internal error' };
      request.log.error({ err: error }, 'unhandled error');
    }
    // Parts with their own media type (TAXII, RFC 3161) set it before throwing.
    if (!reply.getHeader('content-type')) reply.type('application/json; charset=utf-8');
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ code: 'MAMORI_NOT_FOUND', message: `${request.method} ${request.url} not found` });
  });

  for (const m of modules) {
    await app.register(async (scope) => { await m.register(scope, platform); }, { prefix: m.prefix ?? '' });
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.addHook('onClose', async () => {
    for (const m of modules) await m.close?.();
  });
  // Fastify infers its logger type from the pino instance; callers want the plain instance type.
  return app as unknown as FastifyInstance;
}

/** Closes the server on SIGINT/SIGTERM: stop accepting, finish in-flight requests, close store and bus. */
export function handleShutdown(app: FastifyInstance, platform: Platform): void {
  let closing = false;
  const stop = (signal: string): void => {
    if (closing) return;
    closing = true;
    platform.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close()
      .then(() => platform.close())
      .then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
