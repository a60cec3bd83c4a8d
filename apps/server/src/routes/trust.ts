/**
 * Trust services over HTTP: the RFC 3161 time-stamp authority (POST /tsa with
 * application/timestamp-query, answered with application/timestamp-reply, RFC 3161 §3.4) and
 * the certificates a verifier needs. The TSA's keys are loaded on first use, so
 * `mamori trust init` can run after the server started.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMamoriError, type Platform } from '@mamori/core';
import { certificateToPem, createTsaListener, encodeRejection, openTrust, type TrustServices } from '@mamori/trust';
import type { RouteModule } from '../route-module.js';
import { registerRevocationRoutes } from './trust-revocation.js';

const QUERY = 'application/timestamp-query';
const REPLY = 'application/timestamp-reply';
const QUERY_LIMIT = 64 * 1024;

interface TsaAnswer {
  status: 200 | 413 | 415 | 503;
  type: string;
  body: Buffer | string;
}

/** `[trust] tsa.listen` (`host:port`): the TSA's own listener, started with the server and closed with it. */
function tsaListener(app: Parameters<RouteModule['register']>[0], platform: Platform, trust: TrustServices): void {
  const at = trust.config.tsa.listen;
  if (!at) return;
  const colon = at.lastIndexOf(':');
  const host = at.slice(0, colon).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(at.slice(colon + 1));
  const listener = createTsaListener((query, type) => answerQuery(trust, platform, type, query), { maxQuery: QUERY_LIMIT });
  app.addHook('onReady', async () => {
    await listener.listen(port, host);
    platform.log.info({ host, port: (listener.server.address() as { port: number }).port }, 'time-stamp authority listening');
  });
  app.addHook('onClose', () => listener.close());
}

const jsonAnswer = <S extends number>(status: S, code: string, message: string) =>
  ({ status, type: 'application/json; charset=utf-8', body: JSON.stringify({ code, message }) });

/** One implementation of POST /tsa for both paths (raw node:http and Fastify). */
async function answerQuery(trust: TrustServices, platform: Platform, contentType: string | undefined, body: unknown): Promise<TsaAnswer> {
  if (!Buffer.isBuffer(body) || !contentType?.startsWith(QUERY)) return jsonAnswer(415, 'MAMORI_TRUST_INPUT', `POST /tsa takes ${QUERY}`);
  let tsa;
  try {
    tsa = await trust.authority();
  } catch (e) {
    platform.log.warn({ err: isMamoriError(e) ? e.toJSON() : String(e) }, 'time-stamp authority unavailable');
    return { status: 503, type: REPLY, body: encodeRejection('systemFailure', 'time-stamp authority not configured') };
  }
  return { status: 200, type: REPLY, body: await tsa.respond(body) };
}

/** POST /tsa on node:http directly: read the query (at most 64 KiB), answer, nothing else per request. */
function rawTsaHandler(trust: TrustServices, platform: Platform) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (a: Omit<TsaAnswer, 'status'> & { status: number }): void => {
      res.writeHead(a.status, { 'content-type': a.type, 'content-length': Buffer.byteLength(a.body) });
      res.end(a.body);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= QUERY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > QUERY_LIMIT) return send(jsonAnswer(413, 'MAMORI_TRUST_INPUT', `a time-stamp query is at most ${QUERY_LIMIT} octets`));
      answerQuery(trust, platform, req.headers['content-type'], chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).then(send, (e: unknown) => {
        platform.log.error({ err: String(e) }, 'time-stamp request failed');
        send(jsonAnswer(500, 'MAMORI_INTERNAL', 'internal error'));
      });
    });
    req.on('error', () => res.destroy());
  };
}

export const trustRoutes: RouteModule = {
  name: 'trust',
  register(app, platform) {
    const trust = openTrust({ config: platform.config, store: platform.store });
    app.addHook('onClose', async () => trust.close());
    app.addContentTypeParser(QUERY, { parseAs: 'buffer', bodyLimit: QUERY_LIMIT }, (_req, body, done) => done(null, body));
    // The TSA is public (RFC 3161 §3.4 has no authentication) and hot: node:http answers it directly.
    app.rawRoute('POST', '/tsa', rawTsaHandler(trust, platform));
    tsaListener(app, platform, trust);

    app.post('/tsa', {
      schema: {
        tags: ['trust'],
        summary: 'RFC 3161 time-stamp authority',
        description: 'Takes a DER TimeStampReq (application/timestamp-query) and answers a DER TimeStampResp (application/timestamp-reply). Bad requests are answered with status rejection and the PKIFailureInfo (badAlg, badRequest, badDataFormat, unacceptedPolicy, unacceptedExtension, timeNotAvailable).',
        consumes: [QUERY],
        produces: [REPLY],
        response: {
          200: { description: 'TimeStampResp (granted or rejection)', type: 'string', format: 'binary' },
          413: { description: 'Query larger than 64 KiB', type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          415: { description: 'Not a time-stamp query', type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          503: { description: 'TimeStampResp rejection (systemFailure): the TSA has no keys or store', type: 'string', format: 'binary' },
        },
      },
    }, async (request, reply) => {
      const a = await answerQuery(trust, platform, request.headers['content-type'], request.body);
      return reply.code(a.status).type(a.type).send(a.body);
    });

    registerRevocationRoutes(app, platform, trust);

    app.get('/tsa/certificates', {
      schema: {
        tags: ['trust'],
        summary: "The TSA's certificate, its chain and the trust anchors (PEM)",
        produces: ['application/pem-certificate-chain'],
        response: { 200: { type: 'string' } },
      },
    }, async (_request, reply) => {
      const tsa = await trust.authority();
      const pem = [tsa.certificate, ...tsa.chain].map((c) => certificateToPem(c)).join('');
      return reply.type('application/pem-certificate-chain').send(pem);
    });
  },
};
