/**
 * C&C candidates from flow headers only. Every external endpoint that internal hosts talk
 * to is scored by three independent detectors, each with its evidence:
 *  - beaconing (RITA-style, per host pair) and how many hosts beacon to it alike;
 *  - fan-in: distinct internal hosts, weighted by the endpoint's rarity in the population;
 *  - known bots: how many of its clients another part flagged, against the base rate
 *    (a binomial tail: five flagged hosts among eight clients is surprising; eight among
 *    a hundred is not).
 * The detectors are combined as a weighted noisy-OR, so any one strong signal ranks an
 * endpoint, and agreeing signals rank it higher.
 */
import { formatIp, parseIp, PrefixSet } from '@mamori/core';
import { formatAddress, type FlowRecord } from '../record.js';
import { compileAllowList } from './allow-list.js';
import { beaconScore } from './beacon.js';
import { clamp01, median, saturate, binomialTail, sorted } from './stats.js';
import { isInternal, stitch, type Connection } from './stitch.js';
import type { BeaconScore, Candidate, CandidateHost, DetectionOptions, DetectionResult, KnownBot } from './types.js';

export const DEFAULT_INTERNAL = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];
const WEIGHTS = { beacon: 0.6, fanIn: 0.5, knownBots: 0.6 };
/** A pair scoring at least this beacons. */
export const BEACON_THRESHOLD = 0.6;

interface Pair {
  client: number | bigint;
  starts: number[];
  bytesOut: number[];
}

interface Endpoint {
  server: number | bigint;
  pairs: Map<number | bigint, Pair>;
  ports: Map<string, { port: number; protocol: number; connections: number }>;
  first: number;
  last: number;
  bytesOut: number;
  bytesIn: number;
  connections: number;
}

function canonical(address: string): string {
  return formatIp(parseIp(address.trim()));
}

export function detectCandidates(records: Iterable<FlowRecord>, options: DetectionOptions = {}): DetectionResult {
  const internal = new PrefixSet(options.internal ?? DEFAULT_INTERNAL);
  const allow = compileAllowList(options.allow);
  const conns = stitch(records, internal, options.stitchSlackMs);
  return scoreConnections(conns, internal, allow, options);
}

