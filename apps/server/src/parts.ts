/**
 * Where the parts come together: every part's migrations and HTTP routes. A new part adds
 * one line to each list (its migrations to `migrationSets`, its routes to `routeModules`).
 */
import type { MigrationSet } from '@mamori/core';
import type { RouteModule } from './route-module.js';
import { healthRoutes } from './routes/health.js';
import { flowsRoutes } from './routes/flows.js';
import { flowsMigrations } from '@mamori/flows';
import { telescopeRoutes } from './routes/telescope.js';
import { telescopeMigrations } from '@mamori/telescope';
import { surveyRoutes } from './routes/survey.js';
import { surveyMigrations } from '@mamori/survey';
import { webRoutes } from './routes/web.js';
import { trustRoutes } from './routes/trust.js';
import { trustMigrations } from '@mamori/trust';
import { taxiiRoutes } from './routes/taxii.js';
import { stixMigrations } from '@mamori/hub';
import { hubRoutes } from './routes/hub.js';
import { hubMigrations } from '@mamori/hub';
import { supplyRoutes } from './routes/supply.js';
import { supplyMigrations } from '@mamori/supply';
import { demoRoutes } from './routes/demo.js';
import { trustApiRoutes } from './routes/trust-api.js';
import { demoMigrations } from './demo/index.js';

export const migrationSets: MigrationSet[] = [
  flowsMigrations,
  telescopeMigrations,
  surveyMigrations,
  trustMigrations,
  stixMigrations,
  hubMigrations,
  supplyMigrations,
  demoMigrations,
];

export const routeModules: RouteModule[] = [
  healthRoutes,
  flowsRoutes,
  telescopeRoutes,
  surveyRoutes,
  trustRoutes,
  taxiiRoutes,
  hubRoutes,
  supplyRoutes,
  demoRoutes,
  trustApiRoutes,
  webRoutes,
];
