/**
 * Revocation data of the installation's CA over HTTP, where the certificates `trust init`
 * issues point (CRL distribution point `<publicUrl>/crl`, AIA OCSP `<publicUrl>/ocsp`):
 * the current CRL (RFC 5280, DER) and an RFC 6960 OCSP responder taking POST
 * application/ocsp-request or GET /ocsp/<url-encoded base64 request> (RFC 6960 appendix A.1).
 * Public, like the TSA: relying parties are not hub users.
 */
import type { FastifyReply } from 'fastify';
import { isMamoriError, type Platform } from '@mamori/core';
import { encodeOcspError, type TrustServices } from '@mamori/trust';
import type { RouteModule } from '../route-module.js';

const OCSP_REQUEST = 'application/ocsp-request';
const OCSP_RESPONSE = 'application/ocsp-response';
const REQUEST_LIMIT = 64 * 1024;

const error = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;

function answer(trust: TrustServices, platform: Platform, reply: FastifyReply, body: Buffer): FastifyReply {
  let responder;
  try {
    responder = trust.ocspResponder();
  } catch (e) {
    platform.log.warn({ err: isMamoriError(e) ? e.toJSON() : String(e) }, 'OCSP responder unavailable');
    return reply.code(503).type(OCSP_RESPONSE).send(encodeOcspError('tryLater'));
  }
  // Answers are signed per request (nonces differ), so they are not cacheable by proxies.
  return reply.type(OCSP_RESPONSE).header('cache-control', 'no-store').send(responder.respond(body));
}

export function registerRevocationRoutes(app: Parameters<RouteModule['register']>[0], platform: Platform, trust: TrustServices): void {
  app.addContentTypeParser(OCSP_REQUEST, { parseAs: 'buffer', bodyLimit: REQUEST_LIMIT }, (_req, body, done) => done(null, body));

  app.get('/crl', {
    schema: {
      tags: ['trust'],
      summary: "The CA's current CRL (DER), the CRL distribution point of the certificates it issued",
      produces: ['application/pkix-crl'],
      response: { 200: { type: 'string', format: 'binary' }, 404: { description: 'No CRL published (run `mamori trust init`)', ...error } },
    },
  }, async (_request, reply) => {
    let crl;
    try {
      crl = trust.caCrl();
    } catch {
      crl = undefined;
    }
    if (!crl) return reply.code(404).send({ code: 'MAMORI_TRUST_KEYS', message: 'no CRL published' });
    const maxAge = crl.nextUpdate ? Math.max(0, Math.floor((crl.nextUpdate.getTime() - Date.now()) / 1000)) : 0;
    // Short caching: a revocation reissues the CRL at once, long before nextUpdate.
    return reply.type('application/pkix-crl').header('cache-control', `public, max-age=${Math.min(maxAge, 300)}`).send(crl.der);
  });

  app.post('/ocsp', {
    schema: {
      tags: ['trust'],
      summary: 'RFC 6960 OCSP responder',
      description: 'Takes a DER OCSPRequest and answers a DER OCSPResponse: good, revoked (with time and reason) or unknown per CertID, the request nonce echoed, signed by the delegated OCSP responder. A malformed request is answered malformedRequest.',
      consumes: [OCSP_REQUEST],
      produces: [OCSP_RESPONSE],
      response: {
        200: { description: 'OCSPResponse', type: 'string', format: 'binary' },
        415: { description: 'Not an OCSP request', ...error },
        503: { description: 'OCSPResponse tryLater: no CA keys yet', type: 'string', format: 'binary' },
      },
    },
  }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body) || !request.headers['content-type']?.startsWith(OCSP_REQUEST)) {
      return reply.code(415).send({ code: 'MAMORI_TRUST_INPUT', message: `POST /ocsp takes ${OCSP_REQUEST}` });
    }
    return answer(trust, platform, reply, request.body);
  });

  app.get('/ocsp/*', {
    schema: {
      tags: ['trust'],
      summary: 'RFC 6960 OCSP responder, GET form (the URL-encoded base64 of the DER request)',
      produces: [OCSP_RESPONSE],
      params: { type: 'object', properties: { '*': { type: 'string', maxLength: 8192 } } },
      response: {
        200: { description: 'OCSPResponse', type: 'string', format: 'binary' },
        503: { description: 'OCSPResponse tryLater: no CA keys yet', type: 'string', format: 'binary' },
      },
    },
  }, async (request, reply) => {
    // Some clients leave '/' and '+' unencoded; a '+' decoded to a space is put back.
    let b64 = (request.params as { '*': string })['*'];
    try {
      b64 = decodeURIComponent(b64).replace(/ /g, '+');
    } catch {
      b64 = ''; // a malformed escape: answered malformedRequest like any other bad request
    }
    return answer(trust, platform, reply, /^[A-Za-z0-9+/=]*$/.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(0));
  });
}
