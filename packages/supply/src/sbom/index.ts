export type { Sbom, SbomComponent, SbomIssue, SbomLimits, SbomFormat, SbomEncoding } from './model.js';
export { readSbom, readSbomAsync, readSbomFile } from './read.js';
export { parsePurl, packageKey, normalisePypiName, type PurlIdentity } from './purl.js';
export { parseCpe, type Cpe } from './cpe.js';
export { dependencyPaths, findCycles, type DependencyPaths } from './graph.js';
export { CYCLONEDX_VERSIONS, SPDX_VERSIONS } from './schemas.js';
export { cyclonedxXsdFiles, validateCyclonedxXsd, validateCyclonedxXsdAsync, type XsdFile, type XsdOptions, type XsdProblem, type XsdResult } from './xsd.js';
