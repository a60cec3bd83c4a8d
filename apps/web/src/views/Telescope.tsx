/**
 * Darknet observation over /api/telescope: live packet rate (SSE), packets over time by
 * protocol and by the busiest ports, top ports and sources, the port × time heat map,
 * backscatter victims and scan-campaign alerts. Every figure is an aggregate the API computes.
 */
import { useEffect, useMemo, useState } from 'react';
import { request, withQuery } from '../lib/api.js';
import { pickNum, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { streamEvents } from '../lib/sse.js';
import { classify, useApi, type Loaded } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption, heatmapOption, timeSeriesOption, worldMapOption } from '../components/charts.js';
import { DataTable } from '../components/DataTable.js';
import { SinceSelect } from '../components/SinceSelect.js';
import { Loadable, Panel } from '../components/States.js';
import { TELESCOPE } from './endpoints.js';

const WHAT = 'telescope';

interface SeriesPoint { bucketMs: number; packets: number; bytes: number; sources: number }
interface TopPort { proto: string; port: number; packets: number; bytes: number; peakSources: number }
interface TopSource { src: string; packets: number; bytes: number; synScan: number; backscatter: number; fingerprint: string | null; firstMs: number; lastMs: number }
interface Heatmap { buckets: number[]; ports: { proto: string; port: number }[]; packets: number[][] }
interface Victim { victim: string; firstMs: number; lastMs: number; packets: number; ports: string[]; observedPps: number; estimatedAttackPps: number | null }
interface Alert { id: number; bucketMs: number; proto: string; port: number; sources: number; baselineMean: number; packets: number }
interface Summary { packets: number; bytes: number; byClass: Record<string, number>; victims: number; alerts: number; infected: number; firstBucketMs: number | null; lastBucketMs: number | null }

const portName = (p: { proto: string; port: number }) => `${p.port}/${p.proto}`;

function LivePanel() {
  const { t, num } = useI18n();
  const [points, setPoints] = useState<[number, number][]>([]);
  const [state, setState] = useState<'waiting' | 'live' | 'unavailable' | 'error'>('waiting');
  useEffect(() => {
    const ctrl = new AbortController();
    streamEvents(TELESCOPE.live, (e) => {
      let body: Row;
      try { body = JSON.parse(e.data) as Row; } catch { return; }
      // `rate`: packets/s of a running ingest; `interval`: a finished bucket (its own rate).
      let at: number | null = null;
      let rate: number | null = null;
      if (e.event === 'rate') {
        at = pickNum(body, 'atMs') ?? Date.now();
        rate = pickNum(body, 'packetsPerSecond');
      } else if (e.event === 'interval') {
        const start = pickNum(body, 'startMs');
        const end = pickNum(body, 'endMs');
        const packets = pickNum(body, 'packets');
        if (start !== null && end !== null && packets !== null && end > start) { at = end; rate = packets / ((end - start) / 1000); }
      }
      if (at === null || rate === null) return;
      setState('live');
      setPoints((p) => [...p.slice(-119), [at, rate]]);
    }, ctrl.signal).catch((err: unknown) => {
      if (!ctrl.signal.aborted) setState(classify(err).unavailable ? 'unavailable' : 'error');
    });
    return () => ctrl.abort();
  }, []);
  const option = useMemo(() => timeSeriesOption([{ name: t('telescope.packets'), points }], { area: true }), [points, t]);
  return (
    <Panel title={t('telescope.live')} id="live" wide>
      {state === 'unavailable' && <p className="state state-unavailable" data-state="unavailable">{t('telescope.liveUnavailable')}</p>}
      {state === 'error' && <p className="state state-error">{t('state.error', { message: 'event stream closed' })}</p>}
      {state === 'waiting' && <p className="muted" data-state="waiting">{t('telescope.liveWaiting')}</p>}
      {state === 'live' && (
        <>
          <p className="big" aria-live="polite" data-testid="live-rate">{t('telescope.liveNow', { rate: num(points.at(-1)?.[1] ?? 0, 1) })}</p>
          <Chart title={t('telescope.live')} option={option} height={180} />
        </>
      )}
    </Panel>
  );
}

function SummaryPanel({ since }: { since: string }) {
  const { t, num, date } = useI18n();
  const loaded = useApi<Summary>(withQuery(TELESCOPE.summary, { since }));
  return (
    <Panel title={t('telescope.summary')} id="summary" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => !d.packets}>
        {(d) => (
          <dl className="figures">
            <div><dt>{t('telescope.packets')}</dt><dd>{num(d.packets)}</dd></div>
            <div><dt>{t('telescope.victimsCount')}</dt><dd>{num(d.victims)}</dd></div>
            <div><dt>{t('telescope.alertsCount')}</dt><dd>{num(d.alerts)}</dd></div>
            <div><dt>{t('telescope.infected')}</dt><dd>{num(d.infected)}</dd></div>
            <div><dt>{t('telescope.window')}</dt><dd>{date(d.firstBucketMs)} – {date(d.lastBucketMs)}</dd></div>
          </dl>
        )}
      </Loadable>
    </Panel>
  );
}

