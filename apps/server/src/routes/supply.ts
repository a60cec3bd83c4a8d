/**
 * /api/supply — the trusted list, procurement checks, SBOM intake and device naming.
 * Every route needs a hub bearer token; reading and checking need the read scope, changing
 * the list or its data needs the write scope and the admin or secretariat role (the list is
 * the secretariat's to keep).
 */
import { MamoriError } from '@mamori/core';
import { hubAuth, hubContext, requestPrincipal } from '@mamori/hub';
import {
  addProduct, attachSbom, checkProcurement, createFingerprintMatcher, getProduct, listCriteria, listProducts, listSummary, loadIndexFor, matchSbom,
  productHistory, publishNewAdvisories, putCriteria, readSbomAsync, saveSbom, setStatus, type ListStatus,
} from '@mamori/supply';
import type { FastifyRequest } from 'fastify';
import type { RouteModule } from '../route-module.js';
import { timeRange, timeRangeQuery } from '../time-range.js';

const tags = ['supply'];
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } }, additionalProperties: true } as const;
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody, 422: errorBody };

const severity = { type: 'object', properties: { rating: { type: 'string' }, score: { type: 'number' }, vector: { type: 'string' }, source: { type: 'string' } } } as const;
const vulnMatch = {
  type: 'object',
  properties: {
    id: { type: 'string' }, aliases: { type: 'array', items: { type: 'string' } }, summary: { type: 'string' }, severity,
    component: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' }, matchedOn: { type: 'string' },
    fixed: { type: 'array', items: { type: 'string' } }, path: { type: 'array', items: { type: 'string' } },
  },
} as const;
const product = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { type: 'string', enum: ['product', 'service'] }, manufacturer: { type: 'string' }, model: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } }, cpe: { type: 'string' }, assessor: { type: 'string' }, criteriaVersion: { type: 'string' },
    criteriaMet: { type: 'array', items: { type: 'string' } }, assessedAt: { type: 'integer' }, expiresAt: { type: 'integer' },
    status: { type: 'string', enum: ['listed', 'suspended', 'withdrawn'] }, statusReason: { type: 'string' },
    fingerprints: { type: 'array', items: { type: 'string' } }, sbomId: { type: 'string' }, updatedAt: { type: 'integer' },
  },
} as const;
const criterion = { type: 'object', required: ['id', 'title', 'required'], properties: { id: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, required: { type: 'boolean' } } } as const;
const checkResult = {
  type: 'object',
  properties: {
    verdict: { type: 'string', enum: ['pass', 'caution', 'fail'] }, listed: { type: 'boolean' }, product,
    openVulns: { type: 'array', items: vulnMatch }, unmetCriteria: { type: 'array', items: criterion }, reasons: { type: 'array', items: { type: 'string' } },
  },
} as const;

function requireWriter(request: FastifyRequest): string {
  const p = requestPrincipal(request);
  if (!p.scopes.includes('write') || !(p.roles.includes('admin') || p.roles.includes('secretariat'))) {
    throw new MamoriError('MAMORI_SUPPLY_FORBIDDEN', { reason: 'changing the trusted list needs the write scope and the admin or secretariat role' });
  }
  return `user:${p.userId ?? 'unknown'}`;
}

