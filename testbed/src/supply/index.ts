export { generateCyclonedxJson, generateCyclonedxXml, generateOsvRecords, seededRandom, packageName, randomVersion, type GeneratedSbomOptions, type GeneratedOsvOptions } from './generate.js';
export { ROUTER_SBOM_XML, LODASH_OSV, WEBUI_CRITICAL_OSV } from './fixtures.js';
