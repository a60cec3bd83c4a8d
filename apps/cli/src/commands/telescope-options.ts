/**
 * What `telescope ingest` and `telescope sensor` share: the analysis options (darknet,
 * research scanners, bucket, follow, per-source rows) and the capture progress bar with
 * Ctrl-C handling, so both verbs read captures the same way.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError, PrefixSet, parseDuration } from '@mamori/core';
import type { IngestOptions, IngestReport, TelescopeConfig } from '@mamori/telescope';
import type { CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { stopOnSignals } from '../signals.js';

export const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());
export function humanReport(r: IngestReport): string {
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

export interface AnalysisOpts {
  darknet?: string;
  research?: string;
  researchFile?: string;
  bucket: string;
  follow?: boolean;
  sources: boolean;
}

export function addAnalysisOptions(command: Command): Command {
  return command
    .option('--darknet <prefixes>', 'darknet prefixes (comma-separated); packets to other addresses are skipped, and the size scales backscatter rates')
    .option('--research <prefixes>', 'known research-scanner prefixes (comma-separated)')
    .option('--research-file <file>', 'file of research-scanner prefixes, one per line')
    .option('--bucket <duration>', 'rollup interval', '1m')
    .option('--follow', 'keep reading the file as it grows (Ctrl-C to stop)')
    .option('--no-sources', 'do not keep per-source rollups (the largest table)');
}

export function prefixes(text: string | undefined, option: string): PrefixSet | null {
  if (!text) return null;
  const list = text.split(/[\s,]+/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  try {
    return new PrefixSet(list);
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `${option}: ${(e as Error).message}` }, { cause: e });
  }
}

/**
 * Checks the shared options and turns them into the engine's. The `[telescope]` section
 * (`settings`) gives darknet and research prefixes; a flag replaces its key.
 */
export function analysisOptions(
  file: string,
  flags: AnalysisOpts,
  settings: TelescopeConfig = {},
): Pick<IngestOptions, 'darknet' | 'research' | 'bucketMs' | 'follow' | 'sourceRollups' | 'label'> {
  const fromFlags = flags.research !== undefined || flags.researchFile !== undefined;
  const o: AnalysisOpts = {
    ...flags,
    darknet: flags.darknet ?? settings.darknet,
    research: fromFlags ? flags.research : settings.research,
    researchFile: fromFlags ? flags.researchFile : settings.researchFile,
  };
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
  return {
    darknet: prefixes(o.darknet, flags.darknet !== undefined ? '--darknet' : 'telescope.darknet'),
    research: prefixes(researchText, fromFlags ? '--research' : 'telescope.research'), bucketMs,
    follow: o.follow, sourceRollups: o.sources, label: file === '-' ? 'stdin' : file,
  };
}

/**
 * Runs `read` with a progress bar (bytes of the file, packets/s) and Ctrl-C stopping a
 * followed file cleanly, then prints its report.
 */
export async function withCaptureProgress<R extends IngestReport>(
  ctx: CliContext,
  file: string,
  follow: boolean | undefined,
  read: (extra: Pick<IngestOptions, 'signal' | 'onProgress'>) => Promise<R>,
  human: (r: R) => string,
): Promise<void> {
  let total = 0;
  if (file !== '-' && !follow) {
    try {
      total = statSync(file).size;
    } catch {
      total = 0; // the reader reports a missing file with its own error
    }
  }
  const bar = progressBar({ total: total || 1, format: '{bar} {percentage}% | {pps} pkt/s | {frames} packets', enabled: !ctx.json && !ctx.globals().quiet });
  const stop = stopOnSignals();
  try {
    const report = await read({
      signal: stop.signal,
      onProgress: (p) => {
        if (!total) bar.setTotal(Math.max(p.bytes, 1));
        bar.update(p.bytes, { pps: Math.round(p.framesPerSecond).toLocaleString('en'), frames: p.frames.toLocaleString('en') });
      },
    });
    bar.stop();
    ctx.print(report, human);
  } finally {
    bar.stop();
    stop.dispose();
  }
}
