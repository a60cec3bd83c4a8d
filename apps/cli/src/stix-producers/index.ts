/** What mamori's parts find, as STIX 2.1 objects for the hub's collections. */
export { telescopeToStix, type TelescopeFindings } from './telescope.js';
export { flowsToStix } from './flows.js';
export { supplyToStix, advisoryKey, type ListedVulnerability } from './supply.js';
export { uniqueById, type StixObject } from './unique.js';
