/**
 * The half-year progress view (S12): for each measure, its indicators per half-year, from the
 * parts' aggregate routes (never raw tables). A measure whose part is missing says so.
 */
import { asList, pick, pickNum, toMs, type Row } from '../lib/data.js';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { byHalfYear, halfYearKey, halfYearLabel, type HalfYear } from '../lib/periods.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { SURVEY, TELESCOPE } from './endpoints.js';

interface Indicator {
  label: MessageKey;
  how: 'sum' | 'last';
  /** Points (epoch ms, value) read from the answer. */
  read(data: unknown): [number, number][];
  percent?: boolean;
}

interface Measure {
  id: string;
  label: MessageKey;
  what: string;
  path: string;
  indicators: Indicator[];
}

const at = (r: Row) => toMs(pick(r, 'month', 'period', 'bucket', 'time', 't', 'day'));
const series = (listKey: string, ...fields: string[]) => (data: unknown): [number, number][] =>
  asList(data, listKey).flatMap((r) => {
    const t = at(r);
    const v = pickNum(r, ...fields);
    return t === null || v === null ? [] : [[t, v] as [number, number]];
  });

const MEASURES: Measure[] = [
  {
    id: 'notice', label: 'eff.notice', what: 'survey', path: SURVEY.trend,
    indicators: [
      { label: 'survey.found', how: 'sum', read: series('months', 'found', 'findings') },
      { label: 'survey.notified', how: 'sum', read: series('months', 'notified') },
      { label: 'survey.fixed', how: 'sum', read: series('months', 'fixed') },
      { label: 'survey.fixRate', how: 'last', percent: true, read: (d) => series('months', 'fixRate')(d).map(([t, v]) => [t, v <= 1 ? v * 100 : v]) },
      { label: 'survey.timeToFix', how: 'last', read: series('months', 'medianDaysToFix', 'daysToFix', 'timeToFixDays') },
    ],
  },
  {
    id: 'telescope', label: 'eff.telescope', what: 'telescope', path: `${TELESCOPE.series}?since=730d&bucket=1d`,
    indicators: [
      { label: 'telescope.packets', how: 'sum', read: series('series', 'packets', 'count') },
    ],
  },
];

function MeasurePanel({ measure }: { measure: Measure }) {
  const { t, lang, num } = useI18n();
  const loaded = useApi<unknown>(measure.path);
  const title = t(measure.label);
  return (
    <Panel title={title} id={`measure-${measure.id}`} wide>
      <Loadable loaded={loaded} what={measure.what} isEmpty={(d) => measure.indicators.every((i) => i.read(d).length === 0)}>
        {(d) => {
          const perIndicator = measure.indicators.map((i) => ({ i, halves: byHalfYear(i.read(d), i.how) }));
          const periods = new Map<string, HalfYear>();
          for (const { halves } of perIndicator) for (const h of halves) periods.set(halfYearKey(h.period), h.period);
          const ordered = [...periods.entries()].sort((a, b) => a[0].localeCompare(b[0]));
          const rows: Row[] = perIndicator.map(({ i, halves }) => {
            const row: Row = { indicator: t(i.label) + (i.percent ? ' (%)' : '') };
            for (const h of halves) row[halfYearKey(h.period)] = h.value;
            return row;
          });
          const labels = ordered.map(([, p]) => halfYearLabel(p, lang));
          return (
            <>
              <Chart title={title} option={{
                grid: { left: 56, right: 16, top: 36, bottom: 40, containLabel: true },
                tooltip: { trigger: 'axis' },
                legend: { type: 'scroll', top: 0 },
                xAxis: { type: 'category', data: labels },
                yAxis: { type: 'value' },
                series: rows.map((r) => ({ name: String(r.indicator), type: 'line', data: ordered.map(([k]) => (typeof r[k] === 'number' ? r[k] : null)) })),
              }} height={240} />
              <DataTable caption={title} rows={rows} columns={[
                { key: 'indicator', label: t('eff.indicator') },
                ...ordered.map(([k, p]) => ({ key: k, label: halfYearLabel(p, lang), numeric: true, render: (r: Row) => num(typeof r[k] === 'number' ? (r[k] as number) : null, 1) })),
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
