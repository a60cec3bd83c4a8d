/**
 * The live stream (server-sent events): every server subscribes to the bus subject
 * `mamori.hub.report.published`, so with NATS each connected client gets each report once
 * whichever server published it. Each event passes `canRead` for the stream's principal.
 */
import { canRead, type Principal } from '../access/policy.js';
import { auditReads, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import type { SectorId } from '../model/sectors.js';
import { reportProtection, type Report } from '../reports/model.js';
import { loadReport } from '../reports/repo.js';
import { reportView } from '../reports/lifecycle.js';

export const PUBLISHED_SUBJECT = 'mamori.hub.report.published';

export interface LiveFilter {
  sectors?: SectorId[];
  minSeverity?: number;
}

export async function subscribeLive(hub: HubContext, p: Principal, actor: Actor, filter: LiveFilter, onReport: (r: Report) => void): Promise<() => Promise<void>> {
  const sub = await hub.bus.subscribe(PUBLISHED_SUBJECT, async (msg) => {
    const { id } = msg.json<{ id: string }>();
    if (typeof id !== 'string') return;
    const report = await loadReport(hub.db, id).then((x) => x.report, () => null);
    if (!report || !canRead(p, reportProtection(report))) return;
    if (filter.sectors?.length && !filter.sectors.includes(report.sector)) return;
    if (filter.minSeverity !== undefined && report.severity < filter.minSeverity) return;
    const view = reportView(p, report);
    try {
      await auditReads(hub, actor, 'report', [view], 'sse');
    } catch (e) {
      hub.log.warn({ err: e }, 'hub: could not audit a live read; not sending it');
      return;
    }
    onReport(view);
  });
  return () => sub.unsubscribe();
}
