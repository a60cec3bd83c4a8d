/**
 * JSON Schema (draft-07) for SPDX 2.3 JSON documents, written for mamori from the SPDX 2.3
 * specification (clauses 6–11: document creation, package, file, snippet, other licensing,
 * relationship). No npm package ships the official spdx-schema.json, so this one checks the
 * same things the official schema checks for the fields mamori reads — required
 * properties, types, enumerations and identifier patterns — and lets unknown properties
 * through (the official schema forbids them; real generators add vendor fields).
 */
const spdxId = { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.\\-]+$' } as const;
const elementRef = { type: 'string', pattern: '^(?:(?:DocumentRef-[A-Za-z0-9.\\-]+:)?SPDXRef-[A-Za-z0-9.\\-]+|NONE|NOASSERTION)$' } as const;

const RELATIONSHIP_TYPES = [
  'DESCRIBES', 'DESCRIBED_BY', 'CONTAINS', 'CONTAINED_BY', 'DEPENDS_ON', 'DEPENDENCY_OF', 'DEPENDENCY_MANIFEST_OF',
  'BUILD_DEPENDENCY_OF', 'DEV_DEPENDENCY_OF', 'OPTIONAL_DEPENDENCY_OF', 'PROVIDED_DEPENDENCY_OF', 'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF', 'EXAMPLE_OF', 'GENERATES', 'GENERATED_FROM', 'ANCESTOR_OF', 'DESCENDANT_OF', 'VARIANT_OF',
  'DISTRIBUTION_ARTIFACT', 'PATCH_FOR', 'PATCH_APPLIED', 'COPY_OF', 'FILE_ADDED', 'FILE_DELETED', 'FILE_MODIFIED',
  'EXPANDED_FROM_ARCHIVE', 'DYNAMIC_LINK', 'STATIC_LINK', 'DATA_FILE_OF', 'TEST_CASE_OF', 'BUILD_TOOL_OF', 'DEV_TOOL_OF',
  'TEST_OF', 'TEST_TOOL_OF', 'DOCUMENTATION_OF', 'OPTIONAL_COMPONENT_OF', 'METAFILE_OF', 'PACKAGE_OF', 'AMENDS',
  'PREREQUISITE_FOR', 'HAS_PREREQUISITE', 'REQUIREMENT_DESCRIPTION_FOR', 'SPECIFICATION_FOR', 'OTHER',
] as const;

export const SPDX_RELATIONSHIP_TYPES: readonly string[] = RELATIONSHIP_TYPES;

const checksum = {
  type: 'object',
  required: ['algorithm', 'checksumValue'],
  properties: {
    algorithm: { enum: ['SHA1', 'SHA224', 'SHA256', 'SHA384', 'SHA512', 'MD2', 'MD4', 'MD5', 'MD6', 'SHA3-256', 'SHA3-384', 'SHA3-512', 'BLAKE2b-256', 'BLAKE2b-384', 'BLAKE2b-512', 'BLAKE3', 'ADLER32'] },
    checksumValue: { type: 'string', pattern: '^[0-9a-fA-F]+$' },
  },
} as const;

export const spdx23Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mamori.invalid/schema/spdx-2.3.schema.json',
  title: 'SPDX 2.3 document (mamori)',
  type: 'object',
  required: ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo'],
  properties: {
    spdxVersion: { type: 'string', pattern: '^SPDX-2\\.3$' },
    dataLicense: { const: 'CC0-1.0' },
    SPDXID: { const: 'SPDXRef-DOCUMENT' },
    name: { type: 'string' },
    documentNamespace: { type: 'string', format: 'uri' },
    comment: { type: 'string' },
    externalDocumentRefs: {
      type: 'array',
      items: {
        type: 'object', required: ['externalDocumentId', 'spdxDocument', 'checksum'],
        properties: { externalDocumentId: { type: 'string', pattern: '^DocumentRef-[A-Za-z0-9.\\-]+$' }, spdxDocument: { type: 'string' }, checksum },
      },
    },
    creationInfo: {
      type: 'object',
      required: ['created', 'creators'],
      properties: {
        created: { type: 'string', format: 'date-time' },
        creators: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(?:Person|Organization|Tool): ' } },
        licenseListVersion: { type: 'string', pattern: '^[0-9]+\\.[0-9]+$' },
        comment: { type: 'string' },
      },
    },
    documentDescribes: { type: 'array', items: elementRef },
    packages: {
      type: 'array',
      items: {
        type: 'object',
        required: ['SPDXID', 'name', 'downloadLocation'],
        properties: {
          SPDXID: spdxId,
          name: { type: 'string' },
          versionInfo: { type: 'string' },
          downloadLocation: { type: 'string' },
          filesAnalyzed: { type: 'boolean' },
          supplier: { type: 'string', pattern: '^(?:(?:Person|Organization): .*|NOASSERTION)$' },
          originator: { type: 'string', pattern: '^(?:(?:Person|Organization): .*|NOASSERTION)$' },
          checksums: { type: 'array', items: checksum },
          primaryPackagePurpose: { enum: ['APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'OPERATING-SYSTEM', 'OPERATING_SYSTEM', 'DEVICE', 'FIRMWARE', 'SOURCE', 'ARCHIVE', 'FILE', 'INSTALL', 'OTHER'] },
          externalRefs: {
            type: 'array',
            items: {
              type: 'object',
              required: ['referenceCategory', 'referenceLocator', 'referenceType'],
              properties: {
                referenceCategory: { enum: ['SECURITY', 'PACKAGE-MANAGER', 'PACKAGE_MANAGER', 'PERSISTENT-ID', 'PERSISTENT_ID', 'OTHER'] },
                referenceLocator: { type: 'string', minLength: 1 },
                referenceType: { type: 'string', minLength: 1 },
                comment: { type: 'string' },
              },
            },
          },
          hasFiles: { type: 'array', items: elementRef },
          builtDate: { type: 'string', format: 'date-time' },
          releaseDate: { type: 'string', format: 'date-time' },
          validUntilDate: { type: 'string', format: 'date-time' },
        },
      },
    },
    files: {
      type: 'array',
      items: {
        type: 'object', required: ['SPDXID', 'fileName', 'checksums'],
        properties: { SPDXID: spdxId, fileName: { type: 'string' }, checksums: { type: 'array', items: checksum } },
      },
    },
    snippets: {
      type: 'array',
      items: { type: 'object', required: ['SPDXID', 'snippetFromFile', 'ranges'], properties: { SPDXID: spdxId, snippetFromFile: elementRef, ranges: { type: 'array' } } },
    },
    hasExtractedLicensingInfos: {
      type: 'array',
      items: { type: 'object', required: ['licenseId'], properties: { licenseId: { type: 'string', pattern: '^LicenseRef-[A-Za-z0-9.\\-]+$' }, extractedText: { type: 'string' } } },
    },
    relationships: {
      type: 'array',
      items: {
        type: 'object',
        required: ['spdxElementId', 'relationshipType', 'relatedSpdxElement'],
        properties: { spdxElementId: elementRef, relatedSpdxElement: elementRef, relationshipType: { enum: RELATIONSHIP_TYPES }, comment: { type: 'string' } },
      },
    },
  },
} as const;
