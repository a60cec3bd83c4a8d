/**
 * /api/trust — trust services as JSON for the dashboard: verify a file against its seal or
 * time-stamp token (any signed-in user), time-stamp a file (any signed-in user), and seal a
 * file with the organisation's e-seal (secretariats and admins: a seal speaks for the
 * organisation). Files travel base64-encoded; verification uses the installation's anchors.
 */
import { MamoriError } from '@mamori/core';
import { hubAuth, hubContext, requestPrincipal } from '@mamori/hub';
import { openTrust, readTimeStampToken, verifyDetached } from '@mamori/trust';
import type { RouteModule } from '../route-module.js';

const tags = ['trust'];
const errorBody = { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, additionalProperties: true } as const;
const base64 = { type: 'string', minLength: 1 } as const;
const SEALERS = ['admin', 'secretariat'];

/** Strict base64: Node's decoder silently skips junk, which would verify the wrong bytes. */
function decode(value: string, field: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new MamoriError('MAMORI_TRUST_INPUT', { reason: `${field}: not base64`, field });
  return Buffer.from(compact, 'base64');
}

export const trustApiRoutes: RouteModule = {
  name: 'trust-api',
  prefix: '/api/trust',
  register(app, platform) {
    const trust = openTrust({ config: platform.config, store: platform.store });
    app.addHook('onClose', async () => trust.close());
    app.addHook('preHandler', hubAuth(hubContext(platform)));

    app.post('/verify', {
      schema: {
        tags, summary: 'Verify a file against its seal (CAdES/CMS, JAdES/JWS) or RFC 3161 time-stamp token / TimeStampResp',
        body: { type: 'object', required: ['document', 'signature'], properties: { document: base64, signature: base64, documentName: { type: 'string' }, signatureName: { type: 'string' } } },
        response: { 200: { type: 'object', additionalProperties: true }, 400: errorBody, 401: errorBody },
      },
    }, async (request) => {
      const body = request.body as { document: string; signature: string };
      return verifyDetached(trust, decode(body.document, 'document'), decode(body.signature, 'signature'));
    });

    app.post('/stamp', {
      schema: {
        tags, summary: 'Time-stamp a file with the configured TSA; answers the RFC 3161 token (base64)',
        body: { type: 'object', required: ['document'], properties: { document: base64, name: { type: 'string' } } },
        response: {
          200: { type: 'object', properties: { token: { type: 'string' }, genTime: { type: 'string' }, serialNumber: { type: 'string' }, tsa: { type: 'string' } } },
          400: errorBody, 401: errorBody, 500: errorBody, 503: errorBody,
        },
      },
    }, async (request) => {
      const token = Buffer.from(await trust.stampData(decode((request.body as { document: string }).document, 'document')));
      const { tstInfo, certificates } = readTimeStampToken(token);
      return { token: token.toString('base64'), genTime: tstInfo.genTime.toISOString(), serialNumber: tstInfo.serialNumber.toString(), tsa: certificates[0]?.subject };
    });

    app.post('/seal', {
      schema: {
        tags, summary: "Seal a file with the organisation's e-seal (secretariat or admin): a detached CAdES signature (.p7s), level T",
        body: { type: 'object', required: ['document'], properties: { document: base64, name: { type: 'string' } } },
        response: { 200: { type: 'object', properties: { format: { type: 'string' }, level: { type: 'string' }, signature: { type: 'string' } } }, 400: errorBody, 401: errorBody, 403: errorBody, 500: errorBody },
      },
    }, async (request) => {
      if (!requestPrincipal(request).roles.some((r) => SEALERS.includes(r))) throw new MamoriError('MAMORI_TRUST_FORBIDDEN', { reason: 'sealing in the organisation\'s name needs the secretariat or admin role' });
      const signature = await trust.sealFile(decode((request.body as { document: string }).document, 'document'), { level: 'T' });
      return { format: 'CAdES', level: 'T', signature: signature.toString('base64') };
    });
  },
};
