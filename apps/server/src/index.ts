export { buildServer, handleShutdown, type ServerOptions, type ErrorBody } from './server.js';
export { migrationSets, routeModules } from './parts.js';
export type { RouteModule } from './route-module.js';
export { sealAdvisory, advisoryDocument, ADVISORY_DOCUMENT, ADVISORY_SEAL, type AdvisoryDocument, type SealedAdvisory } from './advisory.js';
export { buildDemo, removeDemo, demoStatus, DEMO_STEPS, type DemoResult, type DemoStep, type DemoUser } from './demo/index.js';
