/** Weak-credential survey: runs with progress, findings by ISP, notification batches, fix-rate trends. */
import { asList, pick, pickNum, pickStr, toMs, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption, timeSeriesOption } from '../components/charts.js';
import { DataTable, columnsOf } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { SURVEY } from './endpoints.js';

const WHAT = 'survey';

function progressOf(r: Row): number | null {
  const direct = pickNum(r, 'progress');
  if (direct !== null) return direct <= 1 ? direct * 100 : direct;
  const done = pickNum(r, 'addressesDone', 'done', 'scanned');
  const total = pickNum(r, 'addressesTotal', 'total');
  return done !== null && total ? (100 * done) / total : null;
}

export default function Survey() {
  const { t, num, date } = useI18n();
  const runs = useApi<unknown>(SURVEY.runs);
  const byIsp = useApi<unknown>(SURVEY.byIsp);
  const batches = useApi<unknown>(SURVEY.batches);
  const trend = useApi<unknown>(SURVEY.trend);
  return (
    <>
      <h1>{t('survey.title')}</h1>
      <div className="grid">
        <Panel title={t('survey.runs')} id="runs" wide>
          <Loadable loaded={runs} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
            {(d) => (
              <DataTable caption={t('survey.runs')} rows={asList(d)} columns={[
                { key: 'id', label: 'ID', render: (r) => pickStr(r, 'id', 'runId') },
                { key: 'status', label: t('common.status'), render: (r) => pickStr(r, 'status', 'state') },
                { key: 'started', label: t('common.time'), render: (r) => date(toMs(pick(r, 'startedAt', 'started', 'createdAt'))) },
                { key: 'progress', label: t('survey.progress'), render: (r) => {
                  const p = progressOf(r);
                  return p === null ? '—' : <progress max={100} value={p} aria-label={`${t('survey.progress')} ${num(p, 0)}%`}>{num(p, 0)}%</progress>;
                } },
                { key: 'findings', label: t('survey.found'), numeric: true, render: (r) => num(pickNum(r, 'findings', 'found', 'weak')) },
              ]} />
            )}
          </Loadable>
        </Panel>
        <Panel title={t('survey.byIsp')} id="by-isp">
          <Loadable loaded={byIsp} what={WHAT} isEmpty={(d) => asList(d, 'isps').length === 0}>
            {(d) => {
              const rows = asList(d, 'isps');
              const nameOf = (r: Row) => pickStr(r, 'isp', 'name', 'ispName', 'asn');
              return (
                <>
                  <Chart title={t('survey.byIsp')} option={barOption(rows.slice(0, 12).map(nameOf), rows.slice(0, 12).map((r) => pickNum(r, 'found', 'findings', 'devices') ?? 0), { horizontal: true, name: t('survey.found') })} />
                  <DataTable caption={t('survey.byIsp')} rows={rows} columns={[
                    { key: 'isp', label: 'ISP', render: nameOf },
                    { key: 'found', label: t('survey.found'), numeric: true, render: (r) => num(pickNum(r, 'found', 'findings', 'devices')) },
                    { key: 'notified', label: t('survey.notified'), numeric: true, render: (r) => num(pickNum(r, 'notified')) },
                    { key: 'fixed', label: t('survey.fixed'), numeric: true, render: (r) => num(pickNum(r, 'fixed')) },
                    { key: 'stillWeak', label: t('survey.stillWeak'), numeric: true, render: (r) => num(pickNum(r, 'stillWeak', 'open')) },
                  ]} />
                </>
              );
            }}
          </Loadable>
        </Panel>
        <Panel title={t('survey.batches')} id="batches">
          <Loadable loaded={batches} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
            {(d) => <DataTable caption={t('survey.batches')} rows={asList(d)} columns={columnsOf(asList(d), 7)} />}
          </Loadable>
        </Panel>
        <Panel title={t('survey.trend')} id="trend" wide>
          <Loadable loaded={trend} what={WHAT} isEmpty={(d) => asList(d, 'months').length === 0}>
            {(d) => {
              const rows = asList(d, 'months');
              const at = (r: Row) => toMs(pick(r, 'month', 'period', 'bucket', 'time')) ?? 0;
              const line = (key: string, ...names: string[]) => ({ name: key, points: rows.map((r) => [at(r), pickNum(r, ...names) ?? 0] as [number, number]) });
              return (
                <>
                  <Chart title={t('survey.trend')} option={timeSeriesOption([
                    line(t('survey.found'), 'found', 'findings'),
                    line(t('survey.notified'), 'notified'),
                    line(t('survey.fixed'), 'fixed'),
                  ])} />
                  <Chart title={t('survey.fixRate')} option={timeSeriesOption([
                    { name: `${t('survey.fixRate')} %`, points: rows.map((r) => { const f = pickNum(r, 'fixRate'); return [at(r), f === null ? 0 : f <= 1 ? f * 100 : f] as [number, number]; }) },
                    line(t('survey.timeToFix'), 'medianDaysToFix', 'daysToFix', 'timeToFixDays'),
                  ])} height={220} />
                </>
              );
            }}
          </Loadable>
        </Panel>
      </div>
    </>
  );
}
