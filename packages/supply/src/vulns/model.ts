import type { SeverityRating } from './cvss.js';

export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface AffectedRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  events: RangeEvent[];
}

/** One affected package of an OSV record (or one CPE criterion of an NVD record). */
export interface AffectedPackage {
  ecosystem: string;
  name: string;
  ranges: AffectedRange[];
  versions: string[];
}

/** A CPE criterion from an NVD CVE record: vendor and product, an exact version or bounds. */
export interface AffectedCpe {
  part: string;
  vendor: string;
  product: string;
  /** Exact version from the criterion, or undefined for "any" with bounds below. */
  version?: string;
  startIncluding?: string;
  startExcluding?: string;
  endIncluding?: string;
  endExcluding?: string;
}

export interface Severity {
  rating: SeverityRating;
  score?: number;
  vector?: string;
  /** Where the rating came from: a CVSS vector or the database's own label. */
  source: 'cvss3' | 'cvss4' | 'database';
}

export interface VulnRecord {
  id: string;
  source: 'osv' | 'nvd';
  modified: string;
  aliases: string[];
  summary?: string;
  severity?: Severity;
  affected: AffectedPackage[];
  cpes: AffectedCpe[];
}

/** A component found vulnerable, with the way to it and the way out of it. */
export interface VulnMatch {
  id: string;
  aliases: string[];
  summary?: string;
  severity?: Severity;
  component: string;
  name: string;
  version: string;
  /** purl or CPE the match was made on. */
  matchedOn: string;
  /** Versions that fix it (from `fixed` events after the component's version). */
  fixed: string[];
  /** From the product to the component (refs), when matched against an SBOM. */
  path?: string[];
}
