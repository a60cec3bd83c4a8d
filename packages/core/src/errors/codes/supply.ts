import type { ErrorSpec } from '../catalogue.js';

/** Error codes of @mamori/supply. Add new codes here, prefixed MAMORI_SUPPLY_. */
export const supplyErrors = {
  MAMORI_SUPPLY_INPUT: { message: '{reason}', status: 400 },
  MAMORI_SUPPLY_SBOM_FORMAT: { message: 'not a recognised SBOM: {reason}', status: 400 },
  MAMORI_SUPPLY_SBOM_SCHEMA: { message: 'SBOM fails the {schema} schema at {field}: {reason}', status: 422 },
  MAMORI_SUPPLY_SBOM_PARSE: { message: 'SBOM cannot be parsed: {reason}', status: 400 },
  MAMORI_SUPPLY_SBOM_VERSION: { message: 'unsupported {format} version "{version}" (supported: {supported})', status: 422 },
  MAMORI_SUPPLY_SBOM_TOO_LARGE: { message: 'SBOM exceeds the limit of {limit} {what}', status: 413 },
  MAMORI_SUPPLY_XML_FORBIDDEN: { message: 'XML {construct} is not allowed (entity expansion and external entities are refused)', status: 400 },
  MAMORI_SUPPLY_PURL: { message: 'invalid package URL "{purl}": {reason}', status: 400 },
  MAMORI_SUPPLY_CPE: { message: 'invalid CPE "{cpe}": {reason}', status: 400 },
  MAMORI_SUPPLY_VERSION: { message: 'invalid {ecosystem} version "{version}"', status: 400 },
  MAMORI_SUPPLY_CVSS: { message: 'invalid CVSS vector "{vector}": {reason}', status: 400 },
  MAMORI_SUPPLY_OSV: { message: 'invalid OSV record in {source}: {reason}', status: 400 },
  MAMORI_SUPPLY_NVD: { message: 'invalid NVD CVE record in {source}: {reason}', status: 400 },
  MAMORI_SUPPLY_ARCHIVE: { message: 'cannot read archive {source}: {reason}', status: 400 },
  MAMORI_SUPPLY_CRITERIA: { message: 'criteria catalogue {version}: {reason}', status: 400 },
  MAMORI_SUPPLY_LIST_STATE: { message: 'product {id} is {status}: cannot {action}', status: 409 },
  MAMORI_SUPPLY_FORBIDDEN: { message: 'not allowed: {reason}', status: 403 },
  MAMORI_SUPPLY_LIST_CONFLICT: { message: '{what} already exists', status: 409 },
} as const satisfies Record<string, ErrorSpec>;