function scoreConnections(
  conns: Connection[], internal: PrefixSet, allow: ReturnType<typeof compileAllowList>, options: DetectionOptions,
): DetectionResult {
  const population = new Set<number | bigint>();
  let wStart = Infinity, wEnd = -Infinity;
  const endpoints = new Map<number | bigint, Endpoint>();
  const suppressed = new Set<number | bigint>();
  for (const c of conns) {
    if (c.start < wStart) wStart = c.start;
    if (c.end > wEnd) wEnd = c.end;
    if (!c.clientInternal) continue;
    population.add(c.client);
    if (c.serverInternal) continue;
    if (allow.allows(c.server, c.serverPort)) { suppressed.add(c.server); continue; }
    let e = endpoints.get(c.server);
    if (!e) {
      e = { server: c.server, pairs: new Map(), ports: new Map(), first: c.start, last: c.end, bytesOut: 0, bytesIn: 0, connections: 0 };
      endpoints.set(c.server, e);
    }
    let p = e.pairs.get(c.client);
    if (!p) { p = { client: c.client, starts: [], bytesOut: [] }; e.pairs.set(c.client, p); }
    p.starts.push(c.start);
    p.bytesOut.push(c.bytesOut);
    const pk = `${c.protocol}/${c.serverPort}`;
    const port = e.ports.get(pk) ?? { port: c.serverPort, protocol: c.protocol, connections: 0 };
    port.connections++;
    e.ports.set(pk, port);
    if (c.start < e.first) e.first = c.start;
    if (c.end > e.last) e.last = c.end;
    e.bytesOut += c.bytesOut;
    e.bytesIn += c.bytesIn;
    e.connections++;
  }
  const window = options.window ?? { start: Number.isFinite(wStart) ? wStart : 0, end: Number.isFinite(wEnd) ? wEnd : 0 };
  const N = population.size;

  const known = new Map<string, KnownBot>();
  for (const k of options.knownBots ?? []) {
    try { known.set(canonical(k.address), k); } catch { /* an unparsable address cannot match a flow */ }
  }
  let knownInPopulation = 0;
  const populationText = new Map<number | bigint, string>();
  for (const a of population) {
    const t = formatAddress(a);
    populationText.set(a, t);
    if (known.has(t)) knownInPopulation++;
  }
  const baseRate = N > 0 ? Math.max(knownInPopulation, 1) / N : 1;

  const candidates: Candidate[] = [];
  for (const e of endpoints.values()) {
    const n = e.pairs.size;
    const prevalence = N > 0 ? n / N : 1;
    const hosts: CandidateHost[] = [];
    let best = 0, beaconing = 0, knownCount = 0;
    const gaps: number[] = [];
    for (const p of e.pairs.values()) {
      const b: BeaconScore | null = beaconScore(p.starts, p.bytesOut, window, prevalence);
      const address = populationText.get(p.client) ?? formatAddress(p.client);
      const kb = known.get(address);
      if (kb) knownCount++;
      if (b) {
        best = Math.max(best, b.score);
        if (b.score >= (options.beaconThreshold ?? BEACON_THRESHOLD)) {
          beaconing++;
          const ts = [...new Set(p.starts.map((t) => Math.floor(t / 1000)))].sort((x, y) => x - y);
          for (let i = 1; i < ts.length; i++) gaps.push(ts[i] - ts[i - 1]);
        }
      }
      hosts.push({ address, connections: p.starts.length, beacon: b, ...(kb ? { knownBot: { source: kb.source, reason: kb.reason } } : {}) });
    }
    const coordination = saturate(beaconing - 1, 2);
    const beacon = best * (0.6 + 0.4 * coordination);
    const rarity = N > 1 && n < N ? Math.log(N / n) / Math.log(N) : 0;
    const fanIn = saturate(n - 1, 5) * rarity;
    const pValue = knownCount > 0 ? binomialTail(knownCount, n, baseRate) : 1;
    const knownBots = knownCount > 0 ? clamp01(-Math.log10(Math.max(pValue, 1e-300)) / 4) : 0;
    const score = 1 - (1 - WEIGHTS.beacon * beacon) * (1 - WEIGHTS.fanIn * fanIn) * (1 - WEIGHTS.knownBots * knownBots);
    if (score < (options.minScore ?? 0.2)) continue;

    hosts.sort((a, b) => (b.beacon?.score ?? 0) - (a.beacon?.score ?? 0) || b.connections - a.connections);
    const reasons: string[] = [];
    if (beaconing > 0) {
      const med = median(sorted(gaps));
      reasons.push(`${beaconing} host(s) beacon every ~${Math.round(med)} s (best pair score ${best.toFixed(2)})`);
    }
    if (knownCount > 0) reasons.push(`${knownCount} of its ${n} client(s) are known bots (expected ${(n * baseRate).toFixed(1)}, p=${pValue.toExponential(1)})`);
    if (fanIn > 0.1) reasons.push(`${n} of ${N} internal hosts contact it (${(100 * prevalence).toFixed(1)} %)`);
    candidates.push({
      rank: 0,
      address: formatAddress(e.server),
      score: round(score),
      components: { beacon: round(best), coordination: round(coordination), fanIn: round(fanIn), knownBots: round(knownBots) },
      firstSeen: e.first,
      lastSeen: e.last,
      evidence: {
        hosts: hosts.slice(0, 50),
        ports: [...e.ports.values()].sort((a, b) => b.connections - a.connections).slice(0, 20),
        connections: e.connections,
        bytesOut: e.bytesOut,
        bytesIn: e.bytesIn,
        intervalHistogram: histogram(gaps),
        fanIn: { clients: n, population: N, rarity: round(rarity) },
        knownBots: { count: knownCount, expected: round(n * baseRate), pValue },
        reasons,
      },
    });
  }
  candidates.sort((a, b) => b.score - a.score || b.evidence.fanIn.clients - a.evidence.fanIn.clients || (a.address < b.address ? -1 : 1));
  const limited = candidates.slice(0, options.limit ?? 100);
  limited.forEach((c, i) => { c.rank = i + 1; });
  return { candidates: limited, population: N, connections: conns.length, endpoints: endpoints.size, suppressed: suppressed.size, window };
}

/** 20 bins from 0 to twice the median gap; the last bin also holds everything longer. */
function histogram(gapsS: number[]): { edgesS: number[]; counts: number[] } {
  if (gapsS.length === 0) return { edgesS: [], counts: [] };
  const med = median(sorted(gapsS));
  const top = Math.max(2 * med, 1);
  const bins = 20;
  const width = top / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const g of gapsS) counts[Math.min(bins - 1, Math.floor(g / width))]++;
  return { edgesS: Array.from({ length: bins + 1 }, (_, i) => round(i * width)), counts };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export { isInternal };
