/**
 * Supply → STIX: a critical vulnerability in a product on the trusted list becomes the
 * vulnerability, the product as software with a `has` link to it, and an advisory report
 * over the three. Ids come from the product and the vulnerability, so an advisory already
 * published is recognised and not published again.
 */
import { statisticsReport, vulnerableProduct } from '@mamori/hub';
import type { ListedProduct, VulnMatch } from '@mamori/supply';
import type { StixObject } from './unique.js';

export interface ListedVulnerability {
  product: Pick<ListedProduct, 'id' | 'manufacturer' | 'model'>;
  vulnerability: VulnMatch;
}

const CVE = /^CVE-\d{4}-\d{4,}$/;

/** The id of the advisory report for a product and a vulnerability. */
export function advisoryKey(v: ListedVulnerability): string {
  return `supply-advisory|${v.product.id}|${v.vulnerability.id}`;
}

export function supplyToStix(v: ListedVulnerability, published: Date): StixObject[] {
  const m = v.vulnerability;
  const cve = [m.id, ...m.aliases].find((a) => CVE.test(a));
  const [software, vulnerability, has] = vulnerableProduct({
    cve: cve ?? m.id, source: cve ? 'cve' : 'mamori-supply', product: { name: v.product.model, vendor: v.product.manufacturer }, published,
    description: m.summary,
  });
  const where = m.component === v.product.id ? '' : ` (component ${m.name} ${m.version}${m.path?.length ? ` via ${m.path.join(' → ')}` : ''})`;
  const fixed = m.fixed.length ? ` Fixed in ${m.fixed.join(', ')}.` : ' No fixed version is known.';
  const report = statisticsReport({
    key: advisoryKey(v), name: `Critical vulnerability ${cve ?? m.id} in listed product ${v.product.manufacturer} ${v.product.model}`,
    description: `${m.summary ?? m.id}${where}.${fixed}`, published, objectRefs: [software.id as string, vulnerability.id as string, has.id as string],
    reportTypes: ['vulnerability'],
  });
  return [software, vulnerability, has, report];
}
