/**
 * The coordinator of a distributed survey (`mamori survey run --distributed`): writes the
 * run's definition, splits the authorised scope into aligned blocks on the work queue,
 * serves the run's one global rate to every worker, waits until every block is done and
 * then files the findings as one run (so notification and re-survey work as for a local run).
 */
import { randomUUID } from 'node:crypto';
import { formatPrefix, type Bus, type Logger, type Store, type WorkQueue } from '@mamori/core';
import { SurveyScope } from '../scope/scope.js';
import { DEFAULT_LIMITS, type ConnectorLimits } from '../scope/connector.js';
import type { ProbeTimeouts } from '../probes/context.js';
import { dictionaryDigest, type CredentialDictionary } from '../credentials.js';
import type { SurveyResult } from '../scheduler.js';
import type { AttributionTable } from '../attribution/ip2asn.js';
import { recordRun, type RecordRunSummary } from '../store/survey-store.js';
import { startRateLeader } from './shared-rate.js';
import {
  createDistributedRun, distributedFindings, distributedProgress, finishDistributedRun, type DistributedProgress, type DistributedRun,
} from './dist-store.js';
import type { WorkItem } from './worker.js';

export interface DistributedSurveyOptions {
  scopeText: string;
  excludeText?: string;
  ports: number[];
  dictionary: CredentialDictionary;
  limits?: Partial<ConnectorLimits>;
  timeouts?: Partial<ProbeTimeouts>;
  telnetAttemptsPerConnection?: number;
  /** Prefix length of a work item (default 24: one /24 per item, so the per-/24 rate holds exactly). */
  itemBits?: number;
  runId?: string;
  attribution?: AttributionTable;
  log?: Logger;
  pollMs?: number;
  onProgress?(p: DistributedProgress): void;
}

export interface DistributedSurveyResult {
  runId: string;
  seconds: number;
  progress: DistributedProgress;
  stored: RecordRunSummary;
  /** Tokens the rate leader handed out (connections the workers were allowed). */
  tokensGranted: number;
}

/** Sums the items' statistics into the run's (counts add up, the peak is the largest). */
function mergeStats(items: readonly SurveyResult['stats'][]): SurveyResult['stats'] {
  const out: SurveyResult['stats'] = {
    addresses: 0, tasksDone: 0, tasksTotal: 0, openPorts: 0, attempts: 0, findings: 0, connectsPerSecond: 0,
    peakInFlight: 0, refused: 0, connects: 0, localRetries: 0, outcomes: {}, failures: {},
  };
  for (const s of items) {
    for (const k of ['addresses', 'tasksDone', 'tasksTotal', 'openPorts', 'attempts', 'findings', 'refused', 'connects', 'localRetries'] as const) out[k] += s[k] ?? 0;
    out.peakInFlight = Math.max(out.peakInFlight, s.peakInFlight ?? 0);
    for (const [k, v] of Object.entries(s.outcomes ?? {})) out.outcomes[k as keyof typeof out.outcomes] = (out.outcomes[k as keyof typeof out.outcomes] ?? 0) + v;
    for (const [k, v] of Object.entries(s.failures ?? {})) out.failures[k] = (out.failures[k] ?? 0) + v;
  }
  return out;
}

export async function runDistributedSurvey(platform: { store: Store; bus: Bus }, queue: WorkQueue, o: DistributedSurveyOptions): Promise<DistributedSurveyResult> {
  const runId = o.runId ?? randomUUID();
  const log = o.log?.child({ runId });
  const scope = SurveyScope.fromText(o.scopeText, o.excludeText ?? '');
  const itemBits = o.itemBits ?? 24;
  const blocks = scope.blocks(itemBits);
  const limits = { ...o.limits, globalRate: o.limits?.globalRate ?? DEFAULT_LIMITS.globalRate };
  const run: DistributedRun = {
    runId, scope: o.scopeText, exclude: o.excludeText ?? '', ports: o.ports, limits, timeouts: o.timeouts ?? {},
    telnetAttemptsPerConnection: o.telnetAttemptsPerConnection ?? 3, itemBits,
    dictionary: { version: o.dictionary.version, digest: dictionaryDigest(o.dictionary), pairs: o.dictionary.pairs.length },
  };
  const startedAt = Date.now();
  await createDistributedRun(platform.store, run, blocks.length);
  const leader = await startRateLeader(platform.bus, runId, limits.globalRate);
  log?.info({ items: blocks.length, itemBits, ports: o.ports, limits }, 'distributed survey started');
  let progress: DistributedProgress;
  let itemStats: SurveyResult['stats'][] = [];
  try {
    // The message id makes a re-push (a retried publish) land once in JetStream's duplicate window.
    for (const block of blocks) await queue.push({ runId, block } satisfies WorkItem, { id: `${runId}:${block}` });
    for (;;) {
      progress = await distributedProgress(platform.store, runId);
      o.onProgress?.(progress);
      if (progress.itemsDone >= progress.items) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
    itemStats = progress.statsOfItems;
  } finally {
    await leader.stop();
  }
  const findings = await distributedFindings(platform.store, runId);
  const finishedAt = Date.now();
  const result: SurveyResult = { runId, startedAt, finishedAt, services: [], findings, checked: [], stats: { ...mergeStats(itemStats), findings: findings.length } };
  const stored = await recordRun(platform.store, result, { attribution: o.attribution, scope: scope.includePrefixes.map(formatPrefix) });
  await finishDistributedRun(platform.store, runId);
  log?.info({ ...progress.workers, findings: findings.length, ms: finishedAt - startedAt }, 'distributed survey finished');
  return { runId, seconds: (finishedAt - startedAt) / 1000, progress, stored, tokensGranted: leader.granted() };
}
