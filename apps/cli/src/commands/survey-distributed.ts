/**
 * The survey across machines: `mamori survey run --distributed` (the coordinator: splits the
 * scope into blocks on a JetStream work queue, serves the run's one global rate, files the
 * findings when every block is done) and `mamori survey worker` (takes blocks and surveys
 * them). Both need NATS (MAMORI_NATS_URL) and the shared database.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { MamoriError } from '@mamori/core';
import {
  SURVEY_QUEUE, defaultDictionary, loadDictionary, runDistributedSurvey, startSurveyWorker,
  type CredentialDictionary, type DistributedSurveyResult, type SurveyWorkerStats,
} from '@mamori/survey';
import { table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { durationOption as duration } from '../options.js';
import { stopOnSignals } from '../signals.js';

const NEEDS_NATS = 'needs NATS JetStream: set MAMORI_NATS_URL (workers in other processes take the work from it)';

function requireNats(ctx: CliContext, verb: string): void {
  if (!ctx.config().natsUrl) throw new MamoriError('MAMORI_USAGE', { reason: `survey ${verb} ${NEEDS_NATS}` });
}

export interface DistributedRunArgs {
  scopeText: string;
  excludeText: string;
  ports: number[];
  dictionary: CredentialDictionary;
  limits: { globalRate: number; perSlash24Rate: number; perHostConnections: number; maxAttemptsPerHost: number; maxRetriesPerHost?: number; tlsPorts?: readonly number[] };
  timeouts: { bannerMs: number; replyMs: number; webPorts?: readonly number[] };
  telnetAttemptsPerConnection: number;
  queue: string;
  itemBits: number;
  ackWait: string;
}

/** `survey run --distributed`: the coordinator. */
export async function runDistributed(ctx: CliContext, a: DistributedRunArgs, attribution?: Parameters<typeof runDistributedSurvey>[2]['attribution']): Promise<void> {
  requireNats(ctx, 'run --distributed');
  const ackWaitMs = duration(a.ackWait, '--ack-wait');
  const platform = await ctx.platform();
  const queue = await platform.bus.queue(a.queue, { ackWaitMs });
  const bar = progressBar({ total: 1, enabled: !ctx.json, format: 'survey |{bar}| {value}/{total} blocks | findings {findings} | attempts {attempts} | workers {workers}' });
  let result: DistributedSurveyResult;
  try {
    result = await runDistributedSurvey(platform, queue, {
      scopeText: a.scopeText, excludeText: a.excludeText, ports: a.ports, dictionary: a.dictionary, limits: a.limits, timeouts: a.timeouts,
      telnetAttemptsPerConnection: a.telnetAttemptsPerConnection, itemBits: a.itemBits, log: ctx.logger(),
      attribution,
      onProgress: (p) => {
        bar.setTotal(p.items);
        bar.update(p.itemsDone, { findings: p.findings, attempts: p.attempts, workers: Object.keys(p.workers).length });
      },
    });
  } finally {
    bar.stop();
  }
  const workers = Object.entries(result.progress.workers).map(([name, w]) => ({ name, ...w, attemptsPerSecond: w.ms > 0 ? Math.round((w.attempts * 1000) / w.ms) : 0 }));
  const summary = {
    runId: result.runId, seconds: result.seconds, items: result.progress.items, findings: result.progress.findings, attempts: result.progress.attempts,
    attemptsPerSecond: Math.round(result.progress.attempts / result.seconds), tokensGranted: result.tokensGranted, ...result.stored, workers,
  };
  ctx.print(summary, (s) => [
    `run ${s.runId}: ${s.items} blocks, ${s.findings} findings (${s.newFindings} new), ${s.attempts} attempts in ${s.seconds.toFixed(1)} s (${s.attemptsPerSecond}/s)`,
    table(s.workers),
  ].join('\n'));
}

interface WorkerOpts {
  queue: string;
  concurrency: number;
  blocks: number;
  ackWait: string;
  exclude?: string;
  dictionary?: string;
  name?: string;
}

export function registerSurveyWorker(survey: Command, ctx: CliContext, read: (path: string) => string, int: (name: string, min?: number, max?: number) => (v: string) => number): void {
  survey.command('worker')
    .description('take blocks of distributed survey runs off the JetStream queue and survey them (needs MAMORI_NATS_URL and the shared database)')
    .option('--queue <name>', 'work queue (JetStream stream MAMORI_Q_<NAME>)', SURVEY_QUEUE)
    .option('--concurrency <n>', 'sockets in flight in this worker (keep under its fd limit)', int('concurrency', 1, 20000), 1000)
    .option('--blocks <n>', 'blocks surveyed at once (they share the sockets)', int('blocks', 1, 64), 4)
    .option('--ack-wait <duration>', 'how long a block taken by a dead worker waits before another gets it (same on every process)', '30s')
    .option('--exclude <file>', 'this worker\'s own opt-out list (added to the run\'s; exclusion always wins)')
    .option('--dictionary <file>', 'credential dictionary; must match the run\'s (default: the bundled credentials-v1.json)')
    .option('--name <name>', 'this worker\'s name in the store', `${hostname()}:${process.pid}`)
    .addHelpText('after', `
A worker enforces the run's authorised scope and exclusion list itself (read from the
database), takes its connection rate from the run's coordinator (one global rate for all
workers), commits a block's findings before acknowledging it, and tells the queue it is
alive while it works, so only a dead worker's block goes to another worker. Runs until
SIGTERM/Ctrl-C; prints its totals on exit (--json for JSON).
Exit codes: 0 stopped cleanly, 1 store or queue error, 2 usage.

Example:
  MAMORI_NATS_URL=nats://nats-1:4222 MAMORI_DATABASE_URL=postgres://mamori@db/mamori mamori survey worker --concurrency 2000`)
    .action(async (o: WorkerOpts) => {
      requireNats(ctx, 'worker');
      const ackWaitMs = duration(o.ackWait, '--ack-wait');
      const dictionary = o.dictionary ? loadDictionary(o.dictionary) : defaultDictionary();
      const exclude = o.exclude ? read(o.exclude) : undefined;
      const platform = await ctx.platform();
      const queue = await platform.bus.queue(o.queue, { ackWaitMs });
      const stop = stopOnSignals();
      const t0 = Date.now();
      const worker = startSurveyWorker(platform, queue, {
        dictionary, exclude, name: o.name ?? `${hostname()}:${process.pid}`, concurrency: o.concurrency, blocks: o.blocks, heartbeatMs: Math.max(200, Math.floor(ackWaitMs / 3)),
        log: platform.log,
        onItem: (e) => ctx.note(`survey worker: ${e.phase} block ${e.block} of run ${e.runId}${e.phase === 'done' ? ` (${e.findings} findings, ${e.attempts} attempts)` : ''}`),
      });
      ctx.note(`survey worker: consuming queue ${o.queue}`);
      try {
        await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
        await worker.stop();
      } finally {
        stop.dispose();
      }
      const s: SurveyWorkerStats & { elapsedMs: number } = { ...worker.stats, elapsedMs: Date.now() - t0 };
      ctx.print(s, (x) => `survey worker: ${x.items} blocks, ${x.findings} findings, ${x.attempts} attempts, ${x.skipped} already done, ${x.failed} retried`);
    });
}
