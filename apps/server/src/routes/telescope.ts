/**
 * /api/telescope — the darknet for the dashboard: summary, time series by protocol/port,
 * top ports and sources, a port × time heat map, backscatter victims, scan-campaign
 * alerts, infected hosts, and a server-sent-event stream of live packet rates.
 *
 * Top sources and infected hosts name customers' machines: every route needs a hub
 * bearer token or dashboard session of an analyst or admin.
 */
import type { FastifyInstance } from 'fastify';
import { MamoriError, type BusMessage, type Platform } from '@mamori/core';
import {
  TELESCOPE_SUBJECTS, alerts, heatmap, infectedHosts, loadCountryTable, sourceCountries, summary, telescopeConfig, timeseries, topPorts, topSources, victims,
  type CountryTable, type ProtoName,
} from '@mamori/telescope';
import type { RouteModule } from '../route-module.js';
import { requireHubRoles } from '../role-guard.js';
import { timeParam, timeRangeProps } from '../time-range.js';

const tags = ['telescope'];
const PROTOS = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true } as const;
const windowProps = timeRangeProps('24h');
const limitProp = (max: number, def: number) => ({ type: 'integer', minimum: 1, maximum: max, default: def }) as const;
const nullableNumber = { type: ['number', 'null'] } as const;

const topPort = { type: 'object', properties: { proto: { type: 'string' }, port: { type: 'integer' }, packets: { type: 'number' }, bytes: { type: 'number' }, peakSources: { type: 'number' } } } as const;
const topSource = {
  type: 'object',
  properties: {
    src: { type: 'string' }, packets: { type: 'number' }, bytes: { type: 'number' }, synScan: { type: 'number' }, backscatter: { type: 'number' },
    fingerprint: { type: ['string', 'null'] }, firstMs: { type: 'number' }, lastMs: { type: 'number' },
  },
} as const;
const victim = {
  type: 'object',
  properties: {
    victim: { type: 'string' }, firstMs: { type: 'number' }, lastMs: { type: 'number' }, packets: { type: 'number' }, bytes: { type: 'number' },
    ports: { type: 'array', items: { type: 'string' } }, maxPpm: { type: 'number' }, observedPps: { type: 'number' }, estimatedAttackPps: nullableNumber,
  },
} as const;
const alert = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, bucketMs: { type: 'number' }, proto: { type: 'string' }, port: { type: 'integer' }, sources: { type: 'number' },
    baselineMean: { type: 'number' }, baselineStddev: { type: 'number' }, packets: { type: 'number' },
  },
} as const;
const infected = {
  type: 'object',
  properties: {
    address: { type: 'string' }, fingerprint: { type: 'string' }, firstMs: { type: 'number' }, lastMs: { type: 'number' },
    packets: { type: 'number' }, ports: { type: 'array', items: { type: 'integer' } },
  },
} as const;
const point = { type: 'object', properties: { bucketMs: { type: 'number' }, packets: { type: 'number' }, bytes: { type: 'number' }, sources: { type: 'number' } } } as const;

interface WindowQuery {
  since: string;
  until?: string;
  limit?: number;
  proto?: ProtoName;
  port?: number;
}

function window(q: WindowQuery): { sinceMs: number; untilMs?: number } {
  const now = Date.now();
  // An open end (no `until`): capture timestamps can run ahead of this host's clock.
  return { sinceMs: timeParam(q.since, 'since', now), untilMs: q.until === undefined ? undefined : timeParam(q.until, 'until', now) };
}

