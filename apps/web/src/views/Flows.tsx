/** C&C candidates ranked by score, and for one candidate its evidence: beacon intervals and contacting hosts. */
import { useState } from 'react';
import { asList, pick, pickNum, pickStr, toMs, type Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption, histogram } from '../components/charts.js';
import { DataTable, columnsOf } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { FLOWS } from './endpoints.js';

const WHAT = 'flows';
const idOf = (r: Row) => pickStr(r, 'id', 'candidateId', 'endpoint');
const endpointOf = (r: Row) => {
  const ep = pick(r, 'endpoint', 'address', 'dst', 'ip');
  if (ep && typeof ep === 'object') return `${pickStr(ep as Row, 'address', 'ip')}:${pickStr(ep as Row, 'port')}`;
  const port = pickStr(r, 'port', 'dstPort');
  return `${String(ep ?? '?')}${port ? ':' + port : ''}`;
};

/** Interval values from the evidence, as the API gives them: gaps, or timestamps to difference. */
export function intervalsOf(evidence: Row): number[] {
  const gaps = pick(evidence, 'intervals', 'gaps', 'interArrivals');
  if (Array.isArray(gaps)) return gaps.map(Number).filter(Number.isFinite);
  const stamps = pick(evidence, 'timestamps', 'times');
  if (Array.isArray(stamps)) {
    const ts = stamps.map(toMs).filter((x): x is number => x !== null).sort((a, b) => a - b);
    return ts.slice(1).map((x, i) => (x - ts[i]) / 1000);
  }
  return [];
}

function Evidence({ candidate }: { candidate: Row }) {
  const { t } = useI18n();
  const loaded = useApi<Row>(FLOWS.candidate(idOf(candidate)));
  const endpoint = endpointOf(candidate);
  return (
    <Panel title={t('flows.evidence', { endpoint })} id="evidence" wide>
      <Loadable loaded={loaded} what={WHAT}>
        {(d) => {
          const evidence = (pick(d, 'evidence') as Row | undefined) ?? d;
          const hist = histogram(intervalsOf(evidence));
          const hosts = asList(pick(evidence, 'hosts', 'contactingHosts', 'sources') ?? []);
          const hostRows = hosts.length ? hosts : ((pick(evidence, 'hosts') as unknown[] | undefined) ?? []).map((h) => ({ host: h }));
          return (
            <div className="grid">
              <div>
                <h3>{t('flows.intervals')}</h3>
                {hist.counts.length ? <Chart title={t('flows.intervals')} option={barOption(hist.labels, hist.counts, { name: t('common.count') })} height={240} /> : <p className="muted">{t('common.noRows')}</p>}
              </div>
              <div>
                <h3>{t('flows.hosts')}</h3>
                <DataTable caption={t('flows.hosts')} rows={hostRows as Row[]} />
              </div>
            </div>
          );
        }}
      </Loadable>
    </Panel>
  );
}

export default function Flows() {
  const { t, num } = useI18n();
  const candidates = useApi<unknown>(FLOWS.candidates + '?limit=50');
  const [selected, setSelected] = useState<Row | null>(null);
  return (
    <>
      <h1>{t('flows.title')}</h1>
      <div className="grid">
        <Panel title={t('flows.candidates')} id="candidates" wide>
          <Loadable loaded={candidates} what={WHAT} isEmpty={(d) => asList(d).length === 0}>
            {(d) => {
              const rows = asList(d);
              const extra = columnsOf(rows, 12).filter((c) => !['id', 'score', 'endpoint', 'address', 'port'].includes(c.key)).slice(0, 4);
              return (
                <DataTable caption={t('flows.candidates')} rows={rows} rowKey={(r) => idOf(r)} columns={[
                  { key: 'endpoint', label: t('flows.endpoint'), render: endpointOf },
                  { key: 'score', label: t('flows.score'), numeric: true, render: (r) => num(pickNum(r, 'score'), 3) },
                  ...extra,
                  { key: 'evidence', label: t('common.details'), render: (r) => (
                    <button type="button" onClick={() => setSelected(r)} aria-pressed={selected !== null && idOf(selected) === idOf(r)}>{t('flows.show')}<span className="visually-hidden"> {endpointOf(r)}</span></button>
                  ) },
                ]} />
              );
            }}
          </Loadable>
        </Panel>
        {selected ? <Evidence key={idOf(selected)} candidate={selected} /> : <p className="muted">{t('flows.select')}</p>}
      </div>
    </>
  );
}
