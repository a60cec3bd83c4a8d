/**
 * TAXII 2.1 over HTTP (OASIS TAXII 2.1, §4–§5) under /taxii2/: discovery, the API root,
 * collections, objects (GET/POST), object by id (GET/DELETE), versions, manifest, status.
 *
 * Everything in this scope answers `application/taxii+json;version=2.1`, errors included:
 * 406 when the Accept header rules it out, 415 for a request body of another type, 413
 * past max_content_length (checked on Content-Length before the body is read, and again
 * while it streams). The logic lives in @mamori/hub's TaxiiService; this file is HTTP.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MamoriError } from '@mamori/core';
import {
  acceptsTaxii, createTaxiiService, isTaxiiContentType, taxiiErrorOf, TAXII_MEDIA_TYPE, type PageAnswer, type Principal, type TaxiiService,
} from '@mamori/hub';
import type { RouteModule } from '../route-module.js';

declare module 'fastify' {
  interface FastifyRequest {
    taxiiPrincipal?: Principal;
  }
}

type Query = Record<string, string | string[] | undefined>;

const resource = { type: 'object', additionalProperties: true } as const;
const errorSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' }, description: { type: 'string' }, error_id: { type: 'string' }, error_code: { type: 'string' },
    http_status: { type: 'string' }, details: { type: 'object', additionalProperties: true },
  },
} as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 406: errorSchema, 413: errorSchema, 415: errorSchema };
const filterQuery = {
  type: 'object',
  properties: {
    added_after: { type: 'string' }, limit: { type: 'string' }, next: { type: 'string' },
    'match[id]': { type: 'string' }, 'match[type]': { type: 'string' }, 'match[version]': { type: 'string' }, 'match[spec_version]': { type: 'string' },
  },
  additionalProperties: true,
} as const;
const rootParams = { type: 'object', properties: { root: { type: 'string' } }, required: ['root'] } as const;
const collectionParams = { type: 'object', properties: { root: { type: 'string' }, cid: { type: 'string' } }, required: ['root', 'cid'] } as const;
const objectParams = { type: 'object', properties: { root: { type: 'string' }, cid: { type: 'string' }, oid: { type: 'string' } }, required: ['root', 'cid', 'oid'] } as const;
const statusParams = { type: 'object', properties: { root: { type: 'string' }, sid: { type: 'string' } }, required: ['root', 'sid'] } as const;

const services = new Set<TaxiiService<Principal>>();

function principal(request: FastifyRequest): Principal {
  if (!request.taxiiPrincipal) throw new MamoriError('MAMORI_HUB_TAXII_UNAUTHORIZED');
  return request.taxiiPrincipal;
}

/** A page's body: an object to serialise, or JSON text sent as it is (objects pages). */
function sendPage<T>(reply: FastifyReply, answer: PageAnswer<T>): T {
  if (answer.first) reply.header('X-TAXII-Date-Added-First', answer.first);
  if (answer.last) reply.header('X-TAXII-Date-Added-Last', answer.last);
  return answer.body;
}

