/** STIX 2.1 store, validation, pattern grammar and TAXII 2.1 server/client support. */
export * from './tlp.js';
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
