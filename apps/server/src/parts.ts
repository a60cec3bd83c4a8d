/**
 * Where the parts come together: every part's migrations and HTTP routes. A new part adds
 * one line to each list (its migrations to `migrationSets`, its routes to `routeModules`).
 */
import type { MigrationSet } from '@mamori/core';
import type { RouteModule } from './route-module.js';
import { healthRoutes } from './routes/health.js';
import { webRoutes } from './routes/web.js';

export const migrationSets: MigrationSet[] = [
];

export const routeModules: RouteModule[] = [
  healthRoutes,
  webRoutes,
];
