export type { VulnRecord, VulnMatch, Severity, AffectedPackage, AffectedCpe, AffectedRange, RangeEvent } from './model.js';
export { parseCvss, ratingOf, type CvssScore, type SeverityRating } from './cvss.js';
export { parseOsvRecord } from './osv.js';
export { parseNvdCve, parseNvdFeed } from './nvd.js';
export { VulnIndex, matchLinear } from './vuln-index.js';
export { matchSbom, severityRank } from './match.js';
export { readVulnSource, parseVulnText, MAX_RECORD_BYTES, type ImportProblem } from './source.js';
