/**
 * /api/survey — the IoT survey for the dashboard: runs, findings (by ISP), notification
 * batches and the effectiveness indicators. Addresses of weak devices are sensitive: every
 * route needs a hub bearer token of an analyst or admin.
 */
import { batchRows, effectiveness, getBatch, listBatches, listFindings, listRuns } from '@mamori/survey';
import { listProducts, nameDevices } from '@mamori/supply';
import type { RouteModule } from '../route-module.js';
import { requireHubRoles } from '../role-guard.js';

const nullableNumber = { type: ['number', 'null'] } as const;
const indicators = {
  type: 'object',
  properties: {
    isp: { type: 'string' }, found: { type: 'integer' }, notified: { type: 'integer' }, fixed: { type: 'integer' }, stillWeak: { type: 'integer' },
    fixedAfterNotice: { type: 'integer' }, fixRate: nullableNumber, medianDaysToFix: nullableNumber, meanDaysToFix: nullableNumber,
  },
} as const;
const finding = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, address: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string' }, type: { type: 'string' },
    credentialId: { type: 'string' }, method: { type: 'string' }, asn: { type: 'integer' }, isp: { type: 'string' }, model: { type: 'string' },
    banner: { type: 'string' }, firstSeen: { type: 'integer' }, lastSeen: { type: 'integer' }, evidenceAt: { type: 'integer' },
    status: { type: 'string', enum: ['weak', 'fixed'] }, fixedAt: { type: 'integer' }, lastRunId: { type: 'string' },
    product: {
      description: 'the trusted-list product the device was named as from its model string or banner (supply), or null',
      anyOf: [{ type: 'null' }, { type: 'object', properties: { id: { type: 'string' }, manufacturer: { type: 'string' }, model: { type: 'string' }, status: { type: 'string' }, by: { type: 'string' } } }],
    },
  },
} as const;
const batch = {
  type: 'object',
  properties: {
    id: { type: 'string' }, isp: { type: 'string' }, state: { type: 'string', enum: ['prepared', 'sent', 'acknowledged'] },
    createdAt: { type: 'integer' }, sentAt: { type: 'integer' }, acknowledgedAt: { type: 'integer' }, items: { type: 'integer' },
  },
} as const;
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true } as const;
const tags = ['survey'];

export const surveyRoutes: RouteModule = {
  name: 'survey',
  prefix: '/api/survey',
  register(app, platform) {
    requireHubRoles(app, platform, ['analyst', 'admin'], { code: 'MAMORI_SURVEY_FORBIDDEN', reason: 'survey data needs the analyst or admin role' });
    app.get('/runs', {
      schema: {
        tags, summary: 'Survey and re-survey runs, newest first',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: {
          200: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, kind: { type: 'string' }, startedAt: { type: 'integer' }, finishedAt: { type: 'integer' }, scope: { type: 'array', items: { type: 'string' } }, stats: { type: 'object', additionalProperties: { type: 'number' } } } } },
          401: errorBody, 403: errorBody,
        },
      },
    }, async (req) => listRuns(platform.store, (req.query as { limit: number }).limit));

    app.get('/findings', {
      schema: {
        tags, summary: 'Findings (weak or fixed), optionally for one ISP',
        querystring: { type: 'object', properties: { isp: { type: 'string' }, status: { type: 'string', enum: ['weak', 'fixed'] }, limit: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 } } },
        response: { 200: { type: 'array', items: finding }, 401: errorBody, 403: errorBody },
      },
    }, async (req) => nameDevices(await listFindings(platform.store, req.query as { isp?: string; status?: 'weak' | 'fixed'; limit: number }), await listProducts(platform.store)));

    app.get('/isps', {
      schema: { tags, summary: 'Findings by ISP: found, notified, fixed, still weak, time to fix', response: { 200: { type: 'array', items: indicators }, 401: errorBody, 403: errorBody } },
    }, async () => (await effectiveness(platform.store)).byIsp);

    app.get('/batches', {
      schema: {
        tags, summary: 'Notification batches, newest first',
        querystring: { type: 'object', properties: { isp: { type: 'string' } } },
        response: { 200: { type: 'array', items: batch }, 401: errorBody, 403: errorBody },
      },
    }, async (req) => listBatches(platform.store, req.query as { isp?: string }));

    app.get('/batches/:id', {
      schema: {
        tags, summary: 'One batch and its rows (the notification content)',
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: {
          200: { type: 'object', properties: { batch, rows: { type: 'array', items: { type: 'object', properties: { address: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string' }, firstSeen: { type: 'integer' }, lastSeen: { type: 'integer' }, findingType: { type: 'string' }, evidenceAt: { type: 'integer' } } } } } },
          401: errorBody, 403: errorBody, 404: errorBody,
        },
      },
    }, async (req) => {
      const { id } = req.params as { id: string };
      return { batch: await getBatch(platform.store, id), rows: await batchRows(platform.store, id) };
    });

    app.get('/effectiveness', {
      schema: {
        tags, summary: 'Effectiveness indicators: overall, per ISP, month over month',
        response: {
          200: {
            type: 'object',
            properties: {
              overall: indicators,
              byIsp: { type: 'array', items: indicators },
              months: { type: 'array', items: { type: 'object', properties: { month: { type: 'string' }, newFindings: { type: 'integer' }, weakObserved: { type: 'integer' }, notified: { type: 'integer' }, fixed: { type: 'integer' }, weakChange: { type: ['integer', 'null'] } } } },
            },
          },
          401: errorBody, 403: errorBody,
        },
      },
    }, async () => effectiveness(platform.store));
  },
};