function routes(app: FastifyInstance, platform: Platform): void {
  const store = platform.store;

  app.get('/summary', {
    schema: {
      tags, summary: 'Totals over a window: packets, bytes, packets per class, victims, alerts, infected hosts',
      querystring: { type: 'object', properties: windowProps },
      response: {
        200: {
          type: 'object',
          properties: {
            packets: { type: 'number' }, bytes: { type: 'number' }, buckets: { type: 'integer' }, firstBucketMs: nullableNumber, lastBucketMs: nullableNumber,
            byClass: { type: 'object', additionalProperties: { type: 'number' } }, victims: { type: 'integer' }, alerts: { type: 'integer' }, infected: { type: 'integer' },
          },
        },
        400: errorBody,
      },
    },
  }, async (req) => summary(store, window(req.query as WindowQuery)));

  app.get('/timeseries', {
    schema: {
      tags, summary: 'Packets, bytes and unique sources per bucket: everything, one protocol, or one port',
      querystring: { type: 'object', properties: { ...windowProps, proto: { type: 'string', enum: PROTOS }, port: { type: 'integer', minimum: 0, maximum: 65535 } } },
      response: { 200: { type: 'array', items: point }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    if (q.port !== undefined && !q.proto) throw new MamoriError('MAMORI_USAGE', { reason: 'port needs proto', field: 'port' });
    return timeseries(store, { ...window(q), proto: q.proto, port: q.port });
  });

  app.get('/top/ports', {
    schema: {
      tags, summary: 'Busiest destination ports (ICMP: types) over a window',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(1000, 10), proto: { type: 'string', enum: PROTOS } } },
      response: { 200: { type: 'array', items: topPort }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return topPorts(store, { ...window(q), limit: q.limit, proto: q.proto });
  });

  app.get('/top/sources', {
    schema: {
      tags, summary: 'Busiest sources over a window, with their scanner fingerprint',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(1000, 10) } },
      response: { 200: { type: 'array', items: topSource }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return topSources(store, { ...window(q), limit: q.limit });
  });

  app.get('/heatmap', {
    schema: {
      tags, summary: 'Packets of the busiest ports against time (rows: ports, columns: buckets)',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(100, 20), proto: { type: 'string', enum: PROTOS } } },
      response: {
        200: {
          type: 'object',
          properties: {
            buckets: { type: 'array', items: { type: 'number' } },
            ports: { type: 'array', items: { type: 'object', properties: { proto: { type: 'string' }, port: { type: 'integer' } } } },
            packets: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
          },
        },
        400: errorBody,
      },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return heatmap(store, { ...window(q), limit: q.limit, proto: q.proto });
  });

  app.get('/victims', {
    schema: {
      tags, summary: 'DDoS victims inferred from backscatter, with the estimated attack rate',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(10000, 50) } },
      response: { 200: { type: 'array', items: victim }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return victims(store, { ...window(q), limit: q.limit });
  });

  // The country table is the operator's (`[telescope] countryTable`, a CSV path); read once per path.
  let countryTable: { file: string; table: CountryTable } | null = null;
  app.get('/countries', {
    schema: {
      tags, summary: 'Darknet sources and packets per source country, where an IP-to-country table is configured',
      description: 'configured is false (and countries empty) when `[telescope] countryTable` (MAMORI_TELESCOPE__COUNTRY_TABLE) names no table. Sources no range covers are counted under unknown.',
      querystring: { type: 'object', properties: { ...windowProps } },
      response: {
        200: {
          type: 'object',
          properties: {
            configured: { type: 'boolean' }, truncated: { type: 'boolean' },
            countries: { type: 'array', items: { type: 'object', properties: { country: { type: 'string' }, sources: { type: 'integer' }, packets: { type: 'number' } } } },
            unknown: { type: 'object', properties: { sources: { type: 'integer' }, packets: { type: 'number' } } },
          },
        },
        400: errorBody,
      },
    },
  }, async (req) => {
    const file = telescopeConfig(platform.config).countryTable;
    if (!file) return { configured: false, truncated: false, countries: [], unknown: { sources: 0, packets: 0 } };
    if (countryTable?.file !== file) countryTable = { file, table: loadCountryTable(file) };
    return { configured: true, ...(await sourceCountries(store, countryTable.table, window(req.query as WindowQuery))) };
  });

  app.get('/alerts', {
    schema: {
      tags, summary: 'Scan-campaign alerts: ports whose unique sources jumped against their baseline',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(10000, 100) } },
      response: { 200: { type: 'array', items: alert }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return alerts(store, { ...window(q), limit: q.limit });
  });

  app.get('/infected', {
    schema: {
      tags, summary: 'Hosts scanning with a Mirai fingerprint',
      querystring: { type: 'object', properties: { ...windowProps, limit: limitProp(1_000_000, 1000) } },
      response: { 200: { type: 'array', items: infected }, 400: errorBody },
    },
  }, async (req) => {
    const q = req.query as WindowQuery;
    return infectedHosts(store, { ...window(q), limit: q.limit });
  });

  app.get('/live', {
    schema: {
      tags, summary: 'Server-sent events: `rate` (packets/s of running ingests) and `interval` (each finished bucket)',
      produces: ['text/event-stream'],
      response: { 200: { type: 'string', description: 'text/event-stream' } },
    },
  }, async (req, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    raw.write(': mamori telescope live\n\n');
    const send = (event: string) => (m: BusMessage): void => {
      raw.write(`event: ${event}\ndata: ${Buffer.from(m.data).toString('utf8')}\n\n`);
    };
    const subs = await Promise.all([
      platform.bus.subscribe(TELESCOPE_SUBJECTS.rate, send('rate')),
      platform.bus.subscribe(TELESCOPE_SUBJECTS.interval, send('interval')),
    ]);
    const ping = setInterval(() => raw.write(': ping\n\n'), 15_000);
    req.raw.on('close', () => {
      clearInterval(ping);
      for (const s of subs) void s.unsubscribe();
    });
  });
}

export const telescopeRoutes: RouteModule = {
  name: 'telescope',
  prefix: '/api/telescope',
  register(app, platform) {
    requireHubRoles(app, platform, ['analyst', 'admin'], { code: 'MAMORI_TELESCOPE_FORBIDDEN', reason: 'darknet views need the analyst or admin role' });
    routes(app, platform);
  },
};
