/** STIX 2.1 store, validation, pattern grammar and TAXII 2.1 server/client support. */
export { tlpOfMarking, tlpOfRefs, readTlp, strictestOf, tlp2MarkingDefinition, TLP2_MARKINGS, TLP1_MARKINGS, STIX_TLP_LEVELS, type StixTlp } from './tlp.js';
export { parseStixTimestamp, formatMicros, nowMicros, type StixTime } from './timestamp.js';
export { canonicalJson } from './canonical-json.js';
export { deterministicScoId, uuidv5, SCO_NAMESPACE, ID_CONTRIBUTING } from './sco-id.js';
export * from './pattern/index.js';
export {
  validateObject, validateObjects, assertValidStix, versionOf, DEFAULT_VALIDATION_LIMITS,
  type StixProblem, type ValidationLimits, type EnvelopeValidation,
} from './validate/validate.js';
export { SCO_TYPES, KNOWN_TYPES, stixSchema } from './validate/schemas.js';
export { sampleIndicator, sampleIpv4, sampleAddress } from './samples.js';
export { effectiveTlp, redactGranular, applyTlp } from './markings.js';
export { stixMigrations } from './store/migrations.js';
export type { StixTables } from './store/tables.js';
export {
  StixStore, type StixCollection, type NewCollection, type AddContext, type AddOutcome, type AddResult, type PagePosition,
  type VersionMatch, type ReadNarrowing, type ObjectQuery, type StoredObject, type ObjectPage, type StatusResource,
} from './store/stix-store.js';
export { extractValues, type ExtractedValue } from './store/values.js';
export { countingStore, type CountingStore } from './store/counting.js';
export { TAXII_MEDIA_TYPE, STIX_MEDIA_TYPE, acceptsTaxii, isTaxiiContentType } from './taxii/media.js';
export { encodeCursor, decodeCursor, queryDigest } from './taxii/cursor.js';
export { parseTaxiiQuery, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type TaxiiFilter, type RawQuery } from './taxii/params.js';
export type { TaxiiAccess, ObjectAccessFacts, TaxiiAuditEvent } from './taxii/access.js';
export { hubTaxiiAccess, collectionSharing } from './taxii/hub-access.js';
export { TaxiiService, type TaxiiServiceOptions, type PageAnswer, type Envelope, type ManifestRecord } from './taxii/service.js';
export { createTaxiiService, loadCursorKey, taxiiConfigSchema, type TaxiiConfig } from './taxii/setup.js';
export { taxiiErrorOf, type TaxiiError } from './taxii/errors.js';
export { TaxiiClient, type TaxiiClientOptions, type TaxiiCollectionInfo, type ObjectsQuery, type ObjectsPage, type TaxiiStatus } from './client/taxii-client.js';
export {
  pullCollection, pushObjects, pushCollection, batchesFor, pullKey,
  type PullOptions, type PullPosition, type PullProgress, type PushOptions, type PushProgress,
} from './client/sync.js';
export { publishStix, STIX_PUBLISHED_SUBJECT, type PublishOptions } from './publish.js';
export {
  addressObject, addressIndicator, observation, commandAndControl, vulnerableProduct, statisticsReport, relationship, portActivityIndicator,
  type AddressIndicatorInput, type ObservationInput, type C2Input, type VulnerableProductInput, type StatisticsReportInput,
  type RelationshipInput, type PortActivityInput,
} from './producers.js';
