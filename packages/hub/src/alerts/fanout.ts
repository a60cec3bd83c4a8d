/**
 * Publication → alerts, inside the publishing transaction (a transactional outbox): one
 * outbox row per webhook/e-mail subscription whose owner may read the report, and a page for
 * the coordinator's on-call list when the report is severe enough. Two servers on one
 * database therefore never send an alert twice, and a crash never loses one.
 */
import type { Kysely } from 'kysely';
import { canRead } from '../access/policy.js';
import { principalOf } from '../auth/principal.js';
import type { HubContext } from '../context.js';
import type { HubTables } from '../model/tables.js';
import { reportProtection, type Report } from '../reports/model.js';

export async function enqueueAlerts(hub: HubContext, trx: Kysely<HubTables>, report: Report): Promise<number> {
  const subs = await trx.selectFrom('hub_subscription').selectAll().where('active', '=', 1).where('channel', 'in', ['webhook', 'email']).where('min_severity', '<=', report.severity).execute();
  const now = hub.now();
  const rows = [];
  for (const s of subs) {
    const sectors = JSON.parse(s.sectors) as string[];
    if (sectors.length && !sectors.includes(report.sector)) continue;
    const p = await principalOf(hub, s.user_id, ['read'], 'token', undefined, trx).catch(() => null);
    if (!p || !canRead(p, reportProtection(report))) continue;
    rows.push({ subscription_id: s.id, report_id: report.id, event: 'report.published', attempts: 0, next_at: now, status: 'pending', last_error: null, lease_until: 0, created_at: now, delivered_at: null });
  }
  if (rows.length) await trx.insertInto('hub_outbox').values(rows).execute();
  return rows.length;
}

/** Opens a page when the report reaches the paging threshold and the first on-call person may read it. */
export async function openPageIfSevere(hub: HubContext, trx: Kysely<HubTables>, report: Report): Promise<string | null> {
  if (report.severity < hub.config.paging.minSeverity) return null;
  const oncall = await trx.selectFrom('hub_oncall').selectAll().orderBy('position').execute();
  let readable = false;
  for (const e of oncall) {
    const p = await principalOf(hub, e.user_id, ['read'], 'token', undefined, trx).catch(() => null);
    if (p && canRead(p, reportProtection(report))) { readable = true; break; }
  }
  if (!readable) return null;
  const id = hub.newId();
  // level -1 and due now: the dispatcher's first step notifies position 0 at once.
  await trx.insertInto('hub_page').values({ id, report_id: report.id, level: -1, status: 'open', opened_at: hub.now(), next_escalation_at: hub.now(), acked_by: null, acked_at: null, lease_until: 0 }).execute();
  return id;
}
