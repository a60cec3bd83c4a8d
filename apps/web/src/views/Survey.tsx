/**
 * The weak-credential survey over /api/survey (analyst or admin): runs with their progress,
 * findings by ISP, notification batches and their states, and the effectiveness indicators
 * month over month (the measure the task force asked for).
 */
import { useI18n } from '../lib/i18n.js';
import type { Row } from '../lib/data.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption } from '../components/charts.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { SURVEY } from './endpoints.js';

const WHAT = 'survey';

interface Run { id: string; kind: string; startedAt: number; finishedAt?: number; scope: string[]; stats: Record<string, number> }
export interface IspIndicators { isp: string; found: number; notified: number; fixed: number; stillWeak: number; fixedAfterNotice: number; fixRate: number | null; medianDaysToFix: number | null; meanDaysToFix: number | null }
interface Batch { id: string; isp: string; state: 'prepared' | 'sent' | 'acknowledged'; createdAt: number; sentAt?: number; acknowledgedAt?: number; items: number }
export interface MonthIndicators { month: string; newFindings: number; weakObserved: number; notified: number; fixed: number; weakChange: number | null }
export interface Effectiveness { overall: IspIndicators; byIsp: IspIndicators[]; months: MonthIndicators[] }

/** A run's progress: done when finished; otherwise addresses done of the scope's total if the stats say. */
export function runProgress(run: Run): number | null {
  if (run.finishedAt) return 100;
  const done = run.stats.addressesDone ?? run.stats.addresses ?? run.stats.scanned;
  const total = run.stats.addressesTotal ?? run.stats.total;
  return done !== undefined && total ? Math.min(100, (100 * done) / total) : null;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v <= 1 ? v * 100 : v);

function Runs() {
  const { t, num, date } = useI18n();
  const loaded = useApi<Run[]>(`${SURVEY.runs}?limit=20`);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
      {(d) => (
        <DataTable caption={t('survey.runs')} rows={d as unknown as Row[]} rowKey={(r) => String(r.id)} columns={[
          { key: 'kind', label: t('survey.kind') },
          { key: 'startedAt', label: t('survey.started'), render: (r) => date(r.startedAt as number) },
          { key: 'progress', label: t('survey.progress'), render: (r) => {
            const p = runProgress(r as unknown as Run);
            return p === null ? t('survey.running') : <progress max={100} value={p} aria-label={`${t('survey.progress')} ${num(p)}%`}>{num(p)}%</progress>;
          } },
          { key: 'scope', label: t('survey.scope'), render: (r) => (r.scope as string[]).slice(0, 3).join(', ') + ((r.scope as string[]).length > 3 ? ' …' : '') },
          { key: 'stats', label: t('survey.stats'), render: (r) => Object.entries(r.stats as Record<string, number>).slice(0, 5).map(([k, v]) => `${k} ${num(v)}`).join(' · ') },
        ]} />
      )}
    </Loadable>
  );
}

function ByIsp() {
  const { t, num } = useI18n();
  const loaded = useApi<IspIndicators[]>(SURVEY.isps);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
      {(d) => (
        <>
          <Chart title={t('survey.byIsp')} option={{
            ...barOption(d.slice(0, 12).map((r) => r.isp), [], { horizontal: true }),
            legend: { top: 0 },
            series: [
              { type: 'bar', stack: 'isp', name: t('survey.stillWeak'), data: d.slice(0, 12).map((r) => r.stillWeak) },
              { type: 'bar', stack: 'isp', name: t('survey.fixed'), data: d.slice(0, 12).map((r) => r.fixed) },
            ],
          }} height={Math.max(200, 60 + Math.min(d.length, 12) * 28)} />
          <DataTable caption={t('survey.byIsp')} rows={d as unknown as Row[]} columns={[
            { key: 'isp', label: 'ISP' },
            { key: 'found', label: t('survey.found'), numeric: true },
            { key: 'notified', label: t('survey.notified'), numeric: true },
            { key: 'fixed', label: t('survey.fixed'), numeric: true },
            { key: 'stillWeak', label: t('survey.stillWeak'), numeric: true },
            { key: 'fixRate', label: `${t('survey.fixRate')} (%)`, numeric: true, render: (r) => num(pct(r.fixRate as number | null), 1) },
            { key: 'medianDaysToFix', label: t('survey.timeToFix'), numeric: true, render: (r) => num(r.medianDaysToFix as number | null, 1) },
          ]} />
        </>
      )}
    </Loadable>
  );
}

