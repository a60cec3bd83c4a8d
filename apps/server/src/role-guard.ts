import type { FastifyInstance } from 'fastify';
import { MamoriError, type ErrorCode, type Platform } from '@mamori/core';
import { hubAuth, hubContext, requestPrincipal, type UserRole } from '@mamori/hub';

/**
 * Authenticates every route of a module with the hub (bearer API token or dashboard
 * session) and admits only principals holding one of `roles`. Parts whose data names
 * customer hosts (darknet sources, weak devices, C&C contacts) use it with the analyst
 * and admin roles; refusal is the part's own FORBIDDEN code, so the answer is 403.
 */
export function requireHubRoles(
  app: FastifyInstance,
  platform: Platform,
  roles: readonly UserRole[],
  forbidden: { code: ErrorCode; reason: string },
): void {
  // onRequest, not preHandler: the caller is refused before its query or body is validated,
  // so an anonymous request learns nothing from validation errors and costs no parsing.
  app.addHook('onRequest', hubAuth(hubContext(platform)));
  app.addHook('onRequest', async (request) => {
    const held = requestPrincipal(request).roles;
    if (!roles.some((r) => held.includes(r))) throw new MamoriError(forbidden.code, { reason: forbidden.reason });
  });
}
