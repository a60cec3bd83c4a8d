/**
 * Advisories for the hub: when a listed product gains a critical vulnerability (new data,
 * or a new SBOM), publish `mamori.supply.advisory` once per (product, vulnerability). The
 * sent table makes it once-only across runs and processes.
 */
import type { Bus, Store } from '@mamori/core';
import { listProducts } from '../store/list.js';
import type { SupplyTables } from '../store/migrations.js';
import type { VulnMatch } from '../vulns/model.js';
import { productVulns } from './product-vulns.js';

export const ADVISORY_SUBJECT = 'mamori.supply.advisory';

export interface SupplyAdvisory {
  type: 'supply-advisory';
  product: { id: string; manufacturer: string; model: string; kind: string };
  vulnerability: Pick<VulnMatch, 'id' | 'aliases' | 'summary' | 'severity' | 'name' | 'version' | 'fixed' | 'path'>;
  at: number;
}

/** `productIds` limits the run to those products (the demo announces only its own). */
export async function publishNewAdvisories(store: Store, bus: Bus, now = Date.now(), options: { productIds?: string[] } = {}): Promise<SupplyAdvisory[]> {
  const k = store.as<SupplyTables>();
  const published: SupplyAdvisory[] = [];
  for (const p of await listProducts(store, { status: 'listed' })) {
    if (options.productIds && !options.productIds.includes(p.id)) continue;
    const matches = await productVulns(store, p);
    const critical = matches.filter((m) => m.severity?.rating === 'critical');
    if (critical.length === 0) continue;
    const sent = new Set((await k.selectFrom('supply_advisory_sent').select('vuln_id').where('product_id', '=', p.id).execute()).map((r) => r.vuln_id));
    for (const m of critical) {
      if (sent.has(m.id)) continue;
      sent.add(m.id);
      const advisory: SupplyAdvisory = {
        type: 'supply-advisory', at: now,
        product: { id: p.id, manufacturer: p.manufacturer, model: p.model, kind: p.kind },
        vulnerability: { id: m.id, aliases: m.aliases, summary: m.summary, severity: m.severity, name: m.name, version: m.version, fixed: m.fixed, path: m.path },
      };
      // Recorded first: a crash between the two loses one advisory rather than repeating it forever.
      await k.insertInto('supply_advisory_sent').values({ product_id: p.id, vuln_id: m.id, at: now }).onConflict((oc) => oc.columns(['product_id', 'vuln_id']).doNothing()).execute();
      await bus.publish(ADVISORY_SUBJECT, advisory);
      published.push(advisory);
    }
  }
  return published;
}
