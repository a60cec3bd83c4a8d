/**
 * The procurement check: is this product (or this SBOM, or this manufacturer/model) on the
 * trusted list, current, meeting its criteria, and free of open vulnerabilities? The
 * verdict is pure policy over facts gathered by `gatherFacts` (the only part doing I/O).
 */
import type { Store } from '@mamori/core';
import type { Sbom } from '../sbom/model.js';
import { getCriteria, findProduct, getProduct, type Criterion, type ListedProduct } from '../store/list.js';
import type { VulnMatch } from '../vulns/model.js';
import { productVulns } from './product-vulns.js';

export type Verdict = 'pass' | 'caution' | 'fail';

export interface CheckQuery {
  productId?: string;
  manufacturer?: string;
  model?: string;
  /** The version being bought, checked against the versions the assessment covers. */
  version?: string;
  /** An SBOM supplied with the question (the candidate's own), matched as well as any stored one. */
  sbom?: Sbom;
}

export interface CheckFacts {
  product?: ListedProduct;
  criteria?: Criterion[];
  vulns: VulnMatch[];
  now: number;
  query: CheckQuery;
}

export interface CheckResult {
  verdict: Verdict;
  listed: boolean;
  product?: Pick<ListedProduct, 'id' | 'kind' | 'manufacturer' | 'model' | 'versions' | 'status' | 'statusReason' | 'assessor' | 'criteriaVersion' | 'assessedAt' | 'expiresAt'>;
  openVulns: VulnMatch[];
  unmetCriteria: Criterion[];
  reasons: string[];
}

export async function gatherFacts(store: Store, query: CheckQuery, now = Date.now()): Promise<CheckFacts> {
  let product: ListedProduct | undefined;
  if (query.productId) product = await getProduct(store, query.productId);
  else if (query.manufacturer && query.model) product = await findProduct(store, query.manufacturer, query.model);
  const criteria = product ? (await getCriteria(store, product.criteriaVersion))?.criteria : undefined;
  const vulns = await productVulns(store, product, query.sbom ? [query.sbom] : []);
  return { product, criteria, vulns, now, query };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Policy: fail on anything that rules the purchase out, caution on what a buyer must weigh. */
export function decide(f: CheckFacts): CheckResult {
  const fail: string[] = [];
  const caution: string[] = [];
  const p = f.product;
  if (!p) {
    const what = f.query.productId ?? (f.query.manufacturer ? `${f.query.manufacturer} ${f.query.model ?? ''}`.trim() : 'the SBOM\'s product');
    caution.push(`${what} is not on the trusted list: its supply-chain risk has not been assessed`);
  } else {
    if (p.status === 'withdrawn') fail.push(`withdrawn from the list${p.statusReason ? `: ${p.statusReason}` : ''}`);
    else if (p.status === 'suspended') fail.push(`listing suspended${p.statusReason ? `: ${p.statusReason}` : ''}`);
    if (p.expiresAt <= f.now) fail.push(`assessment by ${p.assessor} expired on ${day(p.expiresAt)}`);
    if (f.query.version && !p.versions.includes('*') && !p.versions.includes(f.query.version)) {
      caution.push(`version ${f.query.version} is not covered by the assessment (assessed: ${p.versions.join(', ')})`);
    }
  }
  const met = new Set(p?.criteriaMet ?? []);
  const unmet = (f.criteria ?? []).filter((c) => !met.has(c.id));
  for (const c of unmet) (c.required ? fail : caution).push(`${c.required ? 'required' : 'optional'} criterion ${c.id} (${c.title}) not met under catalogue ${p?.criteriaVersion}`);
  const by = (r: string): VulnMatch[] => f.vulns.filter((v) => v.severity?.rating === r);
  const critical = by('critical');
  const high = by('high');
  if (critical.length) fail.push(`${critical.length} critical vulnerabilit${critical.length === 1 ? 'y' : 'ies'} open: ${critical.slice(0, 5).map((v) => `${v.id} in ${v.name}@${v.version}`).join(', ')}`);
  if (high.length) caution.push(`${high.length} high-severity vulnerabilit${high.length === 1 ? 'y' : 'ies'} open`);
  const rest = f.vulns.length - critical.length - high.length;
  if (rest > 0) caution.push(`${rest} other vulnerabilit${rest === 1 ? 'y' : 'ies'} open (medium, low or unrated)`);
  const verdict: Verdict = fail.length ? 'fail' : caution.length ? 'caution' : 'pass';
  const reasons = [...fail, ...caution];
  if (verdict === 'pass' && p) reasons.push(`listed, assessed by ${p.assessor} on ${day(p.assessedAt)} against ${p.criteriaVersion}, valid until ${day(p.expiresAt)}; no open vulnerabilities known`);
  return {
    verdict, listed: p?.status === 'listed', openVulns: f.vulns, unmetCriteria: unmet, reasons,
    product: p && {
      id: p.id, kind: p.kind, manufacturer: p.manufacturer, model: p.model, versions: p.versions, status: p.status, statusReason: p.statusReason,
      assessor: p.assessor, criteriaVersion: p.criteriaVersion, assessedAt: p.assessedAt, expiresAt: p.expiresAt,
    },
  };
}

export async function checkProcurement(store: Store, query: CheckQuery, now = Date.now()): Promise<CheckResult> {
  return decide(await gatherFacts(store, query, now));
}
