/**
 * Item claims: the store side of "one item is surveyed by one worker at a time". JetStream
 * delivers at least once — a message that waits past its ack wait goes to a second worker
 * while the first may still hold it — and a survey item run twice at once would double every
 * per-host budget of the run. So a worker surveys an item only while it holds the item's
 * claim: a lease it takes atomically, renews with each heartbeat, and loses if it stops
 * renewing (a dead or frozen worker), so another worker can take the item over.
 *
 * Leases are compared against the claimer's clock; workers are expected to run NTP, and a
 * lease lasts several heartbeats, far beyond any sane skew.
 */
import type { Kysely } from 'kysely';
import type { Store } from '@mamori/core';
import type { SurveyTables } from '../store/migrations.js';

export type ClaimResult = { held: true } | { held: false; holder: string; leaseUntil: number };

const db = (store: Store): Kysely<SurveyTables> => store.as<SurveyTables>();

/** Takes the item's claim unless another holder's lease is still running. One statement, so two claimers cannot both win. */
export async function claimItem(store: Store, runId: string, item: string, holder: string, leaseMs: number, now = Date.now()): Promise<ClaimResult> {
  await db(store).insertInto('survey_dist_claim')
    .values({ run_id: runId, item, holder, claimed_at: now, lease_until: now + leaseMs })
    .onConflict((oc) => oc.columns(['run_id', 'item'])
      .doUpdateSet({ holder, claimed_at: now, lease_until: now + leaseMs })
      .where('survey_dist_claim.lease_until', '<', now))
    .execute();
  const row = await db(store).selectFrom('survey_dist_claim').select(['holder', 'lease_until'])
    .where('run_id', '=', runId).where('item', '=', item).executeTakeFirstOrThrow();
  return row.holder === holder ? { held: true } : { held: false, holder: row.holder, leaseUntil: Number(row.lease_until) };
}

/** Extends the holder's lease; false when the claim is no longer this holder's (it was taken over). */
export async function renewClaim(store: Store, runId: string, item: string, holder: string, leaseMs: number, now = Date.now()): Promise<boolean> {
  const r = await db(store).updateTable('survey_dist_claim').set({ lease_until: now + leaseMs })
    .where('run_id', '=', runId).where('item', '=', item).where('holder', '=', holder)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives the claim up (the item failed and will be redelivered): another worker may take it at once. */
export async function releaseClaim(store: Store, runId: string, item: string, holder: string): Promise<void> {
  await db(store).deleteFrom('survey_dist_claim').where('run_id', '=', runId).where('item', '=', item).where('holder', '=', holder).execute();
}
