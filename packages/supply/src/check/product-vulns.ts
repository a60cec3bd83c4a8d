/**
 * The vulnerabilities open in one product version, found the same way by the procurement
 * check, the advisories and the list summary: its SBOM's components, plus its own CPE as a
 * one-component SBOM, plus any SBOM the caller brings. One match per vulnerability id (the
 * most severe first, SBOM before CPE), so a CVE found both by purl and by CPE counts once.
 */
import type { Store } from '@mamori/core';
import type { ListedProduct } from '../store/list.js';
import { loadSbom } from '../store/sboms.js';
import { loadIndexFor } from '../store/vulns.js';
import type { Sbom } from '../sbom/model.js';
import { matchSbom } from '../vulns/match.js';
import type { VulnMatch } from '../vulns/model.js';

export type ProductRef = Pick<ListedProduct, 'id' | 'model' | 'cpe' | 'sbomId'>;

const cpeSbom = (p: ProductRef & { cpe: string }): Sbom => ({
  format: 'cyclonedx', encoding: 'json', specVersion: '-', root: p.id,
  components: [{ ref: p.id, name: p.model, cpe: p.cpe }], dependencies: new Map(), issues: [],
});

export async function productVulns(store: Store, p: ProductRef | undefined, extra: Sbom[] = []): Promise<VulnMatch[]> {
  const sboms = [...extra];
  if (p?.sbomId) sboms.push(await loadSbom(store, p.sbomId));
  if (p?.cpe) sboms.push(cpeSbom({ ...p, cpe: p.cpe }));
  const byId = new Map<string, VulnMatch>();
  for (const s of sboms) {
    for (const m of matchSbom(s, await loadIndexFor(store, s.components))) if (!byId.has(m.id)) byId.set(m.id, m);
  }
  return [...byId.values()];
}
