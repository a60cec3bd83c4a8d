/**
 * Where the parts come together: every part's migrations and HTTP routes. A new part adds
 * one line to each list (its migrations to `migrationSets`, its routes to `routeModules`).
 */
import type { MigrationSet } from '@mamori/core';
import type { RouteModule } from './route-module.js';
import { healthRoutes } from './routes/health.js';
import { taxiiRoutes } from './routes/taxii.js';
import { stixMigrations } from '@mamori/hub';
import { webRoutes } from './routes/web.js';
import { trustRoutes } from './routes/trust.js';
import { trustMigrations } from '@mamori/trust';

export const migrationSets: MigrationSet[] = [
  stixMigrations,
  trustMigrations,
];

export const routeModules: RouteModule[] = [
  healthRoutes,
  taxiiRoutes,
  trustRoutes,
  webRoutes,
];
