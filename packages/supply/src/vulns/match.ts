import { dependencyPaths } from '../sbom/graph.js';
import type { Sbom } from '../sbom/model.js';
import type { SeverityRating } from './cvss.js';
import type { VulnMatch } from './model.js';
import type { VulnIndex } from './vuln-index.js';

const RANK: Record<SeverityRating | 'unknown', number> = { critical: 4, high: 3, medium: 2, low: 1, none: 0, unknown: -1 };

export function severityRank(m: Pick<VulnMatch, 'severity'>): number {
  return RANK[m.severity?.rating ?? 'unknown'];
}

/** Every vulnerable component of an SBOM with its path from the product; worst first. */
export function matchSbom(sbom: Sbom, index: VulnIndex): VulnMatch[] {
  const out: VulnMatch[] = [];
  for (const c of sbom.components) for (const m of index.match(c)) out.push(m);
  if (out.length > 0) {
    const paths = dependencyPaths(sbom);
    for (const m of out) m.path = paths.pathTo(m.component);
  }
  return out.sort((a, b) => severityRank(b) - severityRank(a) || (b.severity?.score ?? 0) - (a.severity?.score ?? 0) || a.id.localeCompare(b.id));
}
