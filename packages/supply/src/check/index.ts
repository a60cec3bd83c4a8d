export { checkProcurement, gatherFacts, decide, type CheckQuery, type CheckFacts, type CheckResult, type Verdict } from './procurement.js';
export { createFingerprintMatcher, matchDeviceFingerprint, nameDevices, type FingerprintMatch, type DeviceProduct } from './fingerprint.js';
export { publishNewAdvisories, ADVISORY_SUBJECT, type SupplyAdvisory } from './advisory.js';
export { listSummary, listAsOf, type ListSummary } from './summary.js';
export { productVulns } from './product-vulns.js';
