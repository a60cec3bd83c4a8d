/**
 * JSON Schema (draft-07) for SPDX 2.3 JSON documents, written for mamori from the SPDX 2.3
 * specification (clauses 6–12: document creation, package, file, snippet, other licensing,
 * relationship, annotation, review).
 *
 * Why not the official file: no package in the registries this project installs from (npm,
 * Debian) ships SPDX 2.3's spdx-schema.json (checked: the npm SPDX packages are licence-list
 * tools, @cyclonedx/cdxgen ships only the SPDX 3.0.1 schema, Debian has no SPDX document
 * schema), and mamori vendors nothing it cannot install. So this schema was checked, object
 * by object, against the official one (spdx/spdx-spec, schemas/spdx-schema-2-3.json) for the
 * same property sets, `required` lists, enumerations and `additionalProperties: false`
 * (unknown properties are refused, as there). Deliberately stricter, from the spec's text:
 * identifier patterns, `dataLicense` CC0-1.0, creator prefixes, ISO 8601 times, hexadecimal
 * checksums. Deliberately looser: `PACKAGE_MANAGER`/`PERSISTENT_ID`/`OPERATING-SYSTEM`
 * spellings, which 2.2-era tools still write into 2.3 documents.
 */
const spdxId = { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.\\-]+$' } as const;
const elementRef = { type: 'string', pattern: '^(?:(?:DocumentRef-[A-Za-z0-9.\\-]+:)?SPDXRef-[A-Za-z0-9.\\-]+|NONE|NOASSERTION)$' } as const;
const text = { type: 'string' } as const;
const texts = { type: 'array', items: text } as const;
const time = { type: 'string', format: 'date-time' } as const;
const agent = { type: 'string', pattern: '^(?:(?:Person|Organization): .*|NOASSERTION)$' } as const;

/** An object with exactly these properties, the listed ones required. */
function object(required: readonly string[], properties: Record<string, unknown>): Record<string, unknown> {
  return { type: 'object', required, properties, additionalProperties: false };
}
const arrayOf = (items: unknown, minItems?: number): Record<string, unknown> => ({ type: 'array', items, ...(minItems ? { minItems } : {}) });

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

const checksum = object(['algorithm', 'checksumValue'], {
  algorithm: { enum: ['SHA1', 'SHA224', 'SHA256', 'SHA384', 'SHA512', 'MD2', 'MD4', 'MD5', 'MD6', 'SHA3-256', 'SHA3-384', 'SHA3-512', 'BLAKE2b-256', 'BLAKE2b-384', 'BLAKE2b-512', 'BLAKE3', 'ADLER32'] },
  checksumValue: { type: 'string', pattern: '^[0-9a-fA-F]+$' },
});

const annotations = arrayOf(object(['annotationDate', 'annotationType', 'annotator', 'comment'], {
  annotationDate: time, annotationType: { enum: ['OTHER', 'REVIEW'] }, annotator: text, comment: text,
}));

/** What packages, files and snippets share (SPDX's SpdxItem). */
const item = {
  SPDXID: spdxId, annotations, attributionTexts: texts, comment: text, copyrightText: text, licenseComments: text, licenseConcluded: text,
};

const pointer = object(['reference'], { reference: elementRef, offset: { type: 'integer' }, lineNumber: { type: 'integer' } });