export const supplyRoutes: RouteModule = {
  name: 'supply',
  prefix: '/api/supply',
  register(app, platform) {
    const hub = hubContext(platform);
    // Authentication before anything else, even before the body is read and validated: an
    // anonymous caller learns nothing about the routes' schemas and costs no SBOM parse.
    app.addHook('onRequest', hubAuth(hub));
    app.addHook('onRequest', async (request) => {
      if (!requestPrincipal(request).scopes.includes('read')) throw new MamoriError('MAMORI_SUPPLY_FORBIDDEN', { reason: 'needs the read scope' });
    });
    // SBOMs in XML or SPDX tag-value arrive as text.
    for (const type of ['application/xml', 'text/xml', 'application/vnd.cyclonedx+xml', 'text/spdx', 'text/plain']) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
    }
    app.addContentTypeParser(['application/vnd.cyclonedx+json', 'application/spdx+json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.post('/check', {
      schema: {
        tags, summary: 'Procurement check: listed or not, open vulnerabilities, unmet criteria, verdict with reasons',
        body: {
          type: 'object',
          properties: {
            product: { type: 'string' }, manufacturer: { type: 'string' }, model: { type: 'string' }, version: { type: 'string' },
            sbom: { description: 'the candidate\'s SBOM: a CycloneDX/SPDX JSON object, or XML / tag-value text', anyOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }] },
          },
          additionalProperties: false,
        },
        response: { 200: checkResult, ...errors },
      },
    }, async (request) => {
      const b = request.body as { product?: string; manufacturer?: string; model?: string; version?: string; sbom?: unknown };
      if (!b.product && !(b.manufacturer && b.model) && b.sbom === undefined) {
        throw new MamoriError('MAMORI_SUPPLY_INPUT', { field: 'body', reason: 'give product, manufacturer and model, or sbom' });
      }
      const sbom = b.sbom === undefined ? undefined : await readSbomAsync(typeof b.sbom === 'string' ? b.sbom : JSON.stringify(b.sbom));
      return checkProcurement(platform.store, { productId: b.product, manufacturer: b.manufacturer, model: b.model, version: b.version, sbom });
    });

    app.get('/products', {
      schema: {
        tags, summary: 'The trusted list',
        querystring: { type: 'object', properties: { status: { type: 'string', enum: ['listed', 'suspended', 'withdrawn'] }, kind: { type: 'string', enum: ['product', 'service'] } } },
        response: { 200: { type: 'array', items: product }, ...errors },
      },
    }, async (request) => listProducts(platform.store, request.query as { status?: ListStatus; kind?: 'product' | 'service' }));

    app.get('/summary', {
      schema: {
        tags, summary: 'The list over a time range: listed at its end (from the history), added in it, vulnerabilities open in the products listed then (by the data held now), critical advisories sent in it',
        querystring: timeRangeQuery,
        response: {
          200: {
            type: 'object',
            properties: {
              listed: { type: 'integer' }, added: { type: 'integer' }, openVulns: { type: 'integer' }, criticalOpen: { type: 'integer' },
              productsWithVulns: { type: 'integer' }, advisories: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    }, async (request) => listSummary(platform.store, timeRange(request.query as { since: string; until?: string })));

    app.get('/products/:id', {
      schema: {
        tags, summary: 'One product or service with its history',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: {
          200: { type: 'object', properties: { product, history: { type: 'array', items: { type: 'object', properties: { at: { type: 'integer' }, action: { type: 'string' }, status: { type: 'string' }, actor: { type: 'string' }, reason: { type: 'string' } } } } } },
          ...errors,
        },
      },
    }, async (request) => {
      const { id } = request.params as { id: string };
      const p = await getProduct(platform.store, id);
      if (!p) throw new MamoriError('MAMORI_NOT_FOUND', { what: `product ${id}` });
      return { product: p, history: await productHistory(platform.store, id) };
    });

    app.post('/products', {
      schema: {
        tags, summary: 'Add a product or service to the list',
        body: {
          type: 'object',
          required: ['manufacturer', 'model', 'assessor', 'criteriaVersion', 'criteriaMet', 'assessedAt', 'expiresAt'],
          properties: {
            id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,127}$' }, kind: { type: 'string', enum: ['product', 'service'] },
            manufacturer: { type: 'string', minLength: 1 }, model: { type: 'string', minLength: 1 }, versions: { type: 'array', items: { type: 'string' } },
            cpe: { type: 'string' }, assessor: { type: 'string', minLength: 1 }, criteriaVersion: { type: 'string' },
            criteriaMet: { type: 'array', items: { type: 'string' } }, assessedAt: { type: 'integer' }, expiresAt: { type: 'integer' },
            fingerprints: { type: 'array', items: { type: 'string' } },
          },
          additionalProperties: false,
        },
        response: { 201: product, ...errors },
      },
    }, async (request, reply) => {
      const actor = requireWriter(request);
      return reply.code(201).send(await addProduct(platform.store, request.body as Parameters<typeof addProduct>[1], actor));
    });

    app.post('/products/:id/status', {
      schema: {
        tags, summary: 'Suspend, withdraw or reinstate a listing (a reason is kept in the history)',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        body: { type: 'object', required: ['status', 'reason'], properties: { status: { type: 'string', enum: ['listed', 'suspended', 'withdrawn'] }, reason: { type: 'string', minLength: 1 } }, additionalProperties: false },
        response: { 200: product, ...errors },
      },
    }, async (request) => {
      const actor = requireWriter(request);
      const { status, reason } = request.body as { status: ListStatus; reason: string };
      return setStatus(platform.store, (request.params as { id: string }).id, status, actor, reason);
    });

    app.get('/criteria', {
      schema: {
        tags, summary: 'Criteria catalogues',
        response: { 200: { type: 'array', items: { type: 'object', properties: { version: { type: 'string' }, title: { type: 'string' }, publishedAt: { type: 'integer' }, criteria: { type: 'array', items: criterion } } } }, ...errors },
      },
    }, async () => listCriteria(platform.store));

    app.post('/criteria', {
      schema: {
        tags, summary: 'Publish a criteria catalogue version (immutable once published)',
        body: { type: 'object', required: ['version', 'title', 'criteria'], properties: { version: { type: 'string' }, title: { type: 'string' }, criteria: { type: 'array', items: criterion } }, additionalProperties: false },
        response: { 201: { type: 'object', properties: { version: { type: 'string' } } }, ...errors },
      },
    }, async (request, reply) => {
      requireWriter(request);
      const b = request.body as { version: string; title: string; criteria: { id: string; title: string; required: boolean }[] };
      await putCriteria(platform.store, { ...b, publishedAt: Date.now() });
      return reply.code(201).send({ version: b.version });
    });

    app.post('/sboms', {
      schema: {
        tags, summary: 'Import an SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value), optionally for a listed product',
        querystring: { type: 'object', properties: { product: { type: 'string' } } },
        body: { description: 'the SBOM document', anyOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }] },
        response: {
          201: {
            type: 'object',
            properties: {
              id: { type: 'string' }, format: { type: 'string' }, specVersion: { type: 'string' }, components: { type: 'integer' },
              issues: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, message: { type: 'string' } } } },
              vulnerabilities: { type: 'array', items: vulnMatch }, advisories: { type: 'integer' },
            },
          },
          ...errors,
        },
      },
    }, async (request, reply) => {
      const actor = requireWriter(request);
      const body = request.body;
      // Async: XSD validation of an XML SBOM runs off the event loop.
      const sbom = await readSbomAsync(typeof body === 'string' ? body : JSON.stringify(body));
      const stored = await saveSbom(platform.store, sbom);
      const productId = (request.query as { product?: string }).product;
      let advisories = 0;
      if (productId) {
        await attachSbom(platform.store, productId, stored.id, actor);
        advisories = (await publishNewAdvisories(platform.store, platform.bus)).length;
      }
      const vulnerabilities = matchSbom(sbom, await loadIndexFor(platform.store, sbom.components));
      return reply.code(201).send({ id: stored.id, format: sbom.format, specVersion: sbom.specVersion, components: sbom.components.length, issues: sbom.issues, vulnerabilities, advisories });
    });

    app.post('/fingerprint', {
      schema: {
        tags, summary: 'Name a device from its banner or model string (survey link)',
        body: { type: 'object', required: ['banner'], properties: { banner: { type: 'string', maxLength: 4096 } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { product: { anyOf: [product, { type: 'null' }] }, by: { type: 'string' } } }, ...errors },
      },
    }, async (request) => {
      const m = createFingerprintMatcher(await listProducts(platform.store))((request.body as { banner: string }).banner);
      return { product: m?.product ?? null, by: m?.by };
    });
  },
};