/** Several aggregate series, one request each (a handful: protocols, or the top ports). */
function useSeries(since: string, by: 'proto' | 'port'): Loaded<{ name: string; points: [number, number][] }[]> {
  const [loaded, setLoaded] = useState<Loaded<{ name: string; points: [number, number][] }[]>>({ state: 'loading' });
  useEffect(() => {
    const ctrl = new AbortController();
    setLoaded({ state: 'loading' });
    (async () => {
      const keys: { name: string; proto: string; port?: number }[] = by === 'proto'
        ? ['tcp', 'udp', 'icmp', 'icmpv6'].map((p) => ({ name: p.toUpperCase(), proto: p }))
        : (await request<TopPort[]>(withQuery(TELESCOPE.topPorts, { since, limit: 6 }), { signal: ctrl.signal })).filter((p) => p.proto === 'tcp' || p.proto === 'udp').map((p) => ({ name: portName(p), proto: p.proto, port: p.port }));
      const series = await Promise.all(keys.map(async (k) => {
        const pts = await request<SeriesPoint[]>(withQuery(TELESCOPE.timeseries, { since, proto: k.proto, port: k.port }), { signal: ctrl.signal });
        return { name: k.name, points: pts.map((p) => [p.bucketMs, p.packets] as [number, number]) };
      }));
      return series.filter((s) => s.points.some(([, v]) => v > 0));
    })().then(
      (data) => setLoaded({ state: 'ready', data }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        const error = classify(e);
        setLoaded({ state: error.unavailable ? 'unavailable' : error.status === 401 ? 'unauthorised' : error.status === 403 ? 'forbidden' : 'error', error });
      },
    );
    return () => ctrl.abort();
  }, [since, by]);
  return loaded;
}

function SeriesPanel({ since, by }: { since: string; by: 'proto' | 'port' }) {
  const { t } = useI18n();
  const title = `${t('telescope.series')} — ${t(by === 'proto' ? 'telescope.byProto' : 'telescope.byPort')}`;
  const loaded = useSeries(since, by);
  return (
    <Panel title={title} id={`series-${by}`}>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
        {(d) => <Chart title={title} option={timeSeriesOption(d, { stacked: true, area: true, yName: t('telescope.packets') })} summary={d.map((s) => s.name).join(', ')} />}
      </Loadable>
    </Panel>
  );
}

function TopPortsPanel({ since }: { since: string }) {
  const { t } = useI18n();
  const title = t('telescope.topPorts');
  const loaded = useApi<TopPort[]>(withQuery(TELESCOPE.topPorts, { since, limit: 20 }));
  return (
    <Panel title={title} id="top-ports">
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
        {(d) => (
          <>
            <Chart title={title} option={barOption(d.slice(0, 10).map(portName), d.slice(0, 10).map((r) => r.packets), { horizontal: true, name: t('telescope.packets') })} height={260} />
            <DataTable caption={title} rows={d as unknown as Row[]} columns={[
              { key: 'port', label: t('telescope.port'), render: (r) => portName(r as unknown as TopPort) },
              { key: 'packets', label: t('telescope.packets'), numeric: true },
              { key: 'peakSources', label: t('telescope.peakSources'), numeric: true },
            ]} />
          </>
        )}
      </Loadable>
    </Panel>
  );
}

function TopSourcesPanel({ since }: { since: string }) {
  const { t } = useI18n();
  const title = t('telescope.topSources');
  const loaded = useApi<TopSource[]>(withQuery(TELESCOPE.topSources, { since, limit: 20 }));
  return (
    <Panel title={title} id="top-sources">
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
        {(d) => (
          <DataTable caption={title} rows={d as unknown as Row[]} columns={[
            { key: 'src', label: t('telescope.source'), render: (r) => <code>{String(r.src)}</code> },
            { key: 'packets', label: t('telescope.packets'), numeric: true },
            { key: 'synScan', label: t('telescope.synScan'), numeric: true },
            { key: 'backscatter', label: t('telescope.backscatter'), numeric: true },
            { key: 'fingerprint', label: t('telescope.fingerprint'), render: (r) => (r.fingerprint ? String(r.fingerprint) : '—') },
          ]} />
        )}
      </Loadable>
    </Panel>
  );
}

function HeatmapPanel({ since }: { since: string }) {
  const { t } = useI18n();
  const loaded = useApi<Heatmap>(withQuery(TELESCOPE.heatmap, { since, limit: 20 }));
  const timeFmt = new Intl.DateTimeFormat(undefined, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  return (
    <Panel title={t('telescope.heatmap')} id="heatmap" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.buckets.length === 0 || d.ports.length === 0}>
        {(d) => {
          const cells: [number, number, number][] = [];
          d.packets.forEach((row, y) => row.forEach((v, x) => cells.push([x, y, v])));
          return <Chart title={t('telescope.heatmap')} option={heatmapOption(d.buckets.map((b) => timeFmt.format(b)), d.ports.map(portName), cells)} height={Math.max(260, 60 + d.ports.length * 22)} summary={d.ports.slice(0, 5).map(portName).join(', ')} />;
        }}
      </Loadable>
    </Panel>
  );
}