function Batches() {
  const { t, date } = useI18n();
  const loaded = useApi<Batch[]>(SURVEY.batches);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
      {(d) => (
        <DataTable caption={t('survey.batches')} rows={d as unknown as Row[]} rowKey={(r) => String(r.id)} columns={[
          { key: 'isp', label: 'ISP' },
          { key: 'state', label: t('common.status'), render: (r) => t(`survey.state.${r.state as Batch['state']}`) },
          { key: 'items', label: t('survey.devices'), numeric: true },
          { key: 'createdAt', label: t('survey.prepared'), render: (r) => date(r.createdAt as number) },
          { key: 'sentAt', label: t('survey.sent'), render: (r) => date(r.sentAt as number | undefined) },
          { key: 'acknowledgedAt', label: t('survey.acknowledged'), render: (r) => date(r.acknowledgedAt as number | undefined) },
        ]} />
      )}
    </Loadable>
  );
}

function Trend() {
  const { t, num } = useI18n();
  const loaded = useApi<Effectiveness>(SURVEY.effectiveness);
  return (
    <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.months.length === 0 && d.overall.found === 0}>
      {(d) => (
        <>
          <dl className="figures">
            <div><dt>{t('survey.found')}</dt><dd>{num(d.overall.found)}</dd></div>
            <div><dt>{t('survey.notified')}</dt><dd>{num(d.overall.notified)}</dd></div>
            <div><dt>{t('survey.fixed')}</dt><dd>{num(d.overall.fixed)}</dd></div>
            <div><dt>{t('survey.stillWeak')}</dt><dd>{num(d.overall.stillWeak)}</dd></div>
            <div><dt>{t('survey.fixRate')}</dt><dd>{d.overall.fixRate === null ? '—' : `${num(pct(d.overall.fixRate), 1)}%`}</dd></div>
            <div><dt>{t('survey.timeToFix')}</dt><dd>{num(d.overall.medianDaysToFix, 1)}</dd></div>
          </dl>
          <Chart title={t('survey.trend')} option={{
            grid: { left: 56, right: 16, top: 36, bottom: 40, containLabel: true },
            tooltip: { trigger: 'axis' },
            legend: { top: 0 },
            xAxis: { type: 'category', data: d.months.map((m) => m.month) },
            yAxis: { type: 'value' },
            series: [
              { type: 'bar', name: t('survey.newFindings'), data: d.months.map((m) => m.newFindings) },
              { type: 'line', name: t('survey.weakObserved'), data: d.months.map((m) => m.weakObserved) },
              { type: 'line', name: t('survey.notified'), data: d.months.map((m) => m.notified) },
              { type: 'line', name: t('survey.fixed'), data: d.months.map((m) => m.fixed) },
            ],
          }} />
          <DataTable caption={t('survey.trend')} rows={d.months as unknown as Row[]} columns={[
            { key: 'month', label: t('survey.month') },
            { key: 'newFindings', label: t('survey.newFindings'), numeric: true },
            { key: 'weakObserved', label: t('survey.weakObserved'), numeric: true },
            { key: 'notified', label: t('survey.notified'), numeric: true },
            { key: 'fixed', label: t('survey.fixed'), numeric: true },
            { key: 'weakChange', label: t('survey.weakChange'), numeric: true },
          ]} />
        </>
      )}
    </Loadable>
  );
}

export default function Survey() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('survey.title')}</h1>
      <div className="grid">
        <Panel title={t('survey.trend')} id="trend" wide><Trend /></Panel>
        <Panel title={t('survey.byIsp')} id="by-isp"><ByIsp /></Panel>
        <Panel title={t('survey.batches')} id="batches"><Batches /></Panel>
        <Panel title={t('survey.runs')} id="runs" wide><Runs /></Panel>
      </div>
    </>
  );
}
