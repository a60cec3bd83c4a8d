/**
 * `mamori telescope …`: ingest darknet captures (files, gzip, stdin, growing files) and
 * read what they showed: top ports, sources and victims, scan-campaign alerts, infected hosts.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError, PrefixSet, parseDuration, parseSince } from '@mamori/core';
import {
  alerts, infectedHosts, ingestCapture, topPorts, topSources, victims, type IngestReport, type ProtoName,
} from '@mamori/telescope';
import { table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';

interface IngestOpts {
  darknet?: string;
  research?: string;
  researchFile?: string;
  bucket: string;
  follow?: boolean;
  publish: boolean;
  sources: boolean;
}

interface WindowOpts {
  since: string;
  until?: string;
  limit: string;
  proto?: string;
}

function prefixes(text: string | undefined, option: string): PrefixSet | null {
  if (!text) return null;
  const list = text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  try {
    return new PrefixSet(list);
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `${option}: ${(e as Error).message}` }, { cause: e });
  }
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

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
const PROTOS = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];

function humanReport(r: IngestReport): string {
  const malformed = Object.entries(r.malformed).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none';
  return [
    `${r.source}: ${r.format}${r.gzip ? ' (gzip)' : ''}, link type ${r.linkType}`,
    `  frames ${r.frames}, IP packets analysed ${r.packets}, non-IP ${r.nonIp}, outside the darknet ${r.outsideDarknet}`,
    `  malformed: ${malformed}`,
    `  ${r.intervals} interval(s) ${iso(r.firstMs)} .. ${iso(r.lastMs)}`,
    `  victims reported ${r.victims}, campaign alerts ${r.alerts}, infected hosts ${r.infected}`,
    `  ${(r.elapsedMs / 1000).toFixed(2)} s, ${Math.round(r.framesPerSecond).toLocaleString('en')} packets/s`,
  ].join('\n');
}

export function registerTelescope(program: Command, ctx: CliContext): void {
  const telescope = program.command('telescope').description('darknet: ingest captures, top ports/sources/victims, campaign alerts, infected hosts');

  telescope
    .command('ingest')
    .description('analyse a pcap/pcapng capture (gzip too); "-" reads stdin (tcpdump -w - | mamori telescope ingest -)')
    .argument('<file>', 'capture file, or - for stdin')
    .option('--darknet <prefixes>', 'darknet prefixes (comma-separated); packets to other addresses are skipped, and the size scales backscatter rates')
    .option('--research <prefixes>', 'known research-scanner prefixes (comma-separated)')
    .option('--research-file <file>', 'file of research-scanner prefixes, one per line')
    .option('--bucket <duration>', 'rollup interval', '1m')
    .option('--follow', 'keep reading the file as it grows (Ctrl-C to stop)')
    .option('--no-publish', 'do not publish events on the bus')
    .option('--no-sources', 'do not store per-source rollups (the largest table)')
    .action(async (file: string, o: IngestOpts) => {
      const bucketMs = parseDuration(o.bucket);
      if (!(bucketMs >= 1000)) throw new MamoriError('MAMORI_USAGE', { reason: `--bucket: needs a duration of at least 1s, got "${o.bucket}"` });
      if (o.follow && file === '-') throw new MamoriError('MAMORI_USAGE', { reason: '--follow needs a file, not stdin' });
      let researchText = o.research ?? '';
      if (o.researchFile) {
        try {
          researchText += `\n${readFileSync(o.researchFile, 'utf8')}`;
        } catch (e) {
          throw new MamoriError('MAMORI_USAGE', { reason: `--research-file: ${(e as Error).message}` }, { cause: e });
        }
      }
      const darknet = prefixes(o.darknet, '--darknet');
      const research = prefixes(researchText, '--research');
      let total = 0;
      if (file !== '-' && !o.follow) {
        try {
          total = statSync(file).size;
        } catch {
          total = 0; // the reader reports a missing file with its own error
        }
      }
      const platform = await ctx.platform();
      const bar = progressBar({ total: total || 1, format: '{bar} {percentage}% | {pps} pkt/s | {frames} packets', enabled: !ctx.json && !ctx.globals().quiet });
      const stop = new AbortController();
      const onSigint = (): void => stop.abort();
      process.once('SIGINT', onSigint);
      try {
        const report = await ingestCapture(platform, file, {
          darknet, research, bucketMs, follow: o.follow, signal: stop.signal, publish: o.publish, sourceRollups: o.sources,
          label: file === '-' ? 'stdin' : file,
          onProgress: (p) => {
            if (!total) bar.setTotal(Math.max(p.bytes, 1));
            bar.update(p.bytes, { pps: Math.round(p.framesPerSecond).toLocaleString('en'), frames: p.frames.toLocaleString('en') });
          },
        });
        bar.stop();
        ctx.print(report, humanReport);
      } finally {
        bar.stop();
        process.off('SIGINT', onSigint);
      }
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
}