function VictimsPanel({ since }: { since: string }) {
  const { t, num, date } = useI18n();
  const title = t('telescope.victims');
  const loaded = useApi<Victim[]>(withQuery(TELESCOPE.victims, { since, limit: 50 }));
  return (
    <Panel title={title} id="victims" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
        {(d) => (
          <DataTable caption={title} rows={d as unknown as Row[]} columns={[
            { key: 'victim', label: t('telescope.victim'), render: (r) => <code>{String(r.victim)}</code> },
            { key: 'firstMs', label: t('telescope.from'), render: (r) => date(r.firstMs as number) },
            { key: 'lastMs', label: t('telescope.to'), render: (r) => date(r.lastMs as number) },
            { key: 'packets', label: t('telescope.packets'), numeric: true },
            { key: 'ports', label: t('telescope.attackedPorts'), render: (r) => (r.ports as string[]).slice(0, 6).join(', ') },
            { key: 'estimatedAttackPps', label: t('telescope.estimatedPps'), numeric: true, render: (r) => num(r.estimatedAttackPps as number | null) },
          ]} />
        )}
      </Loadable>
    </Panel>
  );
}

function AlertsPanel({ since }: { since: string }) {
  const { t, num, date } = useI18n();
  const title = t('telescope.alerts');
  const loaded = useApi<Alert[]>(withQuery(TELESCOPE.alerts, { since, limit: 100 }));
  return (
    <Panel title={title} id="alerts" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.length === 0}>
        {(d) => (
          <DataTable caption={title} rows={d as unknown as Row[]} columns={[
            { key: 'bucketMs', label: t('common.time'), render: (r) => date(r.bucketMs as number) },
            { key: 'port', label: t('telescope.port'), render: (r) => portName(r as unknown as Alert) },
            { key: 'sources', label: t('telescope.sources'), numeric: true },
            { key: 'baselineMean', label: t('telescope.baseline'), numeric: true, render: (r) => num(r.baselineMean as number, 1) },
            { key: 'packets', label: t('telescope.packets'), numeric: true },
          ]} />
        )}
      </Loadable>
    </Panel>
  );
}

interface Countries { configured: boolean; truncated: boolean; countries: { country: string; sources: number; packets: number }[]; unknown: { sources: number; packets: number } }

/** Source countries, where the server has an IP-to-country table (`[telescope] countryTable`). */
function CountriesPanel({ since }: { since: string }) {
  const { t, lang } = useI18n();
  const title = t('telescope.countries');
  const loaded = useApi<Countries>(withQuery(TELESCOPE.countries, { since }));
  const [map, setMap] = useState<typeof import('../components/world-map.js') | null>(null);
  useEffect(() => { if (loaded.state === 'ready' && loaded.data.configured) import('../components/world-map.js').then(setMap); }, [loaded.state]);
  const names = useMemo(() => new Intl.DisplayNames([lang], { type: 'region' }), [lang]);
  const name = (cc: string): string => names.of(cc) ?? cc;
  return (
    <Panel title={title} id="countries" wide>
      <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.configured && d.countries.length === 0 && d.unknown.sources === 0}>
        {(d) => !d.configured ? <p className="muted" data-state="not-configured">{t('telescope.countriesNotConfigured')}</p> : (
          <>
            {map && <Chart title={title} height={360} summary={d.countries.slice(0, 3).map((c) => `${name(c.country)} ${c.packets}`).join(', ')}
              option={worldMapOption(d.countries.flatMap((c) => { const area = map.areaOf(c.country); return area ? [{ name: area, value: c.packets, label: name(c.country) }] : []; }), { valueName: t('telescope.packets') })} />}
            <DataTable caption={title} rows={[...d.countries, ...(d.unknown.sources ? [{ country: '', ...d.unknown }] : [])] as unknown as Row[]} limit={20} columns={[
              { key: 'country', label: t('telescope.country'), render: (r) => (r.country ? `${name(String(r.country))} (${String(r.country)})` : t('telescope.countryUnknown')) },
              { key: 'sources', label: t('telescope.sources'), numeric: true },
              { key: 'packets', label: t('telescope.packets'), numeric: true },
            ]} />
          </>
        )}
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
        <SummaryPanel since={since} />
        <SeriesPanel since={since} by="proto" />
        <SeriesPanel since={since} by="port" />
        <TopPortsPanel since={since} />
        <TopSourcesPanel since={since} />
        <CountriesPanel since={since} />
        <HeatmapPanel since={since} />
        <VictimsPanel since={since} />
        <AlertsPanel since={since} />
      </div>
    </>
  );
}
