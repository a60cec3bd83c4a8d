/**
 * `mamori telescope sensor` and `mamori telescope analyzer`: the telescope across machines.
 * Sensors read captures where the darknet is, roll them up per minute and push the batches
 * to a JetStream work queue; analyzers take them off the queue and merge them into the
 * store exactly once. Both need NATS (MAMORI_NATS_URL): an in-process queue would not
 * outlive the process or reach another machine.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { MamoriError, openBus, type Bus } from '@mamori/core';
import {
  DEFAULT_ROWS_PER_BATCH, SENSOR_ID, TELESCOPE_QUEUE, runSensor, startAnalyzer, telescopeConfig, untilIdle, type AnalyzerStats, type SensorReport,
} from '@mamori/telescope';
import type { CliContext } from '../context.js';
import { stopOnSignals } from '../signals.js';
import { durationOption as duration } from '../options.js';
import { addAnalysisOptions, analysisOptions, humanReport, withCaptureProgress, type AnalysisOpts } from './telescope-options.js';

interface SensorOpts extends AnalysisOpts {
  sensorId?: string;
  queue: string;
  rowsPerMessage: string;
  publish: boolean;
}

interface AnalyzerOpts {
  queue: string;
  concurrency: string;
  ackWait: string;
  untilIdle?: string;
  appliedRetention: string;
  publish: boolean;
}

const NEEDS_NATS = 'needs NATS JetStream: set MAMORI_NATS_URL (an in-process queue would not reach another process)';

function positiveInt(text: string, option: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new MamoriError('MAMORI_USAGE', { reason: `${option}: an integer from 1 to ${max}, got "${text}"` });
  return n;
}

/** The host name as a sensor id (ids allow letters, digits and _ . : -). */
function defaultSensorId(): string {
  return hostname().replace(/[^A-Za-z0-9_.:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) || 'sensor';
}

function humanSensor(r: SensorReport): string {
  return `${humanReport(r)}\n  sensor ${r.sensor}, run ${r.run}: ${r.batches} batch(es), ${(r.messageBytes / 1048576).toFixed(2)} MiB queued`;
}

function humanAnalyzer(s: AnalyzerStats & { queue: string; elapsedMs: number }): string {
  return `queue ${s.queue}: ${s.applied} batch(es) merged (${s.rows} rows), ${s.duplicates} already applied, ${s.failed} retried, ${s.rejected} rejected, ${s.pruned} old marker(s) pruned, in ${(s.elapsedMs / 1000).toFixed(1)} s`;
}

async function natsBus(ctx: CliContext, verb: string): Promise<Bus> {
  if (!ctx.config().natsUrl) throw new MamoriError('MAMORI_USAGE', { reason: `telescope ${verb} ${NEEDS_NATS}` });
  return openBus(ctx.config(), `mamori-${verb}`);
}

export function registerTelescopeScaleout(telescope: Command, ctx: CliContext): void {
  addAnalysisOptions(telescope
    .command('sensor')
    .description('read a capture at a sensor and push per-minute rollups to the analyzers\' JetStream queue (needs MAMORI_NATS_URL; no database)')
    .argument('<file>', 'capture file (pcap/pcapng, gzip too), or - for stdin (tcpdump -w - | mamori telescope sensor -)'))
    .option('--sensor-id <id>', 'this sensor\'s name in batch ids (letters, digits, _ . : -)', defaultSensorId())
    .option('--queue <name>', 'work queue (JetStream stream MAMORI_Q_<NAME>)', TELESCOPE_QUEUE)
    .option('--rows-per-message <n>', 'rollup rows per message at most (fewer where needed to stay under the NATS payload limit)', String(DEFAULT_ROWS_PER_BATCH))
    .option('--no-publish', 'do not publish packet-rate events on the bus')
    .addHelpText('after', `
Each finished minute becomes one or more messages with id <sensor-id>.<run>.<bucket>.<part>
(run: the capture's first packet time), so re-sending a capture is recognised: JetStream
drops repeats within its duplicate window and the analyzer skips batches it already merged.
A rotated capture (a new file) is a new run. Exit codes: 0 done, 1 capture or queue error, 2 usage.

Example:
  MAMORI_NATS_URL=nats://nats-1:4222 mamori telescope sensor --sensor-id tokyo-1 --darknet 203.0.113.0/24 --follow /var/spool/darknet.pcap`)
    .action(async (file: string, o: SensorOpts) => {
      const analysis = analysisOptions(file, o, telescopeConfig(ctx.config()));
      const maxRows = positiveInt(o.rowsPerMessage, '--rows-per-message', 20_000);
      if (o.sensorId === undefined || !SENSOR_ID.test(o.sensorId)) throw new MamoriError('MAMORI_USAGE', { reason: `--sensor-id: letters, digits and _ . : - only, at most 64, got "${o.sensorId}"` });
      const sensorId = o.sensorId;
      const bus = await natsBus(ctx, 'sensor');
      try {
        const queue = await bus.queue(o.queue);
        await withCaptureProgress(ctx, file, o.follow, (extra) => runSensor(bus, queue, file, { ...analysis, ...extra, sensorId, maxRows, publish: o.publish }), humanSensor);
      } finally {
        await bus.close();
      }
    });

  telescope
    .command('analyzer')
    .description('merge sensors\' rollups from the JetStream queue into the store, exactly once (needs MAMORI_NATS_URL)')
    .option('--queue <name>', 'work queue (JetStream stream MAMORI_Q_<NAME>)', TELESCOPE_QUEUE)
    .option('--concurrency <n>', 'batches merged at once (they wait on the database, so several overlap)', '4')
    .option('--ack-wait <duration>', 'how long a batch taken by a dead analyzer waits before another gets it', '30s')
    .option('--until-idle <duration>', 'exit once the queue has been empty this long (default: run until SIGTERM/Ctrl-C)')
    .option('--applied-retention <duration>', 'keep applied-batch markers this long (hourly pruning); a capture re-sent later is counted again', '7d')
    .option('--no-publish', 'do not publish interval, alert and victim events after merging')
    .addHelpText('after', `
Several analyzers may share one queue and one database: each batch goes to one of them, and
its applied marker is committed with its rows, so a batch redelivered after a crash is merged
once. Markers older than --applied-retention are pruned every hour: keep it longer than any
analyzer outage plus --ack-wait, and than the time within which a sensor may re-send a capture
(JetStream's own duplicate window is 2 minutes). Prints a status line to stderr every 10 s; the totals on exit (--json for JSON).
Exit codes: 0 stopped cleanly, 1 store or queue error, 2 usage.`)
    .action(async (o: AnalyzerOpts) => {
      const concurrency = positiveInt(o.concurrency, '--concurrency', 64);
      const ackWaitMs = duration(o.ackWait, '--ack-wait');
      const idleMs = o.untilIdle === undefined ? undefined : duration(o.untilIdle, '--until-idle');
      const appliedRetentionMs = duration(o.appliedRetention, '--applied-retention');
      if (appliedRetentionMs < 2 * ackWaitMs) throw new MamoriError('MAMORI_USAGE', { reason: `--applied-retention: at least twice --ack-wait, or a redelivered batch could be merged again; got "${o.appliedRetention}"` });
      await natsBus(ctx, 'analyzer').then((b) => b.close()); // a clear error before the store is opened
      const platform = await ctx.platform();
      const queue = await platform.bus.queue(o.queue, { ackWaitMs });
      const stop = stopOnSignals();
      const t0 = Date.now();
      const analyzer = startAnalyzer(platform, queue, { concurrency, publish: o.publish, log: platform.log, appliedRetentionMs });
      let lastRows = 0;
      const status = setInterval(() => {
        const s = analyzer.stats;
        ctx.note(`telescope analyzer: ${s.applied} batches merged, ${s.rows} rows (${Math.round((s.rows - lastRows) / 10)} rows/s), ${s.duplicates} already applied`);
        lastRows = s.rows;
      }, 10_000);
      status.unref();
      ctx.note(`telescope analyzer: consuming queue ${o.queue}`);
      try {
        if (idleMs !== undefined) await untilIdle(queue, idleMs, stop.signal);
        else if (!stop.signal.aborted) await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
        await analyzer.stop();
      } finally {
        clearInterval(status);
        stop.dispose();
      }
      ctx.print({ queue: o.queue, ...analyzer.stats, elapsedMs: Date.now() - t0 }, humanAnalyzer);
    });
}
