/**
 * /api/demo — the demo data set for a first look: its status (any signed-in user: the
 * dashboard shows a "demo data" banner), and building or removing it (admins only; the
 * dashboard's empty state offers the button). Building takes tens of seconds: the request
 * waits for it, and a second request while one runs is refused.
 */
import { MamoriError } from '@mamori/core';
import { hubAuth, hubContext, requestPrincipal } from '@mamori/hub';
import type { FastifyRequest } from 'fastify';
import { buildDemo, demoStatus, removeDemo } from '../demo/index.js';
import type { RouteModule } from '../route-module.js';

const tags = ['demo'];
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true } as const;
const counts = { type: 'object', additionalProperties: { type: 'number' } } as const;
const status = { type: 'object', properties: { present: { type: 'boolean' }, createdAt: { type: ['integer', 'null'] }, counts } } as const;

function adminOnly(request: FastifyRequest): void {
  if (!requestPrincipal(request).roles.includes('admin')) throw new MamoriError('MAMORI_DEMO_FORBIDDEN', { reason: 'loading or removing demo data needs the admin role' });
}

export const demoRoutes: RouteModule = {
  name: 'demo',
  prefix: '/api/demo',
  register(app, platform) {
    app.addHook('preHandler', hubAuth(hubContext(platform)));
    let busy: Promise<unknown> | null = null;
    const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
      if (busy) throw new MamoriError('MAMORI_DEMO_PRESENT', { reason: 'demo data is being built or removed right now' });
      const p = work();
      busy = p;
      try {
        return await p;
      } finally {
        busy = null;
      }
    };

    app.get('/', {
      schema: { tags, summary: 'Whether demo data is loaded, since when, and how many objects of each kind', response: { 200: status, 401: errorBody } },
    }, async () => demoStatus(platform.store));

    app.post('/', {
      schema: {
        tags, summary: 'Build the demo data set through the parts (admin)',
        description: 'Ingests a generated darknet capture, surveys an emulated device farm on loopback, detects C&C servers in generated flows, keeps a trusted product list with a year of history, and creates demo organisations, users and reports with a sealed advisory. Every object is listed in the demo manifest.',
        response: {
          200: {
            type: 'object',
            properties: {
              createdAt: { type: 'integer' }, telescope: counts, survey: counts, flows: counts, supply: counts, hub: counts, objects: { type: 'integer' },
              users: { type: 'array', items: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, org: { type: 'string' } } } },
            },
          },
          401: errorBody, 403: errorBody, 409: errorBody,
        },
      },
    }, async (request) => {
      adminOnly(request);
      return exclusive(() => buildDemo(platform));
    });

    app.delete('/', {
      schema: { tags, summary: 'Remove exactly what the demo made (admin)', response: { 200: { type: 'object', properties: { removed: counts } }, 401: errorBody, 403: errorBody, 409: errorBody } },
    }, async (request) => {
      adminOnly(request);
      return exclusive(() => removeDemo(platform));
    });
  },
};
