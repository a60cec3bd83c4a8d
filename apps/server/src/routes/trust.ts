/**
 * Trust services over HTTP: the RFC 3161 time-stamp authority (POST /tsa with
 * application/timestamp-query, answered with application/timestamp-reply, RFC 3161 §3.4) and
 * the certificates a verifier needs. The TSA's keys are loaded on first use, so
 * `mamori trust init` can run after the server started.
 */
import { isMamoriError } from '@mamori/core';
import { certificateToPem, encodeRejection, openTrust } from '@mamori/trust';
import type { RouteModule } from '../route-module.js';

const QUERY = 'application/timestamp-query';
const REPLY = 'application/timestamp-reply';

export const trustRoutes: RouteModule = {
  name: 'trust',
  register(app, platform) {
    const trust = openTrust({ config: platform.config, store: platform.store });
    app.addHook('onClose', async () => trust.close());
    app.addContentTypeParser(QUERY, { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

    app.post('/tsa', {
      schema: {
        tags: ['trust'],
        summary: 'RFC 3161 time-stamp authority',
        description: 'Takes a DER TimeStampReq (application/timestamp-query) and answers a DER TimeStampResp (application/timestamp-reply). Bad requests are answered with status rejection and the PKIFailureInfo (badAlg, badRequest, badDataFormat, unacceptedPolicy, unacceptedExtension, timeNotAvailable).',
        consumes: [QUERY],
        produces: [REPLY],
        response: {
          200: { description: 'TimeStampResp (granted or rejection)', type: 'string', format: 'binary' },
          415: { description: 'Not a time-stamp query', type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
          503: { description: 'TimeStampResp rejection (systemFailure): the TSA has no keys or store', type: 'string', format: 'binary' },
        },
      },
    }, async (request, reply) => {
      if (!Buffer.isBuffer(request.body) || !request.headers['content-type']?.startsWith(QUERY)) {
        return reply.code(415).send({ code: 'MAMORI_TRUST_INPUT', message: `POST /tsa takes ${QUERY}` });
      }
      reply.type(REPLY);
      let tsa;
      try {
        tsa = await trust.authority();
      } catch (e) {
        request.log.warn({ err: isMamoriError(e) ? e.toJSON() : String(e) }, 'time-stamp authority unavailable');
        return reply.code(503).send(encodeRejection('systemFailure', 'time-stamp authority not configured'));
      }
      return reply.send(await tsa.respond(request.body as Buffer));
    });

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
