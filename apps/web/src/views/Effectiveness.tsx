/**
 * The half-year progress view (S12): each measure's indicators per half-year of the Japanese
 * fiscal year, from the parts' aggregate routes (never raw tables). A measure whose part is
 * missing says so; a measure with no data yet says how to load demo data.
 */
import { request, withQuery } from '../lib/api.js';
import type { Row } from '../lib/data.js';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { byHalfYear, halfYearKey, halfYearLabel, halfYearOf, type HalfYear } from '../lib/periods.js';
import { useLoader } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { FLOWS, HUB, SUPPLY, SURVEY, TELESCOPE } from './endpoints.js';
import type { Effectiveness as SurveyEffectiveness } from './Survey.js';

/** One indicator's value per half-year. */
export interface IndicatorSeries {
  label: MessageKey;
  values: Map<string, number | null>;
}

interface MeasureData {
  periods: HalfYear[];
  indicators: IndicatorSeries[];
}

interface Measure {
  id: string;
  label: MessageKey;
  what: string;
  load(signal: AbortSignal): Promise<MeasureData>;
}

/** The current half-year and the `n - 1` before it, oldest first. */
export function recentHalfYears(nowMs: number, n: number): { period: HalfYear; startMs: number; endMs: number }[] {
  const out: { period: HalfYear; startMs: number; endMs: number }[] = [];
  let { fiscalYear, half } = halfYearOf(nowMs);
  for (let i = 0; i < n; i++) {
    const startMs = Date.UTC(half === 1 ? fiscalYear : fiscalYear, half === 1 ? 3 : 9, 1);
    const endMs = Date.UTC(half === 1 ? fiscalYear : fiscalYear + 1, half === 1 ? 9 : 3, 1);
    out.unshift({ period: { fiscalYear, half }, startMs, endMs });
    if (half === 2) half = 1;
    else { half = 2; fiscalYear -= 1; }
  }
  return out;
}

const monthMs = (m: string) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1);

export function surveyMeasure(data: SurveyEffectiveness): MeasureData {
  const pick = (f: (m: SurveyEffectiveness['months'][number]) => number) => data.months.map((m) => [monthMs(m.month), f(m)] as [number, number]);
  const series = (label: MessageKey, points: [number, number][], how: 'sum' | 'last'): IndicatorSeries =>
    ({ label, values: new Map(byHalfYear(points, how).map((h) => [halfYearKey(h.period), h.value])) });
  const indicators = [
    series('survey.newFindings', pick((m) => m.newFindings), 'sum'),
    series('survey.weakObserved', pick((m) => m.weakObserved), 'last'),
    series('survey.notified', pick((m) => m.notified), 'sum'),
    series('survey.fixed', pick((m) => m.fixed), 'sum'),
  ];
  const periods = new Map<string, HalfYear>();
  for (const m of data.months) { const h = halfYearOf(monthMs(m.month)); periods.set(halfYearKey(h), h); }
  return { periods: [...periods.values()].sort((a, b) => halfYearKey(a).localeCompare(halfYearKey(b))), indicators };
}

interface TelescopeSummary { packets: number; victims: number; alerts: number; infected: number }
interface HubSummary { total: number; bySeverity: Record<string, number>; byStatus: Record<string, number>; byTlp: Record<string, number> }
interface FlowsSummary { runs: number; candidates: number; strong: number; hosts: number; beaconingHosts: number }
interface SupplySummary { listed: number; added: number; openVulns: number; criticalOpen: number; advisories: number }

/** The half-year as the window parameters the telescope, flows and supply routes take. */
const isoWindow = (h: { startMs: number; endMs: number }) => ({ since: new Date(h.startMs).toISOString(), until: new Date(h.endMs).toISOString() });

/** A measure from one aggregate per recent half-year: the half-years with data, and each indicator read off the aggregate. */
async function perHalfYear<T>(aggregate: (h: { startMs: number; endMs: number }) => Promise<T>, has: (t: T) => boolean, read: [MessageKey, (t: T) => number][]): Promise<MeasureData> {
  const halves = recentHalfYears(Date.now(), 4);
  const sums = await Promise.all(halves.map((h) => aggregate(h)));
  const used = halves.map((h, i) => ({ ...h, s: sums[i] })).filter((h) => has(h.s));
  return {
    periods: used.map((h) => h.period),
    indicators: read.map(([label, f]) => ({ label, values: new Map(used.map((h) => [halfYearKey(h.period), f(h.s)])) })),
  };
}

