/**
 * @mamori/supply — SBOM intake (CycloneDX, SPDX), vulnerability matching (OSV, NVD CPE),
 * trusted product and service lists, and procurement checks.
 */
export * from './sbom/index.js';
export * from './vulns/index.js';
export { versionScheme, compareVersions, type VersionScheme } from './versions/index.js';
export * from './store/index.js';
export * from './check/index.js';