export const taxiiRoutes: RouteModule = {
  name: 'taxii',
  prefix: '/taxii2',
  async register(app, platform) {
    const service = createTaxiiService(platform);
    services.add(service);
    const max = service.options.maxContentLength;
    const root = service.options.apiRoot;

    // Only TAXII bodies here; anything else is 415 before it is read.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/taxii+json', { parseAs: 'string', bodyLimit: max }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (e) {
        done(new MamoriError('MAMORI_HUB_TAXII_BAD_REQUEST', { field: 'body', reason: `body is not JSON: ${(e as Error).message}` }), undefined);
      }
    });
    app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));

    app.addHook('onRequest', async (request, reply) => {
      reply.header('content-type', TAXII_MEDIA_TYPE);
      if (!acceptsTaxii(request.headers.accept)) throw new MamoriError('MAMORI_HUB_TAXII_NOT_ACCEPTABLE', { accept: String(request.headers.accept).slice(0, 100) });
      const length = Number(request.headers['content-length'] ?? 0);
      if (length > max) throw new MamoriError('MAMORI_HUB_TAXII_TOO_LARGE', { size: length, max });
      if ((request.method === 'POST' || request.method === 'PUT') && !isTaxiiContentType(request.headers['content-type'])) {
        throw new MamoriError('MAMORI_HUB_TAXII_MEDIA_TYPE', { contentType: String(request.headers['content-type'] ?? '(none)').slice(0, 100) });
      }
    });
    // Fastify rewrites media type parameters when it serialises (quoting, charset); TAXII
    // clients compare the header as the specification writes it.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-type', TAXII_MEDIA_TYPE);
      return payload;
    });
    app.addHook('preHandler', async (request, reply) => {
      try {
        request.taxiiPrincipal = await service.access.authenticate(request.headers.authorization);
      } catch (e) {
        reply.header('WWW-Authenticate', 'Bearer realm="mamori-taxii"');
        throw e instanceof MamoriError && e.status === 401 ? new MamoriError('MAMORI_HUB_TAXII_UNAUTHORIZED', {}, { cause: e }) : e;
      }
      const params = request.params as { root?: string };
      if (params.root !== undefined && params.root !== root) throw new MamoriError('MAMORI_HUB_TAXII_NOT_FOUND', { what: `API root ${params.root}` });
    });

    app.setErrorHandler((error, request, reply) => {
      const e = (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? new MamoriError('MAMORI_HUB_TAXII_TOO_LARGE', { size: `more than ${max}`, max })
        : error;
      const { status, body } = taxiiErrorOf(e);
      if (status >= 500) request.log.error({ err: error }, 'TAXII request failed');
      return reply.code(status).header('content-type', TAXII_MEDIA_TYPE).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      const { status, body } = taxiiErrorOf(new MamoriError('MAMORI_HUB_TAXII_NOT_FOUND', { what: `${request.method} ${request.url.split('?')[0]}` }));
      return reply.code(status).header('content-type', TAXII_MEDIA_TYPE).send(body);
    });

    const tags = ['taxii'];
    app.get('/', { schema: { tags, summary: 'TAXII discovery', response: { 200: resource, ...errors } } }, async (request) => {
      const base = `${request.protocol}://${request.host}`;
      return service.discovery(base);
    });
    app.get('/:root/', { schema: { tags, summary: 'API root information', params: rootParams, response: { 200: resource, ...errors } } }, async () => service.apiRootInfo());
    app.get('/:root/collections/', { schema: { tags, summary: 'Collections', params: rootParams, response: { 200: resource, ...errors } } },
      async (request) => service.collections(principal(request)));
    app.get('/:root/collections/:cid/', { schema: { tags, summary: 'One collection', params: collectionParams, response: { 200: resource, ...errors } } },
      async (request) => service.collection(principal(request), (request.params as { cid: string }).cid));
    app.get('/:root/collections/:cid/objects/', {
      schema: { tags, summary: 'Objects of a collection (paged)', params: collectionParams, querystring: filterQuery, response: { 200: resource, ...errors } },
    }, async (request, reply) => sendPage(reply, await service.getObjectsText(principal(request), (request.params as { cid: string }).cid, request.query as Query)));
    app.post('/:root/collections/:cid/objects/', {
      bodyLimit: max,
      schema: { tags, summary: 'Add objects (answers a status resource)', params: collectionParams, body: resource, response: { 202: resource, ...errors } },
    }, async (request, reply) => {
      const status = await service.addObjects(principal(request), (request.params as { cid: string }).cid, request.body);
      return reply.code(202).send(status);
    });
    app.get('/:root/collections/:cid/objects/:oid/', {
      schema: { tags, summary: 'One object (its versions per match[version])', params: objectParams, querystring: filterQuery, response: { 200: resource, ...errors } },
    }, async (request, reply) => {
      const { cid, oid } = request.params as { cid: string; oid: string };
      return sendPage(reply, await service.getObjectsText(principal(request), cid, request.query as Query, oid));
    });
    app.delete('/:root/collections/:cid/objects/:oid/', {
      schema: { tags, summary: 'Delete an object (per match[version])', params: objectParams, querystring: filterQuery, response: { 200: resource, ...errors } },
    }, async (request) => {
      const { cid, oid } = request.params as { cid: string; oid: string };
      await service.deleteObject(principal(request), cid, oid, request.query as Query);
      return {};
    });
    app.get('/:root/collections/:cid/objects/:oid/versions/', {
      schema: { tags, summary: 'Versions of an object', params: objectParams, querystring: filterQuery, response: { 200: resource, ...errors } },
    }, async (request, reply) => {
      const { cid, oid } = request.params as { cid: string; oid: string };
      return sendPage(reply, await service.versions(principal(request), cid, oid, request.query as Query));
    });
    app.get('/:root/collections/:cid/manifest/', {
      schema: { tags, summary: 'Manifest of a collection (paged)', params: collectionParams, querystring: filterQuery, response: { 200: resource, ...errors } },
    }, async (request, reply) => sendPage(reply, await service.manifest(principal(request), (request.params as { cid: string }).cid, request.query as Query)));
    app.get('/:root/status/:sid/', { schema: { tags, summary: 'Status of an add request', params: statusParams, response: { 200: resource, ...errors } } },
      async (request) => service.status(principal(request), (request.params as { sid: string }).sid));
  },
  async close() {
    await Promise.all([...services].map((s) => s.drain()));
    services.clear();
  },
};