const MEASURES: Measure[] = [
  {
    id: 'notice', label: 'eff.notice', what: 'survey',
    load: async (signal) => surveyMeasure(await request<SurveyEffectiveness>(SURVEY.effectiveness, { signal })),
  },
  {
    id: 'telescope', label: 'eff.telescope', what: 'telescope',
    // One aggregate per half-year: the API sums its rollups, the page never sees raw packets.
    load: (signal) => perHalfYear<TelescopeSummary>(
      (h) => request(withQuery(TELESCOPE.summary, isoWindow(h)), { signal }),
      (s) => s.packets > 0,
      [['telescope.packets', (s) => s.packets], ['telescope.victimsCount', (s) => s.victims], ['telescope.alertsCount', (s) => s.alerts], ['telescope.infected', (s) => s.infected]],
    ),
  },
  {
    id: 'hub', label: 'eff.hub', what: 'hub',
    // The hub counts, per window, the reports this user may read (TLP and sharing as everywhere).
    load: (signal) => perHalfYear<HubSummary>(
      (h) => {
        const until = Math.min(h.endMs, Date.now());
        return request(withQuery(HUB.dashboard, { days: Math.max(1, Math.ceil((until - h.startMs) / 86_400_000)), until }), { signal });
      },
      (s) => s.total > 0,
      [
        ['eff.reports', (s) => s.total],
        ['eff.severe', (s) => Object.entries(s.bySeverity).reduce((n, [level, c]) => n + (Number(level) >= 3 ? c : 0), 0)],
        ['eff.relayed', (s) => s.byStatus.relayed ?? 0],
        ['eff.public', (s) => s.byTlp.CLEAR ?? 0],
      ],
    ),
  },
  {
    id: 'flows', label: 'eff.flows', what: 'flows',
    // Detection runs whose traffic ended in the half-year; a candidate or host seen in several runs counts once.
    // Strong candidates, not the whole ranked list: its length is the detection's limit, not a finding.
    load: (signal) => perHalfYear<FlowsSummary>(
      (h) => request(withQuery(FLOWS.summary, isoWindow(h)), { signal }),
      (s) => s.runs > 0,
      [['eff.ccCandidates', (s) => s.strong], ['eff.ccHosts', (s) => s.hosts], ['eff.ccBeaconing', (s) => s.beaconingHosts], ['eff.detectionRuns', (s) => s.runs]],
    ),
  },
  {
    id: 'supply', label: 'eff.supply', what: 'supply',
    // The list as it stood at each half-year's end (for the current half-year: as it stands now), from its history.
    load: (signal) => perHalfYear<SupplySummary>(
      (h) => request(withQuery(SUPPLY.summary, isoWindow(h)), { signal }),
      (s) => s.listed > 0 || s.added > 0 || s.advisories > 0,
      [['eff.listed', (s) => s.listed], ['eff.openVulns', (s) => s.openVulns], ['eff.criticalOpen', (s) => s.criticalOpen], ['eff.supplyAdvisories', (s) => s.advisories]],
    ),
  },
];

function MeasurePanel({ measure }: { measure: Measure }) {
  const { t, lang, num } = useI18n();
  const loaded = useLoader(measure.load, [measure]);
  const title = t(measure.label);
  return (
    <Panel title={title} id={`measure-${measure.id}`} wide>
      <Loadable loaded={loaded} what={measure.what} isEmpty={(d) => d.periods.length === 0}>
        {(d) => {
          const keys = d.periods.map(halfYearKey);
          const labels = d.periods.map((p) => halfYearLabel(p, lang));
          const rows: Row[] = d.indicators.map((i) => ({ indicator: t(i.label), ...Object.fromEntries(keys.map((k) => [k, i.values.get(k) ?? null])) }));
          return (
            <>
              <Chart title={title} option={{
                grid: { left: 56, right: 16, top: 36, bottom: 40, containLabel: true },
                tooltip: { trigger: 'axis' },
                legend: { type: 'scroll', top: 0 },
                xAxis: { type: 'category', data: labels },
                yAxis: { type: 'value' },
                series: d.indicators.map((i) => ({ name: t(i.label), type: 'line', data: keys.map((k) => i.values.get(k) ?? null) })),
              }} height={240} summary={labels.join(', ')} />
              <DataTable caption={title} rows={rows} columns={[
                { key: 'indicator', label: t('eff.indicator') },
                ...keys.map((k, i) => ({ key: k, label: labels[i], numeric: true, render: (r: Row) => num(r[k] as number | null, 1) })),
              ]} />
            </>
          );
        }}
      </Loadable>
    </Panel>
  );
}

export default function Effectiveness() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('eff.title')}</h1>
      <p className="intro">{t('eff.intro')}</p>
      <div className="grid">
        {MEASURES.map((m) => <MeasurePanel key={m.id} measure={m} />)}
      </div>
    </>
  );
}
