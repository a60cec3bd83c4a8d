/** Darknet observation: live rate, series by protocol/port, top lists, port × time heat map, victims, alerts. */
import { useEffect, useMemo, useState } from 'react';
import { withQuery } from '../lib/api.js';
import { asList, pick, pickNum, pickStr, pivot, toMs, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { streamEvents } from '../lib/sse.js';
import { classify, useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption, heatmapOption, timeSeriesOption } from '../components/charts.js';
import { DataTable, columnsOf } from '../components/DataTable.js';
import { SinceSelect } from '../components/SinceSelect.js';
import { Loadable, Panel } from '../components/States.js';
import { TELESCOPE } from './endpoints.js';

const WHAT = 'telescope';
const timeOf = (r: Row) => toMs(pick(r, 'bucket', 'time', 't', 'ts', 'start', 'bucketStart'));
const packetsOf = (r: Row) => pickNum(r, 'packets', 'count', 'pkts', 'value');

function LivePanel() {
  const { t, num } = useI18n();
  const [points, setPoints] = useState<[number, number][]>([]);
  const [state, setState] = useState<'waiting' | 'live' | 'unavailable' | 'error'>('waiting');
  useEffect(() => {
    const ctrl = new AbortController();
    streamEvents(TELESCOPE.live, (e) => {
      try {
        const body = JSON.parse(e.data) as Row;
        const rate = pickNum(body, 'pps', 'packetsPerSecond', 'rate', 'packets');
        if (rate === null) return;
        const at = toMs(pick(body, 'time', 't', 'ts')) ?? Date.now();
        setState('live');
        setPoints((p) => [...p.slice(-119), [at, rate]]);
      } catch {
        /* a keep-alive or an event of another kind */
      }
    }, ctrl.signal).catch((err: unknown) => {
      if (ctrl.signal.aborted) return;
      setState(classify(err).unavailable ? 'unavailable' : 'error');
    });
    return () => ctrl.abort();
  }, []);
  const option = useMemo(() => timeSeriesOption([{ name: t('telescope.packets'), points }], { area: true }), [points, t]);
  const last = points.at(-1)?.[1];
  return (
    <Panel title={t('telescope.live')} id="live" wide>
      {state === 'unavailable' && <p className="state state-unavailable" data-state="unavailable">{t('telescope.liveUnavailable')}</p>}
      {state === 'error' && <p className="state state-error">{t('state.error', { message: 'stream closed' })}</p>}
      {state === 'waiting' && <p className="muted" role="status">{t('telescope.liveWaiting')}</p>}
      {state === 'live' && (
        <>
          <p className="big" aria-live="polite" data-testid="live-rate">{t('telescope.liveNow', { rate: num(last ?? 0, 1) })}</p>
          <Chart title={t('telescope.live')} option={option} height={180} />
        </>
      )}
    </Panel>
  );
}

function SeriesPanel({ since, by }: { since: string; by: 'proto' | 'port' }) {
  const { t } = useI18n();
  const title = `${t('telescope.series')} — ${t(by === 'proto' ? 'telescope.byProto' : 'telescope.byPort')}`;
  const loaded = useApi<unknown>(withQuery(TELESCOPE.series, { since, by }));
  return (
    <Panel title={title} id={`series-${by}`}>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
        {(d) => {
          const p = pivot(asList(d), timeOf, (r) => pickStr(r, by, by === 'proto' ? 'protocol' : 'dstPort', 'key'), packetsOf);
          return <Chart title={title} option={timeSeriesOption(p.series.map((s) => ({ name: s.name, points: p.times.map((tm, i) => [tm, s.values[i]] as [number, number]) })), { stacked: true, area: true })} />;
        }}
      </Loadable>
    </Panel>
  );
}

function TopPanel({ since, kind }: { since: string; kind: 'ports' | 'sources' }) {
  const { t, num } = useI18n();
  const title = t(kind === 'ports' ? 'telescope.topPorts' : 'telescope.topSources');
  const loaded = useApi<unknown>(withQuery(kind === 'ports' ? TELESCOPE.topPorts : TELESCOPE.topSources, { since, limit: 20 }));
  const keyOf = (r: Row) => (kind === 'ports' ? `${pickStr(r, 'port', 'dstPort', 'key')}${r.proto || r.protocol ? '/' + pickStr(r, 'proto', 'protocol') : ''}` : pickStr(r, 'source', 'src', 'address', 'ip', 'key'));
  return (
    <Panel title={title} id={`top-${kind}`}>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
        {(d) => {
          const rows = asList(d).slice(0, 20);
          return (
            <>
              <Chart title={title} option={barOption(rows.slice(0, 10).map(keyOf), rows.slice(0, 10).map((r) => packetsOf(r) ?? 0), { horizontal: true, name: t('telescope.packets') })} height={260} />
              <DataTable caption={title} rows={rows} columns={[
                { key: 'key', label: kind === 'ports' ? t('telescope.port') : t('telescope.source'), render: keyOf },
                { key: 'packets', label: t('telescope.packets'), numeric: true, render: (r) => num(packetsOf(r)) },
                { key: 'sources', label: t('telescope.sources'), numeric: true, render: (r) => num(pickNum(r, 'sources', 'uniqueSources', 'srcs')) },
              ]} />
            </>
          );
        }}
      </Loadable>
    </Panel>
  );
}

function HeatmapPanel({ since }: { since: string }) {
  const { t, date } = useI18n();
  const loaded = useApi<unknown>(withQuery(TELESCOPE.heatmap, { since, ports: 20 }));
  return (
    <Panel title={t('telescope.heatmap')} id="heatmap" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d, 'cells').length === 0}>
        {(d) => {
          const rows = asList(d, 'cells');
          const p = pivot(rows, timeOf, (r) => pickStr(r, 'port', 'dstPort', 'key'), packetsOf, 20);
          const cells: [number, number, number][] = [];
          p.series.forEach((s, y) => s.values.forEach((v, x) => cells.push([x, y, v])));
          return <Chart title={t('telescope.heatmap')} option={heatmapOption(p.times.map((tm) => date(tm)), p.series.map((s) => s.name), cells)} height={420} />;
        }}
      </Loadable>
    </Panel>
  );
}

function ListPanel({ title, id, path, since }: { title: string; id: string; path: string; since: string }) {
  const loaded = useApi<unknown>(withQuery(path, { since, limit: 50 }));
  return (
    <Panel title={title} id={id} wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
        {(d) => <DataTable caption={title} rows={asList(d)} columns={columnsOf(asList(d), 9)} />}
      </Loadable>
    </Panel>
  );
}

export default function Telescope() {
  const { t } = useI18n();
  const [since, setSince] = useState('24h');
  return (
    <>
      <h1>{t('telescope.title')}</h1>
      <div className="toolbar"><SinceSelect value={since} onChange={setSince} /></div>
      <div className="grid">
        <LivePanel />
        <SeriesPanel since={since} by="proto" />
        <SeriesPanel since={since} by="port" />
        <TopPanel since={since} kind="ports" />
        <TopPanel since={since} kind="sources" />
        <HeatmapPanel since={since} />
        <ListPanel title={t('telescope.countries')} id="countries" path={TELESCOPE.countries} since={since} />
        <ListPanel title={t('telescope.victims')} id="victims" path={TELESCOPE.victims} since={since} />
        <ListPanel title={t('telescope.alerts')} id="alerts" path={TELESCOPE.alerts} since={since} />
      </div>
    </>
  );
}
