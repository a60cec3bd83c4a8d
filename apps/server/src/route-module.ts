import type { FastifyInstance } from 'fastify';
import type { Platform } from '@mamori/core';

/**
 * A part's HTTP routes. `register` runs inside a Fastify plugin scope under `prefix`
 * (e.g. `/api/telescope`), so hooks a part adds (its authentication) stay in its scope.
 */
export interface RouteModule {
  name: string;
  prefix?: string;
  register(app: FastifyInstance, platform: Platform): Promise<void> | void;
  /** Work to stop on shutdown (timers, consumers). */
  close?(): Promise<void> | void;
}