const pkg = object(['SPDXID', 'name', 'downloadLocation'], {
  ...item,
  name: text, versionInfo: text, downloadLocation: text, filesAnalyzed: { type: 'boolean' },
  supplier: agent, originator: agent, checksums: arrayOf(checksum),
  primaryPackagePurpose: { enum: ['APPLICATION', 'FRAMEWORK', 'LIBRARY', 'CONTAINER', 'OPERATING_SYSTEM', 'OPERATING-SYSTEM', 'DEVICE', 'FIRMWARE', 'SOURCE', 'ARCHIVE', 'FILE', 'INSTALL', 'OTHER'] },
  externalRefs: arrayOf(object(['referenceCategory', 'referenceLocator', 'referenceType'], {
    referenceCategory: { enum: ['SECURITY', 'PACKAGE-MANAGER', 'PACKAGE_MANAGER', 'PERSISTENT-ID', 'PERSISTENT_ID', 'OTHER'] },
    referenceLocator: { type: 'string', minLength: 1 },
    referenceType: { type: 'string', minLength: 1 },
    comment: text,
  })),
  hasFiles: arrayOf(elementRef), homepage: text, description: text, summary: text, sourceInfo: text, packageFileName: text,
  licenseDeclared: text, licenseInfoFromFiles: texts,
  packageVerificationCode: object(['packageVerificationCodeValue'], { packageVerificationCodeValue: text, packageVerificationCodeExcludedFiles: texts }),
  builtDate: time, releaseDate: time, validUntilDate: time,
});

const file = object(['SPDXID', 'fileName', 'checksums'], {
  ...item,
  fileName: text, checksums: arrayOf(checksum, 1), artifactOfs: arrayOf({ type: 'object' }), fileContributors: texts,
  fileDependencies: arrayOf(elementRef), licenseInfoInFiles: texts, noticeText: text,
  fileTypes: arrayOf({ enum: ['SOURCE', 'BINARY', 'ARCHIVE', 'APPLICATION', 'AUDIO', 'IMAGE', 'TEXT', 'VIDEO', 'DOCUMENTATION', 'SPDX', 'OTHER'] }),
});

const snippet = object(['SPDXID', 'snippetFromFile', 'ranges'], {
  ...item,
  name: text, snippetFromFile: elementRef, licenseInfoInSnippets: texts,
  ranges: arrayOf(object(['startPointer', 'endPointer'], { startPointer: pointer, endPointer: pointer }), 1),
});

export const spdx23Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mamori.invalid/schema/spdx-2.3.schema.json',
  title: 'SPDX 2.3 document (mamori)',
  ...object(['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'creationInfo'], {
    spdxVersion: { type: 'string', pattern: '^SPDX-2\\.3$' },
    dataLicense: { const: 'CC0-1.0' },
    SPDXID: { const: 'SPDXRef-DOCUMENT' },
    name: text,
    documentNamespace: { type: 'string', format: 'uri' },
    comment: text,
    annotations,
    externalDocumentRefs: arrayOf(object(['externalDocumentId', 'spdxDocument', 'checksum'], {
      externalDocumentId: { type: 'string', pattern: '^DocumentRef-[A-Za-z0-9.\\-]+$' }, spdxDocument: text, checksum,
    })),
    creationInfo: object(['created', 'creators'], {
      created: time,
      creators: arrayOf({ type: 'string', pattern: '^(?:Person|Organization|Tool): ' }, 1),
      licenseListVersion: { type: 'string', pattern: '^[0-9]+\\.[0-9]+$' },
      comment: text,
    }),
    documentDescribes: arrayOf(elementRef),
    packages: arrayOf(pkg),
    files: arrayOf(file),
    snippets: arrayOf(snippet),
    hasExtractedLicensingInfos: arrayOf(object(['licenseId', 'extractedText'], {
      licenseId: { type: 'string', pattern: '^LicenseRef-[A-Za-z0-9.\\-]+$' }, extractedText: text, name: text, comment: text, seeAlsos: texts,
      crossRefs: arrayOf(object(['url'], {
        url: text, isLive: { type: 'boolean' }, isValid: { type: 'boolean' }, isWayBackLink: { type: 'boolean' }, match: text, order: { type: 'integer' }, timestamp: text,
      })),
    })),
    relationships: arrayOf(object(['spdxElementId', 'relationshipType', 'relatedSpdxElement'], {
      spdxElementId: elementRef, relatedSpdxElement: elementRef, relationshipType: { enum: RELATIONSHIP_TYPES }, comment: text,
    })),
    revieweds: arrayOf(object(['reviewDate'], { reviewDate: time, reviewer: text, comment: text })),
  }),
} as const;
