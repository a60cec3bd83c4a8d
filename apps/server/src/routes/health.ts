import type { RouteModule } from '../route-module.js';

const checkSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    store: { type: 'object', additionalProperties: true },
    bus: { type: 'object', additionalProperties: true },
  },
} as const;

/** Liveness (the process answers) and readiness (store and bus answer too). */
export const healthRoutes: RouteModule = {
  name: 'health',
  register(app, platform) {
    app.get('/healthz', {
      schema: { tags: ['health'], summary: 'Liveness', response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
    }, async () => ({ ok: true }));

    app.get('/readyz', {
      schema: { tags: ['health'], summary: 'Readiness: store and bus reachable', response: { 200: checkSchema, 503: checkSchema } },
    }, async (_req, reply) => {
      const [store, bus] = await Promise.allSettled([platform.store.info(), platform.bus.info()]);
      const body = {
        ok: store.status === 'fulfilled' && bus.status === 'fulfilled',
        store: store.status === 'fulfilled' ? store.value : { error: String((store.reason as Error)?.message ?? store.reason) },
        bus: bus.status === 'fulfilled' ? bus.value : { error: String((bus.reason as Error)?.message ?? bus.reason) },
      };
      return reply.code(body.ok ? 200 : 503).send(body);
    });
  },
};
