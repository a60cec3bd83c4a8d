/**
 * The trusted list over time, for the half-year progress view: what the list said at the end
 * of a range (from the history snapshots, so a product suspended or withdrawn since still
 * counts where it was listed), what was added in it, the vulnerabilities open in the
 * products listed then, and the critical-vulnerability advisories sent in it.
 *
 * Vulnerability records carry no reliable "known since" date, so open vulnerabilities are
 * those the data held now finds in the versions (SBOM, CPE) each product had at that time:
 * exposure by today's knowledge, not what was known then.
 */
import { sql } from 'kysely';
import type { Store } from '@mamori/core';
import type { ListedProduct } from '../store/list.js';
import type { SupplyTables } from '../store/migrations.js';
import { productVulns } from './product-vulns.js';

export interface ListSummary {
  /** Products and services with status `listed` at the range's end. */
  listed: number;
  /** Products and services added to the list in the range. */
  added: number;
  /** Distinct (product, vulnerability) pairs open in the products listed at the end. */
  openVulns: number;
  /** Of those, rated critical. */
  criticalOpen: number;
  /** Products listed at the end with at least one open vulnerability. */
  productsWithVulns: number;
  /** Critical-vulnerability advisories published to the hub in the range. */
  advisories: number;
}

/** The list as it stood just before `at`: each product's latest history snapshot. */
export async function listAsOf(store: Store, at: number): Promise<ListedProduct[]> {
  const k = store.as<SupplyTables>();
  // History ids grow with time and a product's `at` never goes back, so its latest row is its max id.
  const latest = k.selectFrom('supply_product_history').select(sql<number>`max(id)`.as('id')).where('at', '<', at).groupBy('product_id');
  const rows = await k.selectFrom('supply_product_history').select('snapshot').where('id', 'in', latest).execute();
  return rows.map((r) => JSON.parse(r.snapshot) as ListedProduct);
}

export async function listSummary(store: Store, range: { from: number; to: number }): Promise<ListSummary> {
  const k = store.as<SupplyTables>();
  const listed = (await listAsOf(store, range.to)).filter((p) => p.status === 'listed');
  let openVulns = 0;
  let criticalOpen = 0;
  let productsWithVulns = 0;
  for (const p of listed) {
    const open = await productVulns(store, p);
    openVulns += open.length;
    criticalOpen += open.filter((m) => m.severity?.rating === 'critical').length;
    if (open.length) productsWithVulns++;
  }
  const added = await k.selectFrom('supply_product_history').select(sql<number>`count(*)`.as('n'))
    .where('action', '=', 'added').where('at', '>=', range.from).where('at', '<', range.to).executeTakeFirstOrThrow();
  const advisories = await k.selectFrom('supply_advisory_sent').select(sql<number>`count(*)`.as('n'))
    .where('at', '>=', range.from).where('at', '<', range.to).executeTakeFirstOrThrow();
  return { listed: listed.length, added: Number(added.n), openVulns, criticalOpen, productsWithVulns, advisories: Number(advisories.n) };
}
