/**
 * The hub's REST API under /api/hub: authentication on every route (bearer API tokens or
 * dashboard sessions; only /auth/login is public), JSON schemas on every route (so the
 * OpenAPI document is complete), a hostile-input JSON parser (depth and prototype keys),
 * small body limits, the live stream (SSE) and the alert dispatcher.
 *
 * Other route modules that serve hub material authenticate with `hubAuth(hub)` from
 * @mamori/hub (an onRequest/preHandler hook) and read `requestPrincipal(request)`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MamoriError, type Platform } from '@mamori/core';
import {
  hubContext, hubAuth, requestPrincipal, requestActor, parseJsonBody, type HubContext, type Report,
  login, logout, listSectors, listOrgs, addOrg, listGroups, addGroup, listUsers, addUser, createToken, listTokens, revokeToken,
  createReport, getReport, updateReportFields, submitReport, transitionReport, relayReport, reportReceipts, reportHistory,
  addComment, listComments, addAttachment, listAttachments, getAttachment,
  listReports, listReportsJson, searchReports, exportReports, dashboardSummary, parseFeedQuery,
  addSubscription, listSubscriptions, removeSubscription, setOnCall, listOnCall, listPages, ackPage, listDeadLetters, retryDeadLetter,
  subscribeLive, AlertDispatcher, verifyAudit, checkpointNow, can, SEVERITY_SCALE, SECTORS, TLP_LEVELS, CAUSES, REPORT_STATES, INDICATOR_TYPES,
  type CheckpointStamper,
} from '@mamori/hub';
import { openTrust } from '@mamori/trust';
import type { RouteModule } from '../route-module.js';
import { sealAdvisory } from '../advisory.js';

// ---------- schemas (OpenAPI) ----------

const id = { type: 'string', maxLength: 64 } as const;
const idParams = { type: 'object', required: ['id'], properties: { id } } as const;
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } } } as const;
const errors = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 413: errorBody, 422: errorBody, 429: errorBody } as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const strList = { type: 'array', items: { type: 'string' } } as const;
const sharing = { type: 'object', properties: { scope: { type: 'string', enum: ['community', 'restricted'] }, sectors: strList, orgIds: strList, groupIds: strList } } as const;
const recipients = { type: 'object', properties: { orgIds: strList, userIds: strList } } as const;
const when = { description: 'ISO 8601 time or epoch milliseconds' } as const;
const timeline = { type: 'array', items: { type: 'object', properties: { at: when, text: { type: 'string' } } } } as const;
const indicators = { type: 'array', items: { type: 'object', properties: { type: { type: 'string', enum: [...INDICATOR_TYPES] }, value: { type: 'string' }, note: { type: 'string' } } } } as const;
const tlp = { type: 'string', description: `TLP 2.0 label: ${TLP_LEVELS.join(', ')} (TLP:WHITE is read as CLEAR)` } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

const report = {
  type: 'object',
  properties: {
    id: { type: 'string' }, ownerOrgId: { type: 'string' }, authorUserId: { type: 'string' }, sector: { type: 'string' },
    affectedService: { type: 'string' }, cause: { type: 'string' }, severity: { type: 'integer' }, status: { type: 'string' },
    route: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, impact: { type: 'string' }, tlp: { type: 'string' },
    sharing, recipients, timeline: { type: 'array', items: { type: 'object', properties: { at: { type: 'integer' }, text: { type: 'string' } } } }, indicators,
    occurredAt: nullableInt, detectedAt: nullableInt, createdAt: { type: 'integer' }, updatedAt: { type: 'integer' }, submittedAt: nullableInt,
    version: { type: 'integer' }, anonymised: { type: 'boolean' },
  },
} as const;

const reportInput = {
  type: 'object',
  properties: {
    sector: { type: 'string', enum: SECTORS.map((s) => s.id) }, affectedService: { type: 'string', maxLength: 200 }, cause: { type: 'string', enum: [...CAUSES] },
    severity: { type: 'integer', minimum: 0, maximum: 5, description: SEVERITY_SCALE.map((s) => `${s.level} ${s.name}: ${s.criteria}`).join(' | ') },
    title: { type: 'string', maxLength: 300 }, description: { type: 'string' }, impact: { type: 'string' }, tlp, sharing, recipients, timeline, indicators,
    occurredAt: when, detectedAt: when,
    route: { type: 'string', enum: ['coordinator', 'secretariat'] }, submit: { type: 'boolean' }, expectedVersion: { type: 'integer' },
  },
} as const;

const feedQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 200 }, cursor: { type: 'string', maxLength: 32 }, sector: { type: 'string' },
    minSeverity: { type: 'integer', minimum: 0, maximum: 5 }, status: { type: 'string', enum: [...REPORT_STATES] }, cause: { type: 'string' },
    since: { type: 'integer', minimum: 0 }, q: { type: 'string', maxLength: 200 }, indicator: { type: 'string', maxLength: 2048 },
  },
  additionalProperties: false,
} as const;
const page = { type: 'object', properties: { items: { type: 'array', items: report }, next: { type: ['string', 'null'] } } } as const;

const comment = { type: 'object', properties: { id: { type: 'string' }, reportId: { type: 'string' }, authorUserId: { type: 'string' }, orgId: { type: 'string' }, tlp: { type: 'string' }, recipients, body: { type: 'string' }, createdAt: { type: 'integer' } } } as const;
const attachment = { type: 'object', properties: { id: { type: 'string' }, reportId: { type: 'string' }, authorUserId: { type: 'string' }, orgId: { type: 'string' }, tlp: { type: 'string' }, recipients, filename: { type: 'string' }, mediaType: { type: 'string' }, size: { type: 'integer' }, sha256: { type: 'string' }, createdAt: { type: 'integer' } } } as const;

const JSON_LIMIT = 256 * 1024;
const security = [{ bearer: [] }];

function schema(summary: string, parts: Record<string, unknown> = {}): { schema: Record<string, unknown> } {
  return { schema: { tags: ['hub'], summary, security, ...parts, response: { ...errors, ...((parts.response as object) ?? {}) } } };
}

/** Adapts @mamori/trust's stamping to the audit log's checkpoint hook (RFC 3161 tokens, base64). */
function trustStamper(platform: Platform): { stamp: CheckpointStamper; verify(hashHex: string, kind: string, token: string): Promise<boolean>; close(): Promise<void> } {
  const trust = openTrust({ config: platform.config, store: platform.store });
  return {
    stamp: async (hashHex) => ({ kind: 'rfc3161', token: Buffer.from(await trust.stampDigest(Buffer.from(hashHex, 'hex'), 'sha256')).toString('base64') }),
    verify: async (hashHex, kind, token) => kind === 'rfc3161' && trust.verifyStampToken(Buffer.from(token, 'base64'), { digest: { algorithm: 'sha256', value: Buffer.from(hashHex, 'hex') } }).valid,
    close: () => trust.close(),
  };
}

