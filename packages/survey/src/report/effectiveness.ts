/**
 * The indicators the task force asked for: per ISP and overall, devices found, notified,
 * fixed and still weak, time from notification to fix, and the month-over-month trend.
 * Loads the rows once and computes in memory (pure `computeEffectiveness` below), which
 * stays cheap at NOTICE's scale (≈10^5 findings).
 */
import type { Kysely } from 'kysely';
import type { Store } from '@mamori/core';
import type { SurveyTables } from '../store/migrations.js';

export interface IspIndicators {
  isp: string;
  found: number;
  notified: number;
  fixed: number;
  stillWeak: number;
  /** Fixed after their notification was sent. */
  fixedAfterNotice: number;
  /** fixed / notified among notified devices (0..1), null when none notified. */
  fixRate: number | null;
  medianDaysToFix: number | null;
  meanDaysToFix: number | null;
}

export interface MonthIndicators {
  month: string;
  newFindings: number;
  /** Distinct devices seen weak in the month (by any survey or re-survey). */
  weakObserved: number;
  notified: number;
  fixed: number;
  /** Change of `weakObserved` against the previous month (null for the first). */
  weakChange: number | null;
}

export interface Effectiveness {
  overall: IspIndicators;
  byIsp: IspIndicators[];
  months: MonthIndicators[];
}

export interface EffectivenessInput {
  findings: { id: number; isp: string | null; status: string; firstSeen: number; fixedAt: number | null }[];
  /** First time each finding's notification was sent. */
  sentAt: Map<number, number>;
  observations: { findingId: number; at: number; result: string }[];
}

const DAY = 86_400_000;
const month = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

function indicators(isp: string, rows: EffectivenessInput['findings'], sentAt: Map<number, number>): IspIndicators {
  const notifiedRows = rows.filter((r) => sentAt.has(r.id));
  const fixedAfter = notifiedRows.filter((r) => r.status === 'fixed' && r.fixedAt !== null && r.fixedAt >= sentAt.get(r.id)!);
  const days = fixedAfter.map((r) => (r.fixedAt! - sentAt.get(r.id)!) / DAY).sort((a, b) => a - b);
  const median = days.length === 0 ? null : days.length % 2 ? days[(days.length - 1) / 2] : (days[days.length / 2 - 1] + days[days.length / 2]) / 2;
  const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 100) / 100);
  return {
    isp,
    found: rows.length,
    notified: notifiedRows.length,
    fixed: rows.filter((r) => r.status === 'fixed').length,
    stillWeak: rows.filter((r) => r.status === 'weak').length,
    fixedAfterNotice: fixedAfter.length,
    fixRate: notifiedRows.length ? round(notifiedRows.filter((r) => r.status === 'fixed').length / notifiedRows.length) : null,
    medianDaysToFix: round(median),
    meanDaysToFix: round(days.length ? days.reduce((a, b) => a + b, 0) / days.length : null),
  };
}

export function computeEffectiveness(input: EffectivenessInput): Effectiveness {
  const byIspMap = new Map<string, EffectivenessInput['findings']>();
  for (const f of input.findings) {
    const k = f.isp ?? '(unattributed)';
    byIspMap.set(k, [...(byIspMap.get(k) ?? []), f]);
  }
  const months = new Map<string, { newFindings: number; weak: Set<number>; notified: number; fixed: number }>();
  const m = (key: string): { newFindings: number; weak: Set<number>; notified: number; fixed: number } => {
    let v = months.get(key);
    if (!v) { v = { newFindings: 0, weak: new Set(), notified: 0, fixed: 0 }; months.set(key, v); }
    return v;
  };
  for (const f of input.findings) {
    m(month(f.firstSeen)).newFindings++;
    if (f.status === 'fixed' && f.fixedAt !== null) m(month(f.fixedAt)).fixed++;
  }
  for (const at of input.sentAt.values()) m(month(at)).notified++;
  for (const o of input.observations) if (o.result === 'weak') m(month(o.at)).weak.add(o.findingId);
  const ordered = [...months.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    overall: indicators('(all)', input.findings, input.sentAt),
    byIsp: [...byIspMap.entries()].map(([isp, rows]) => indicators(isp, rows, input.sentAt)).sort((a, b) => b.found - a.found || a.isp.localeCompare(b.isp)),
    months: ordered.map(([key, v], i) => ({
      month: key, newFindings: v.newFindings, weakObserved: v.weak.size, notified: v.notified, fixed: v.fixed,
      weakChange: i === 0 ? null : v.weak.size - ordered[i - 1][1].weak.size,
    })),
  };
}

export async function effectiveness(store: Store): Promise<Effectiveness> {
  const db = store.as<SurveyTables>() as Kysely<SurveyTables>;
  const findings = await db.selectFrom('survey_finding').select(['id', 'isp', 'status', 'first_seen', 'fixed_at']).execute();
  const sent = await db.selectFrom('survey_batch_item').innerJoin('survey_batch', 'survey_batch.id', 'survey_batch_item.batch_id')
    .select(['finding_id', 'sent_at']).where('sent_at', 'is not', null).execute();
  const observations = await db.selectFrom('survey_observation').select(['finding_id', 'at', 'result']).execute();
  const sentAt = new Map<number, number>();
  for (const s of sent) {
    const id = Number(s.finding_id);
    const at = Number(s.sent_at);
    if (!sentAt.has(id) || at < sentAt.get(id)!) sentAt.set(id, at);
  }
  return computeEffectiveness({
    findings: findings.map((f) => ({ id: Number(f.id), isp: f.isp, status: f.status, firstSeen: Number(f.first_seen), fixedAt: f.fixed_at === null ? null : Number(f.fixed_at) })),
    sentAt,
    observations: observations.map((o) => ({ findingId: Number(o.finding_id), at: Number(o.at), result: o.result })),
  });
}
