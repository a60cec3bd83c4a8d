/**
 * Fastify glue for any route module that serves hub material (hub REST, TAXII, dashboard):
 * `authenticateRequest` turns a request's bearer token into a Principal (401 otherwise) and
 * `hubAuth` is the preHandler that does it for every route of a scope.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MamoriError } from '@mamori/core';
import type { Principal } from '../access/policy.js';
import { actorOf, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import { authenticateBearer } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `hubAuth` for every authenticated request. */
    hubPrincipal?: Principal;
  }
}

export async function authenticateRequest(hub: HubContext, request: FastifyRequest): Promise<Principal> {
  const principal = await authenticateBearer(hub, request.headers.authorization);
  request.hubPrincipal = principal;
  return principal;
}

/** preHandler: authenticate or answer 401 (with a WWW-Authenticate challenge). */
export function hubAuth(hub: HubContext): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    try {
      await authenticateRequest(hub, request);
    } catch (e) {
      if (e instanceof MamoriError && e.status === 401) reply.header('www-authenticate', 'Bearer realm="mamori-hub"');
      throw e;
    }
  };
}

/** The principal `hubAuth` set; throws 401 if a route forgot the preHandler. */
export function requestPrincipal(request: FastifyRequest): Principal {
  if (!request.hubPrincipal) throw new MamoriError('MAMORI_HUB_UNAUTHENTICATED', { reason: 'route has no authentication' });
  return request.hubPrincipal;
}

/** Who is acting and from where, for the audit log. */
export function requestActor(request: FastifyRequest): Actor {
  return actorOf(request.hubPrincipal ?? null, request.ip);
}
