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