interface HubRouteState {
  hub: HubContext;
  dispatcher: AlertDispatcher | null;
  streams: Set<FastifyReply>;
  trust: ReturnType<typeof trustStamper> | null;
}


function decodeBase64(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new MamoriError('MAMORI_HUB_INPUT', { field, reason: `${field}: must be standard base64` });
  }
  return Buffer.from(value, 'base64');
}

const body = (req: FastifyRequest): Record<string, unknown> => {
  if (req.body === undefined || req.body === null) return {};
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw new MamoriError('MAMORI_HUB_INPUT', { field: '(body)', reason: 'body must be a JSON object' });
  return req.body as Record<string, unknown>;
};

async function register(app: FastifyInstance, platform: Platform): Promise<void> {
  const hubSection = (platform.config.hub ?? {}) as { audit?: { timeStamp?: boolean } };
  const trust = hubSection.audit?.timeStamp === false ? null : trustStamper(platform);
  const hub = hubContext(platform, { stampCheckpoint: trust?.stamp });
  const state: HubRouteState = { hub, dispatcher: null, streams: new Set(), trust };
  app.addHook('onClose', async () => {
    for (const r of state.streams) r.raw.end();
    await state.dispatcher?.stop();
    await state.trust?.close();
  });
  const attachmentBodyLimit = Math.ceil((hub.config.attachmentLimit * 4) / 3) + 64 * 1024;

  // Hostile-input JSON: depth-limited, no prototype keys; in this scope only.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    try {
      done(null, parseJsonBody(text as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // Authentication before anything else (even before the body is read): only login is public.
  const auth = hubAuth(hub);
  app.addHook('onRequest', async (req, reply) => {
    if ((req.routeOptions.config as { public?: boolean } | undefined)?.public) return;
    await auth(req, reply);
  });

  const P = requestPrincipal;
  const A = requestActor;

  // ----- sessions and identity -----
  app.post('/auth/login', {
    config: { public: true }, bodyLimit: 8 * 1024,
    schema: { tags: ['hub'], summary: 'Password login for the dashboard (locks after repeated failures)', body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 1024 } } }, response: { 200: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'integer' } } }, ...errors } },
  }, async (req) => {
    const r = await login(hub, { userId: null, orgId: null, ip: req.ip }, body(req) as { username: unknown; password: unknown });
    return { token: r.token, expiresAt: r.expiresAt };
  });
  app.post('/auth/logout', { bodyLimit: 1024, ...schema('End this dashboard session', { response: { 204: { type: 'null' } } }) }, async (req, reply) => {
    await logout(hub, P(req), A(req));
    return reply.code(204).send();
  });
  app.get('/me', schema('The caller', { response: { 200: anyObject } }), async (req) => P(req));

  // ----- reference data -----
  app.get('/sectors', schema('The 14 critical-infrastructure sectors', { response: { 200: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, nameJa: { type: 'string' }, nameEn: { type: 'string' } } } } } }), async () => listSectors(hub));
  app.get('/severity', schema('The severity scale and its criteria', { response: { 200: { type: 'array', items: anyObject } } }), async () => SEVERITY_SCALE);

  // ----- community -----
  app.get('/orgs', schema('Organisations', { response: { 200: { type: 'array', items: anyObject } } }), async () => listOrgs(hub));
  app.post('/orgs', { bodyLimit: JSON_LIMIT, ...schema('Add an organisation (coordinator admins)', { body: { type: 'object', required: ['name', 'role'], properties: { name: { type: 'string', maxLength: 200 }, sector: { type: 'string' }, role: { type: 'string' } } }, response: { 201: anyObject } }) }, async (req, reply) =>
    reply.code(201).send(await addOrg(hub, P(req), A(req), body(req) as never)));
  app.get('/groups', schema('Sharing groups', { response: { 200: { type: 'array', items: anyObject } } }), async () => listGroups(hub));
  app.post('/groups', { bodyLimit: JSON_LIMIT, ...schema('Add a sharing group (coordinator admins)', { body: { type: 'object', required: ['name', 'kind'], properties: { name: { type: 'string' }, kind: { type: 'string', enum: ['sector', 'ceptoar', 'orgs', 'community'] }, sector: { type: 'string' }, orgIds: strList } }, response: { 201: anyObject } }) }, async (req, reply) =>
    reply.code(201).send(await addGroup(hub, P(req), A(req), body(req) as never)));
  app.get('/users', schema('Users of an organisation (yours unless you manage others)', { querystring: { type: 'object', properties: { org: { type: 'string', maxLength: 64 } } }, response: { 200: { type: 'array', items: anyObject } } }), async (req) => {
    const p = P(req);
    const org = (req.query as { org?: string }).org ?? p.orgId;
    if (org !== p.orgId && !can(p, 'manage-users', { orgId: org })) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only admins list other organisations\' users' });
    return listUsers(hub, org);
  });
  app.post('/users', { bodyLimit: JSON_LIMIT, ...schema('Add a user (organisation admins)', { body: { type: 'object', required: ['orgId', 'username', 'roles'], properties: { orgId: { type: 'string' }, username: { type: 'string' }, displayName: { type: 'string' }, email: { type: 'string' }, roles: strList, password: { type: 'string' } } }, response: { 201: anyObject } }) }, async (req, reply) =>
    reply.code(201).send(await addUser(hub, P(req), A(req), body(req) as never)));
  app.get('/tokens', schema('Your API tokens (never their secrets)', { response: { 200: { type: 'array', items: anyObject } } }), async (req) => listTokens(hub, P(req)));
  app.post('/tokens', { bodyLimit: JSON_LIMIT, ...schema('Issue an API token (the secret is shown once)', { body: { type: 'object', properties: { user: { type: 'string' }, name: { type: 'string' }, scopes: strList, ttlMs: { type: 'integer' } } }, response: { 201: { type: 'object', properties: { token: { type: 'string' }, info: anyObject } } } }) }, async (req, reply) => {
    const b = body(req);
    return reply.code(201).send(await createToken(hub, P(req), A(req), { ...b, user: b.user ?? P(req).userId }));
  });
  app.delete('/tokens/:id', schema('Revoke a token', { params: idParams, response: { 200: anyObject } }), async (req) => revokeToken(hub, P(req), A(req), (req.params as { id: string }).id));

  // ----- reports -----
  app.get('/reports', schema('The feed: reports you may read, newest first', { querystring: feedQuery, response: { 200: page } }), async (req, reply) => {
    const q = parseFeedQuery(req.query as Record<string, unknown>);
    // On PostgreSQL the page comes back as JSON text built by the database (same shape as `page`).
    const json = await listReportsJson(hub, P(req), A(req), q);
    if (json !== null) return reply.type('application/json; charset=utf-8').send(json);
    return listReports(hub, P(req), A(req), q);
  });
  app.get('/reports/search', schema('Search by text (q) or indicator', { querystring: feedQuery, response: { 200: page } }), async (req) =>
    searchReports(hub, P(req), A(req), parseFeedQuery(req.query as Record<string, unknown>)));
  app.get('/reports/export', schema('Export the reports you may read (JSON or CSV)', { querystring: { type: 'object', properties: { ...feedQuery.properties, format: { type: 'string', enum: ['json', 'csv'] } } }, produces: ['application/json', 'text/csv'], response: { 200: { type: 'string' } } }), async (req, reply) => {
    const { format = 'json', ...q } = req.query as Record<string, unknown> & { format?: 'json' | 'csv' };
    const out = await exportReports(hub, P(req), A(req), parseFeedQuery(q), format);
    reply.header('content-disposition', `attachment; filename="hub-reports.${format}"`);
    return reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8').send(out);
  });
  app.post('/reports', { bodyLimit: JSON_LIMIT, ...schema('Create a report (a draft, or submitted with submit: true)', { body: reportInput, response: { 201: report } }) }, async (req, reply) =>
    reply.code(201).send(await createReport(hub, P(req), A(req), body(req))));
  app.get('/reports/:id', schema('One report', { params: idParams, response: { 200: report } }), async (req) => getReport(hub, P(req), A(req), (req.params as { id: string }).id));
  app.patch('/reports/:id', { bodyLimit: JSON_LIMIT, ...schema('Change a report (history keeps every version)', { params: idParams, body: reportInput, response: { 200: report } }) }, async (req) =>
    updateReportFields(hub, P(req), A(req), (req.params as { id: string }).id, body(req)));
  app.post('/reports/:id/submit', { bodyLimit: 1024, ...schema('Submit a draft along its route', { params: idParams, response: { 200: report } }) }, async (req) =>
    submitReport(hub, P(req), A(req), (req.params as { id: string }).id));
  app.post('/reports/:id/transition', { bodyLimit: 1024, ...schema('Move a received report to under-analysis or closed', { params: idParams, body: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['under-analysis', 'closed'] } } }, response: { 200: report } }) }, async (req) =>
    transitionReport(hub, P(req), A(req), (req.params as { id: string }).id, body(req).status));
  app.post('/reports/:id/relay', { bodyLimit: JSON_LIMIT, ...schema('Relay an edited, anonymised copy onwards (sector secretariat)', { params: idParams, body: { type: 'object', required: ['reviewed', 'to'], properties: { reviewed: { type: 'boolean' }, title: { type: 'string' }, description: { type: 'string' }, impact: { type: 'string' }, timeline, tlp, anonymise: { type: 'boolean' }, to: { type: 'object', properties: { orgIds: strList, sectors: strList, groupIds: strList, userIds: strList } } } }, response: { 201: { type: 'object', properties: { relayed: report, source: report } } } }) }, async (req, reply) =>
    reply.code(201).send(await relayReport(hub, P(req), A(req), (req.params as { id: string }).id, body(req) as never)));
  app.get('/reports/:id/receipts', schema('Who received what and when (the reporter)', { params: idParams, response: { 200: { type: 'array', items: anyObject } } }), async (req) =>
    reportReceipts(hub, P(req), A(req), (req.params as { id: string }).id));
  app.get('/reports/:id/history', schema('Every version of a report', { params: idParams, response: { 200: { type: 'array', items: { type: 'object', properties: { version: { type: 'integer' }, at: { type: 'integer' }, userId: { type: 'string' }, action: { type: 'string' }, report } } } } }), async (req) =>
    reportHistory(hub, P(req), A(req), (req.params as { id: string }).id));
  app.get('/reports/:id/comments', schema('Comments you may read', { params: idParams, response: { 200: { type: 'array', items: comment } } }), async (req) =>
    listComments(hub, P(req), A(req), (req.params as { id: string }).id));
  app.post('/reports/:id/comments', { bodyLimit: JSON_LIMIT, ...schema('Comment (its own TLP, never looser than the report)', { params: idParams, body: { type: 'object', required: ['body'], properties: { body: { type: 'string' }, tlp, recipients } }, response: { 201: comment } }) }, async (req, reply) =>
    reply.code(201).send(await addComment(hub, P(req), A(req), (req.params as { id: string }).id, body(req) as never)));
  app.get('/reports/:id/attachments', schema('Attachments you may read', { params: idParams, response: { 200: { type: 'array', items: attachment } } }), async (req) =>
    listAttachments(hub, P(req), A(req), (req.params as { id: string }).id));
  app.post('/reports/:id/attachments', { bodyLimit: attachmentBodyLimit, ...schema('Attach a file (base64; size-limited; SHA-256 kept)', { params: idParams, body: { type: 'object', required: ['filename', 'contentBase64'], properties: { filename: { type: 'string' }, mediaType: { type: 'string' }, tlp, recipients, contentBase64: { type: 'string' } } }, response: { 201: attachment } }) }, async (req, reply) => {
    const b = body(req);
    return reply.code(201).send(await addAttachment(hub, P(req), A(req), (req.params as { id: string }).id, { ...b, filename: b.filename, content: decodeBase64(b.contentBase64, 'contentBase64') }));
  });
  const sealer = openTrust({ config: platform.config, store: platform.store });
  app.addHook('onClose', async () => sealer.close());
  app.post('/reports/:id/seal', { bodyLimit: 1024, ...schema('Seal a published advisory with the organisation\'s e-seal (JAdES, level T by default); attaches advisory.json and advisory.jades.json', { params: idParams, body: { type: 'object', properties: { level: { type: 'string', enum: ['B', 'T'] } } }, response: { 201: { type: 'object', properties: { reportId: { type: 'string' }, level: { type: 'string' }, document: attachment, seal: attachment } } } }) }, async (req, reply) =>
    reply.code(201).send(await sealAdvisory(hub, sealer, P(req), A(req), (req.params as { id: string }).id, { level: body(req).level as 'B' | 'T' | undefined })));
  app.get('/attachments/:id', schema('Download an attachment', { params: idParams, produces: ['application/octet-stream'] }), async (req, reply) => {
    const { info, content } = await getAttachment(hub, P(req), A(req), (req.params as { id: string }).id);
    return reply
      .header('content-disposition', `attachment; filename="${info.filename.replace(/[^\w.-]/g, '_')}"`)
      .header('x-content-type-options', 'nosniff')
      .header('x-mamori-sha256', info.sha256)
      .header('x-mamori-tlp', info.tlp)
      .type('application/octet-stream')
      .send(content);
  });

  // ----- dashboard and live stream -----
  app.get('/dashboard', schema('Counts over the reports you may read, updated in the `days` before `until` (epoch ms; default now)', { querystring: { type: 'object', properties: { days: { type: 'integer', minimum: 1, maximum: 3650 }, until: { type: 'integer', minimum: 0 } } }, response: { 200: anyObject } }), async (req) => {
    const q = req.query as { days?: number; until?: number };
    const until = q.until ?? hub.now();
    return dashboardSummary(hub, P(req), until - (q.days ?? 30) * 86_400_000, undefined, q.until);
  });
  app.get('/stream', schema('Server-sent events: reports as they are published (those you may read)', { querystring: { type: 'object', properties: { sector: { type: 'string' }, minSeverity: { type: 'integer', minimum: 0, maximum: 5 } } }, produces: ['text/event-stream'] }), async (req, reply) => {
    const q = req.query as { sector?: string; minSeverity?: number };
    const filter = parseFeedQuery({ sector: q.sector, minSeverity: q.minSeverity });
    const p = P(req);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    reply.raw.write(': mamori hub stream\n\n');
    const send = (r: Report): void => { reply.raw.write(`event: report\nid: ${r.id}\ndata: ${JSON.stringify(r)}\n\n`); };
    const stop = await subscribeLive(hub, p, A(req), { sectors: filter.sector ? [filter.sector] : undefined, minSeverity: filter.minSeverity }, send);
    const ping = setInterval(() => reply.raw.write(': ping\n\n'), 15_000);
    state.streams.add(reply);
    reply.raw.on('close', () => {
      clearInterval(ping);
      state.streams.delete(reply);
      void stop();
    });
  });

  // ----- alerts and paging -----
  app.get('/subscriptions', schema('Your alert subscriptions', { response: { 200: { type: 'array', items: anyObject } } }), async (req) => listSubscriptions(hub, P(req)));
  app.post('/subscriptions', { bodyLimit: JSON_LIMIT, ...schema('Subscribe to alerts (webhook secret shown once)', { body: { type: 'object', required: ['channel'], properties: { channel: { type: 'string', enum: ['webhook', 'email', 'sse'] }, target: { type: 'string' }, sectors: strList, minSeverity: { type: 'integer' } } }, response: { 201: { type: 'object', properties: { subscription: anyObject, secret: { type: 'string' } } } } }) }, async (req, reply) =>
    reply.code(201).send(await addSubscription(hub, P(req), A(req), body(req) as never)));
  app.delete('/subscriptions/:id', schema('Unsubscribe', { params: idParams, response: { 204: { type: 'null' } } }), async (req, reply) => {
    await removeSubscription(hub, P(req), A(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
  app.get('/oncall', schema('The coordinator\'s on-call list', { response: { 200: { type: 'array', items: anyObject } } }), async (req) => {
    if (!can(P(req), 'page-ack')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'the on-call list is the coordinator\'s' });
    return listOnCall(hub);
  });
  app.put('/oncall', { bodyLimit: JSON_LIMIT, ...schema('Replace the on-call list (escalation order)', { body: { type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: anyObject } } }, response: { 200: { type: 'array', items: anyObject } } }) }, async (req) =>
    setOnCall(hub, P(req), A(req), body(req).entries));
  app.get('/pages', schema('Pages (coordinator)', { querystring: { type: 'object', properties: { status: { type: 'string', enum: ['open', 'acked', 'exhausted'] } } }, response: { 200: { type: 'array', items: anyObject } } }), async (req) =>
    listPages(hub, P(req), (req.query as { status?: string }).status));
  app.post('/pages/:id/ack', { bodyLimit: 1024, ...schema('Acknowledge a page (stops escalation)', { params: idParams, response: { 204: { type: 'null' } } }) }, async (req, reply) => {
    await ackPage(hub, P(req), A(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
  app.get('/dead-letters', schema('Alerts that gave up after all retries', { response: { 200: { type: 'array', items: anyObject } } }), async (req) => listDeadLetters(hub, P(req)));
  app.post('/dead-letters/:id/retry', { bodyLimit: 1024, ...schema('Queue a dead letter again', { params: { type: 'object', properties: { id: { type: 'integer' } } }, response: { 204: { type: 'null' } } }) }, async (req, reply) => {
    await retryDeadLetter(hub, P(req), A(req), (req.params as { id: number }).id);
    return reply.code(204).send();
  });

  // ----- audit -----
  app.post('/audit/verify', { bodyLimit: 1024, ...schema('Verify the audit chain and its time-stamped checkpoints (coordinator admins)', { response: { 200: anyObject } }) }, async (req) => {
    if (!can(P(req), 'manage-orgs')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only the coordinator\'s admins verify the audit log' });
    await checkpointNow(hub).catch((e) => req.log.warn({ err: e }, 'hub: checkpoint stamping failed'));
    return verifyAudit(hub, { verifyStamp: trust?.verify });
  });

  if (hub.config.alerts.dispatchIntervalMs > 0) {
    state.dispatcher = new AlertDispatcher(hub);
    state.dispatcher.start(hub.config.alerts.dispatchIntervalMs);
  }
}

export const hubRoutes: RouteModule = { name: 'hub', prefix: '/api/hub', register };
