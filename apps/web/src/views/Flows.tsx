/**
 * C&C server candidates over /api/flows (analyst or admin): the ranked list of the latest
 * detection run, and for one candidate its evidence — the beacon interval histogram, the
 * contacting hosts (with their beacon scores and known-bot marks), ports and the reasons.
 */
import { useState } from 'react';
import type { Row } from '../lib/data.js';
import { useI18n } from '../lib/i18n.js';
import { useApi } from '../lib/use-api.js';
import { Chart } from '../components/Chart.js';
import { barOption } from '../components/charts.js';
import { DataTable } from '../components/DataTable.js';
import { Loadable, Panel } from '../components/States.js';
import { FLOWS } from './endpoints.js';

const WHAT = 'flows';

interface Host { address: string; connections: number; beacon: { score: number; medianIntervalS: number } | null; knownBot?: { source: string; reason: string } }
interface Candidate {
  rank: number; address: string; score: number; firstSeen: number; lastSeen: number;
  components: { beacon: number; coordination: number; fanIn: number; knownBots: number };
  evidence: {
    hosts: Host[]; ports: { port: number; protocol: number; connections: number }[]; connections: number;
    intervalHistogram: { edgesS: number[]; counts: number[] }; fanIn?: { clients: number; population: number; rarity: number }; reasons: string[];
  };
}
interface CandidateList { run: { id: string; at: number; population: number; connections: number; endpoints: number } | null; candidates: Candidate[] }

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

/** Histogram bin labels from the edges the API gives (seconds). */
export function binLabels(edges: number[]): string[] {
  const fmt = (s: number) => (s >= 3600 ? `${+(s / 3600).toFixed(1)}h` : s >= 60 ? `${+(s / 60).toFixed(1)}m` : `${+s.toFixed(1)}s`);
  return edges.slice(0, -1).map((e, i) => `${fmt(e)}–${fmt(edges[i + 1])}`);
}

function Evidence({ address }: { address: string }) {
  const { t, num } = useI18n();
  const loaded = useApi<Candidate>(FLOWS.candidate(address));
  return (
    <Panel title={t('flows.evidence', { endpoint: address })} id="evidence" wide>
      <Loadable loaded={loaded} what={WHAT}>
        {(c) => (
          <div className="grid">
            <div>
              <h3>{t('flows.intervals')}</h3>
              {c.evidence.intervalHistogram.counts.length > 0
                ? <Chart title={t('flows.intervals')} option={barOption(binLabels(c.evidence.intervalHistogram.edgesS), c.evidence.intervalHistogram.counts, { name: t('common.count') })} height={240} />
                : <p className="muted">{t('common.noRows')}</p>}
              <h3>{t('flows.reasons')}</h3>
              <ul>{c.evidence.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
              <h3>{t('flows.ports')}</h3>
              <p>{c.evidence.ports.map((p) => `${p.port}/${PROTO[p.protocol] ?? p.protocol} (${num(p.connections)})`).join(', ')}</p>
            </div>
            <div>
              <h3>{t('flows.hosts')}</h3>
              <DataTable caption={t('flows.hosts')} rows={c.evidence.hosts as unknown as Row[]} columns={[
                { key: 'address', label: t('flows.host'), render: (r) => <code>{String(r.address)}</code> },
                { key: 'connections', label: t('flows.connections'), numeric: true },
                { key: 'beacon', label: t('flows.beaconScore'), numeric: true, render: (r) => num((r as unknown as Host).beacon?.score ?? null, 2) },
                { key: 'interval', label: t('flows.medianInterval'), numeric: true, render: (r) => num((r as unknown as Host).beacon?.medianIntervalS ?? null, 1) },
                { key: 'knownBot', label: t('flows.knownBot'), render: (r) => { const k = (r as unknown as Host).knownBot; return k ? `${k.source}: ${k.reason}` : '—'; } },
              ]} />
            </div>
          </div>
        )}
      </Loadable>
    </Panel>
  );
}

export default function Flows() {
  const { t, num, date } = useI18n();
  const loaded = useApi<CandidateList>(`${FLOWS.candidates}?limit=50`);
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <>
      <h1>{t('flows.title')}</h1>
      <div className="grid">
        <Panel title={t('flows.candidates')} id="candidates" wide>
          <Loadable loaded={loaded} what={WHAT} isEmpty={(d) => d.candidates.length === 0}>
            {(d) => (
              <>
                {d.run && <p className="muted">{t('flows.run', { at: date(d.run.at), hosts: num(d.run.population), endpoints: num(d.run.endpoints) })}</p>}
                <DataTable caption={t('flows.candidates')} rows={d.candidates as unknown as Row[]} rowKey={(r) => String(r.address)} columns={[
                  { key: 'rank', label: '#', numeric: true },
                  { key: 'address', label: t('flows.endpoint'), render: (r) => <code>{String(r.address)}</code> },
                  { key: 'score', label: t('flows.score'), numeric: true, render: (r) => num(r.score as number, 3) },
                  { key: 'beacon', label: t('flows.beaconScore'), numeric: true, render: (r) => num((r as unknown as Candidate).components.beacon, 2) },
                  { key: 'fanIn', label: t('flows.fanIn'), numeric: true, render: (r) => num((r as unknown as Candidate).components.fanIn, 2) },
                  { key: 'knownBots', label: t('flows.knownBots'), numeric: true, render: (r) => num((r as unknown as Candidate).components.knownBots, 2) },
                  { key: 'hosts', label: t('flows.hosts'), numeric: true, render: (r) => num((r as unknown as Candidate).evidence.hosts.length) },
                  { key: 'lastSeen', label: t('flows.lastSeen'), render: (r) => date(r.lastSeen as number) },
                  { key: 'show', label: t('common.details'), render: (r) => (
                    <button type="button" onClick={() => setSelected(String(r.address))} aria-pressed={selected === r.address}>
                      {t('flows.show')}<span className="visually-hidden"> {String(r.address)}</span>
                    </button>
                  ) },
                ]} />
              </>
            )}
          </Loadable>
        </Panel>
        {selected ? <Evidence key={selected} address={selected} /> : <p className="muted">{t('flows.select')}</p>}
      </div>
    </>
  );
}
