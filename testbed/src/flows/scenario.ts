/**
 * A labelled botnet scenario: an ISP's customer hosts browsing normally, polling update
 * servers and NTP, one host running a monitoring agent (regular but benign), and bots
 * beaconing with jitter to C&C servers. Deterministic for a seed; ground truth is returned
 * beside the traffic so detection can be scored (precision and recall).
 */
import { tcpConversation, udpConversation, conversationFlows, type Conversation } from './pcap-writer.js';
import type { TestFlow } from './types.js';
import { seededRandom } from '../random.js';

export interface ScenarioOptions {
  seed?: number;
  /** Window start, epoch ms. */
  start?: number;
  hours?: number;
  hosts?: number;
  /** Conversations per host per hour of ordinary browsing. */
  browsingPerHour?: number;
  /** Relative standard deviation of the first C&C's beacon interval (default 0.05). */
  jitter?: number;
}

export interface BotnetScenario {
  conversations: Conversation[];
  flows: TestFlow[];
  internal: string[];
  /** Ground truth: C&C endpoints and the bots that talk to them. */
  commandAndControl: { address: string; port: number; bots: string[]; periodS: number }[];
  /** Known-bot list as telescope/survey would provide it (partial and noisy on purpose). */
  knownBots: { address: string; source: 'telescope' | 'survey'; reason: string }[];
  /** Endpoints an operator allow-lists (NTP pool, update service). */
  allowList: string[];
}

const rng = seededRandom;

export function botnetScenario(options: ScenarioOptions = {}): BotnetScenario {
  const rand = rng(options.seed ?? 7);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const t0 = options.start ?? Date.UTC(2026, 10, 20, 0, 0, 0);
  const hours = options.hours ?? 6;
  const span = hours * 3_600_000;
  const hostCount = options.hosts ?? 120;
  const internal = Array.from({ length: hostCount }, (_, i) => `10.20.${i >> 7}.${(i & 127) + 1}`);
  const conv: Conversation[] = [];
  let ephemeral = 32768;
  const port = (): number => (ephemeral = ephemeral >= 60999 ? 32768 : ephemeral + 1);

  // Ordinary browsing: Zipf-popular web servers, Poisson arrivals.
  const sites = Array.from({ length: 400 }, (_, i) => `198.18.${i >> 7}.${(i & 127) + 1}`);
  const zipf = (): string => sites[Math.min(sites.length - 1, Math.floor(Math.pow(rand(), 2.5) * sites.length))];
  const perHour = options.browsingPerHour ?? 12;
  for (const h of internal) {
    let t = t0 + rand() * 60_000;
    while (t < t0 + span) {
      conv.push(tcpConversation(h, zipf(), port(), rand() < 0.8 ? 443 : 80, Math.floor(t), 200 + Math.floor(rand() * 800), 500 + Math.floor(rand() * 30_000)));
      t += (-Math.log(rand() + 1e-12) * 3_600_000) / perHour;
    }
  }
  // Regular but benign: NTP every 1024 s from most hosts, an hourly update check from all.
  const ntp = '192.0.2.123', update = '198.51.100.80';
  for (const h of internal) {
    if (rand() < 0.7) for (let t = t0 + rand() * 1_024_000; t < t0 + span; t += 1_024_000) conv.push(udpConversation(h, ntp, 123, 123, Math.floor(t), 48, 48));
    for (let t = t0 + rand() * 3_600_000; t < t0 + span; t += 3_600_000 + gauss() * 30_000) conv.push(tcpConversation(h, update, port(), 443, Math.floor(t), 350, 900));
  }
  // One monitoring agent: perfectly periodic, one client only, not a bot.
  const agent = internal[hostCount - 1];
  for (let t = t0 + 5_000; t < t0 + span; t += 60_000) conv.push(tcpConversation(agent, '203.0.113.200', port(), 9100, t, 120, 2_000));

  // C&C: bots beacon with Gaussian jitter, miss some beacons, vary sizes a little.
  const cnc = [
    { address: '203.0.113.66', port: 8443, bots: internal.slice(3, 11), periodS: 300, jitter: options.jitter ?? 0.05 },
    { address: '198.51.100.203', port: 7547, bots: internal.slice(40, 44), periodS: 600, jitter: 0.15 },
  ];
  for (const c of cnc) {
    for (const bot of c.bots) {
      for (let t = t0 + rand() * c.periodS * 1000; t < t0 + span; t += c.periodS * 1000 * (1 + c.jitter * gauss())) {
        if (rand() < 0.05) continue;
        conv.push(tcpConversation(bot, c.address, port(), c.port, Math.floor(t), 180 + Math.floor(rand() * 20), 420 + Math.floor(rand() * 40)));
      }
    }
  }
  conv.sort((a, b) => a.start - b.start);
  const knownBots = [
    ...cnc[0].bots.slice(0, 5).map((address) => ({ address, source: 'telescope' as const, reason: 'Mirai-like telnet scanning' })),
    ...cnc[1].bots.slice(0, 2).map((address) => ({ address, source: 'survey' as const, reason: 'weak telnet credentials' })),
    ...internal.slice(90, 93).map((address) => ({ address, source: 'survey' as const, reason: 'weak telnet credentials (not infected)' })),
  ];
  return {
    conversations: conv,
    flows: conv.flatMap(conversationFlows),
    internal,
    commandAndControl: cnc.map(({ address, port: p, bots, periodS }) => ({ address, port: p, bots, periodS })),
    knownBots,
    allowList: [`${ntp}/32`, `${update}/32`],
  };
}
