export { buildServer, handleShutdown, type ServerOptions, type ErrorBody } from './server.js';
export { migrationSets, routeModules } from './parts.js';
export type { RouteModule } from './route-module.js';
