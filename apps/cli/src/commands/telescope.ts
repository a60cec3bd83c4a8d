/**
 * `mamori telescope …`: ingest darknet captures (files, gzip, stdin, growing files) and
 * read what they showed: top ports, sources and victims, scan-campaign alerts, infected hosts.
 */
import type { Command } from 'commander';
import { MamoriError, parseSince } from '@mamori/core';
import {
  alerts, infectedHosts, ingestCapture, telescopeConfig, topPorts, topSources, victims, type FileIngestReport, type ProtoName,
} from '@mamori/telescope';
import { table, type CliContext } from '../context.js';
import { addAnalysisOptions, analysisOptions, humanReport, iso, withCaptureProgress, type AnalysisOpts } from './telescope-options.js';
import { registerTelescopeScaleout } from './telescope-scaleout.js';

interface IngestOpts extends AnalysisOpts {
  publish: boolean;
  force?: boolean;
}

function humanIngest(r: FileIngestReport): string {
  if (r.alreadyIngested) {
    const as = r.ingestedAs && r.ingestedAs !== r.source ? ` as ${r.ingestedAs}` : '';
    return `${r.source}: already ingested on ${iso(r.ingestedMs ?? null)}${as} (sha256 ${r.digest}; ${r.frames} frames, ${r.intervals} interval(s)); nothing counted again. --force counts it again.`;
  }
  const skipped = r.intervalsSkipped > 0 ? `\n  ${r.intervalsSkipped} interval(s) already counted by an earlier unfinished run of this file: skipped` : '';
  return humanReport(r) + skipped;
}

interface WindowOpts {
  since: string;
  until?: string;
  limit: string;
  proto?: string;
}

function windowOf(o: WindowOpts): { sinceMs: number; untilMs?: number; limit: number } {
  const sinceMs = parseSince(o.since);
  if (Number.isNaN(sinceMs)) throw new MamoriError('MAMORI_USAGE', { reason: `--since: not a time or duration: "${o.since}"` });
  const untilMs = o.until === undefined ? undefined : parseSince(o.until);
  if (untilMs !== undefined && Number.isNaN(untilMs)) throw new MamoriError('MAMORI_USAGE', { reason: `--until: not a time or duration: "${o.until}"` });
  const limit = Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new MamoriError('MAMORI_USAGE', { reason: `--limit: not a positive integer: "${o.limit}"` });
  return { sinceMs, untilMs, limit };
}

const PROTOS = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];

export function registerTelescope(program: Command, ctx: CliContext): void {
  const telescope = program.command('telescope').description('darknet: ingest captures, top ports/sources/victims, campaign alerts, infected hosts');

  addAnalysisOptions(telescope
    .command('ingest')
    .description('analyse a pcap/pcapng capture (gzip too); "-" reads stdin (tcpdump -w - | mamori telescope ingest -)')
    .argument('<file>', 'capture file, or - for stdin'))
    .option('--no-publish', 'do not publish events on the bus')
    .option('--force', 'count the file even if the same bytes were ingested before')
    .addHelpText('after', `
A file is counted once per store: its SHA-256 is recorded, and ingesting the same bytes again
(under any name) reports "already ingested" (--json: "alreadyIngested": true) and adds nothing;
a run cut short is finished by running it again, each minute counted once. Stdin ("-") and
--follow cannot be digested before they are read: they are counted every time ("digest": null).
A gzip copy of a capture is other bytes than the plain capture, so it is another file.`)
    .action(async (file: string, o: IngestOpts) => {
      const analysis = analysisOptions(file, o, telescopeConfig(ctx.config()));
      const platform = await ctx.platform();
      await withCaptureProgress(ctx, file, o.follow, (extra) => ingestCapture(platform, file, { ...analysis, ...extra, publish: o.publish, once: true, force: o.force }), humanIngest);
    });

  telescope
    .command('top')
    .description('top ports, sources or victims over a window')
    .argument('<what>', 'ports | sources | victims')
    .option('--since <when>', 'ISO time or duration back from now', '24h')
    .option('--until <when>', 'ISO time or duration back from now')
    .option('--limit <n>', 'rows', '10')
    .option('--proto <proto>', `ports of one protocol (${PROTOS.join(', ')})`)
    .action(async (what: string, o: WindowOpts) => {
      const w = windowOf(o);
      if (o.proto !== undefined && !PROTOS.includes(o.proto)) throw new MamoriError('MAMORI_USAGE', { reason: `--proto: one of ${PROTOS.join(', ')}` });
      const platform = await ctx.platform();
      if (what === 'ports') {
        const rows = await topPorts(platform.store, { ...w, proto: o.proto as ProtoName | undefined });
        ctx.print(rows, (r) => table(r.map((x) => ({ port: `${x.proto}/${x.port}`, packets: x.packets, bytes: x.bytes, 'peak sources/bucket': x.peakSources }))));
      } else if (what === 'sources') {
        const rows = await topSources(platform.store, w);
        ctx.print(rows, (r) => table(r.map((x) => ({ source: x.src, packets: x.packets, syn: x.synScan, backscatter: x.backscatter, fingerprint: x.fingerprint ?? '', first: iso(x.firstMs), last: iso(x.lastMs) }))));
      } else if (what === 'victims') {
        const rows = await victims(platform.store, w);
        ctx.print(rows, (r) => table(r.map((x) => ({
          victim: x.victim, packets: x.packets, ports: x.ports.join(' '), 'max/min': x.maxPpm, 'seen pps': x.observedPps.toFixed(2),
          'est. attack pps': x.estimatedAttackPps === null ? '' : Math.round(x.estimatedAttackPps), from: iso(x.firstMs), to: iso(x.lastMs),
        }))));
      } else {
        throw new MamoriError('MAMORI_USAGE', { reason: `top: expected ports, sources or victims, got "${what}"` });
      }
    });

  telescope
    .command('alerts')
    .description('scan-campaign alerts: ports whose unique-source count jumped against their own baseline')
    .option('--since <when>', 'ISO time or duration back from now', '7d')
    .option('--until <when>', 'ISO time or duration back from now')
    .option('--limit <n>', 'rows', '100')
    .action(async (o: WindowOpts) => {
      const platform = await ctx.platform();
      const rows = await alerts(platform.store, windowOf(o));
      ctx.print(rows, (r) => table(r.map((x) => ({
        bucket: iso(x.bucketMs), port: `${x.proto}/${x.port}`, sources: x.sources, baseline: x.baselineMean.toFixed(1), stddev: x.baselineStddev.toFixed(1), packets: x.packets,
      }))));
    });

  telescope
    .command('infected')
    .description('hosts scanning with a Mirai fingerprint (for survey and flows)')
    .option('--since <when>', 'ISO time or duration back from now', '7d')
    .option('--until <when>', 'ISO time or duration back from now')
    .option('--limit <n>', 'rows', '1000')
    .action(async (o: WindowOpts) => {
      const platform = await ctx.platform();
      const rows = await infectedHosts(platform.store, windowOf(o));
      ctx.print(rows, (r) => table(r.map((x) => ({ address: x.address, fingerprint: x.fingerprint, packets: x.packets, ports: x.ports.join(' '), first: iso(x.firstMs), last: iso(x.lastMs) }))));
    });

  registerTelescopeScaleout(telescope, ctx);
}
