/**
 * /api/flows — C&C candidates for the dashboard: the ranked list, one candidate with its
 * evidence (beacon interval histogram, contacting hosts, ports), the STIX 2.1 export, the
 * exporters' counters, top destinations from the rollups, and the detection history per
 * time range (the half-year view). Candidate evidence names
 * customer hosts that are probably infected: every route needs a hub bearer token of an
 * analyst or admin.
 */
import { MamoriError } from '@mamori/core';
import { candidatesToStix, FlowsStore, TLP_MARKINGS, type Tlp } from '@mamori/flows';
import type { RouteModule } from '../route-module.js';
import { requireHubRoles } from '../role-guard.js';
import { timeRange, timeRangeQuery } from '../time-range.js';

const tags = ['flows'];
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true } as const;
const beacon = {
  type: ['object', 'null'],
  properties: {
    score: { type: 'number' }, connections: { type: 'integer' }, tsSkewScore: { type: 'number' }, tsMadmScore: { type: 'number' },
    dsSkewScore: { type: 'number' }, dsMadmScore: { type: 'number' }, dsSmallnessScore: { type: 'number' }, histogramScore: { type: 'number' },
    durationScore: { type: 'number' }, prevalenceAdjustment: { type: 'number' }, medianIntervalS: { type: 'number' }, medianBytesOut: { type: 'number' },
  },
} as const;
const candidate = {
  type: 'object',
  properties: {
    rank: { type: 'integer' }, address: { type: 'string' }, score: { type: 'number' },
    components: { type: 'object', properties: { beacon: { type: 'number' }, coordination: { type: 'number' }, fanIn: { type: 'number' }, knownBots: { type: 'number' } } },
    firstSeen: { type: 'integer' }, lastSeen: { type: 'integer' },
    evidence: {
      type: 'object',
      properties: {
        hosts: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              address: { type: 'string' }, connections: { type: 'integer' }, beacon,
              knownBot: { type: 'object', properties: { source: { type: 'string', enum: ['telescope', 'survey'] }, reason: { type: 'string' } } },
            },
          },
        },
        ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'integer' }, connections: { type: 'integer' } } } },
        connections: { type: 'integer' }, bytesOut: { type: 'number' }, bytesIn: { type: 'number' },
        intervalHistogram: { type: 'object', properties: { edgesS: { type: 'array', items: { type: 'number' } }, counts: { type: 'array', items: { type: 'integer' } } } },
        fanIn: { type: 'object', properties: { clients: { type: 'integer' }, population: { type: 'integer' }, rarity: { type: 'number' } } },
        knownBots: { type: 'object', properties: { count: { type: 'integer' }, expected: { type: 'number' }, pValue: { type: 'number' } } },
        reasons: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;
const run = {
  type: ['object', 'null'],
  properties: {
    id: { type: 'string' }, at: { type: 'integer' }, window: { type: 'object', properties: { start: { type: 'integer' }, end: { type: 'integer' } } },
    population: { type: 'integer' }, connections: { type: 'integer' }, endpoints: { type: 'integer' }, suppressed: { type: 'integer' }, source: { type: 'string' },
  },
} as const;
const counters = { type: 'object', additionalProperties: true } as const;
const nullableInt = { type: ['integer', 'null'] } as const;
const detectionSummary = {
  type: 'object',
  properties: {
    runs: { type: 'integer' }, candidates: { type: 'integer' }, strong: { type: 'integer' }, hosts: { type: 'integer' }, beaconingHosts: { type: 'integer' },
    firstWindowStart: nullableInt, lastWindowEnd: nullableInt,
  },
} as const;

export const flowsRoutes: RouteModule = {
  name: 'flows',
  prefix: '/api/flows',
  register(app, platform) {
    const store = new FlowsStore(platform.store);
    requireHubRoles(app, platform, ['analyst', 'admin'], { code: 'MAMORI_FLOWS_FORBIDDEN', reason: 'C&C candidates need the analyst or admin role' });

    app.get('/candidates', {
      schema: {
        tags, summary: 'Ranked C&C candidates of the latest detection run, with evidence',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, minScore: { type: 'number', minimum: 0, maximum: 1 } } },
        response: { 200: { type: 'object', properties: { run, candidates: { type: 'array', items: candidate } } }, 401: errorBody, 403: errorBody },
      },
    }, async (req) => {
      const q = req.query as { limit: number; minScore?: number };
      return store.candidates({ limit: q.limit, minScore: q.minScore });
    });

    app.get('/candidates/:address', {
      schema: {
        tags, summary: 'One candidate: contacting hosts, beacon interval histogram, ports, scores',
        params: { type: 'object', required: ['address'], properties: { address: { type: 'string', maxLength: 64 } } },
        response: { 200: candidate, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    }, async (req) => {
      const { address } = req.params as { address: string };
      const { candidates } = await store.candidates({ address, limit: 1 });
      if (!candidates[0]) throw new MamoriError('MAMORI_FLOWS_NOT_FOUND', { what: `candidate ${address}` });
      return candidates[0];
    });

    app.get('/stix', {
      schema: {
        tags, summary: 'The candidates as a STIX 2.1 bundle of indicators',
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, minScore: { type: 'number', minimum: 0, maximum: 1 }, tlp: { type: 'string', enum: Object.keys(TLP_MARKINGS) } },
        },
        response: { 200: { type: 'object', properties: { type: { type: 'string' }, id: { type: 'string' }, objects: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, 401: errorBody, 403: errorBody },
      },
    }, async (req) => {
      const q = req.query as { limit: number; minScore?: number; tlp?: Tlp };
      const { candidates } = await store.candidates({ limit: q.limit, minScore: q.minScore });
      return candidatesToStix(candidates, { tlp: q.tlp });
    });

    app.get('/summary', {
      schema: {
        tags, summary: 'Detection history over a time range: runs whose traffic window ends in it, distinct C&C candidates (all ranked, strong), hosts contacting strong ones',
        querystring: timeRangeQuery,
        response: { 200: detectionSummary, 400: errorBody, 401: errorBody, 403: errorBody },
      },
    }, async (req) => store.summary(timeRange(req.query as { since: string; until?: string })));

    app.get('/exporters', {
      schema: {
        tags, summary: 'Flow exporters and their counters (records, lost records/packets, template and decode errors)',
        response: { 200: { type: 'array', items: { type: 'object', properties: { exporter: { type: 'string' }, counters, updatedAt: { type: 'integer' } } } }, 401: errorBody, 403: errorBody },
      },
    }, async () => store.exporters());

    app.get('/top-destinations', {
      schema: {
        tags, summary: 'Destinations by flows from the rollups in a time range',
        querystring: { type: 'object', properties: { from: { type: 'integer', default: 0 }, to: { type: 'integer' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } } },
        response: { 200: { type: 'array', items: { type: 'object', properties: { dst: { type: 'string' }, flows: { type: 'integer' }, bytes: { type: 'number' }, sources: { type: 'integer' } } } }, 401: errorBody, 403: errorBody },
      },
    }, async (req) => {
      const q = req.query as { from: number; to?: number; limit: number };
      return store.topDestinations({ from: q.from, to: q.to ?? Number.MAX_SAFE_INTEGER }, q.limit);
    });
  },
};
