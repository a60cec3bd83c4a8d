/**
 * `mamori flows …`: collect NetFlow/IPFIX on UDP with live counters, import nfdump CSV,
 * list C&C candidates (JSON or STIX 2.1), show exporters. All work is in @mamori/flows;
 * this file parses options and does the I/O.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MamoriError, type Platform } from '@mamori/core';
import {
  candidatesToStix, FlowArchive, FlowCollector, FlowPipeline, FlowsStore, importNfdumpCsv, STRONG_CANDIDATE_SCORE, TLP_MARKINGS, type Candidate, type CollectorStats, type Tlp,
} from '@mamori/flows';
import { table, type CliContext } from '../context.js';
import { timeRangeOptions } from '../options.js';
import { progressBar } from '../progress.js';
import { detectionOptions, durationFlag, flowsSettings, type FlowsFlags } from './flows-settings.js';
import { storedKnownBots } from './known-bots.js';

// Flags carry no commander defaults: an absent flag leaves the [flows] key (or its default) in force.
function withDetectOptions(c: Command): Command {
  return c
    .option('--known-bots <file>', 'more known bots, one address per line or JSON (telescope Mirai-like scanners and survey weak devices in the store are always used) [flows.knownBots]')
    .option('--allow <file>', 'allow-list: prefixes, "port N", or "prefix port…" per line [flows.allowList]')
    .option('--internal <prefixes>', 'customer address space, comma-separated [flows.detection.internal; default RFC 1918, RFC 6598, ULA]')
    .option('--min-score <n>', 'report candidates scoring at least this [flows.detection.minScore; default 0.2]')
    .option('--limit <n>', 'at most this many candidates [flows.detection.limit; default 100]');
}

function candidateRows(cands: Candidate[]): Record<string, unknown>[] {
  return cands.map((c) => ({
    rank: c.rank, address: c.address, score: c.score.toFixed(3),
    ports: c.evidence.ports.slice(0, 3).map((p) => p.port).join(','),
    hosts: c.evidence.fanIn.clients,
    first: new Date(c.firstSeen).toISOString().slice(0, 19), last: new Date(c.lastSeen).toISOString().slice(0, 19),
    why: c.evidence.reasons[0] ?? '',
  }));
}

function counterLine(s: CollectorStats, elapsedS: number): string {
  return `exporters ${s.exporters.length}  packets ${s.packets}  records ${s.records} (${Math.round(s.records / Math.max(elapsedS, 1e-3))}/s)  lost ${s.lostRecords} rec/${s.lostPackets} pkt  errors ${s.errors}`;
}

export function registerFlows(program: Command, ctx: CliContext): void {
  const flows = program.command('flows').description('NetFlow v5/v9/IPFIX collection, nfdump CSV import, C&C candidates');

  withDetectOptions(flows
    .command('collect')
    .description('listen for NetFlow v5/v9/IPFIX on UDP; roll up into the store; detect C&C candidates periodically')
    .option('--listen <host:port>', 'address to listen on [flows.listen; default 127.0.0.1:2055]')
    .option('--flush <duration>', 'how often rollups and counters are written [flows.flushEvery; default 30s]')
    .option('--detect-every <duration>', 'how often candidates are recomputed over the recent window [flows.detectEvery; default 10m]')
    .option('--for <duration>', 'stop after this long (default: until interrupted)')
    .option('--archive [dir]', 'keep every record in rotated CSV files [flows.archive.enabled, flows.archive.dir; default <data>/flows-archive]')
    .option('--retention <duration>', 'delete archive files and rollups older than this [flows.retention; default 7d]'))
    .action(async (opts: FlowsFlags & { for?: string }) => {
      const settings = flowsSettings(ctx.config(), opts);
      const stopAfter = opts.for === undefined ? undefined : durationFlag(opts.for, '--for');
      const detect = detectionOptions(settings);
      const retentionMs = settings.retention;
      const platform: Platform = await ctx.platform();
      detect.knownBots = [...(detect.knownBots ?? []), ...(await storedKnownBots(platform))];
      const archive = settings.archive.enabled ? new FlowArchive({ dir: settings.archive.dir, rotateMs: settings.archive.rotate, retentionMs }) : undefined;
      const pipeline = new FlowPipeline(platform.store, { archive, retentionMs });
      const listen = `${settings.listen.host}:${settings.listen.port}`;
      const collector = await FlowCollector.listen({ host: settings.listen.host, port: settings.listen.port, onRecords: (r) => pipeline.add(r) });
      const started = Date.now();
      const addr = collector.address();
      ctx.note(`collecting on ${addr.address}:${addr.port} (NetFlow v5, v9, IPFIX)`);
      const flushMs = settings.flushEvery;
      const detectMs = settings.detectEvery;
      let lastDetect = Date.now();
      const tick = setInterval(() => {
        const s = collector.stats();
        if (ctx.json) process.stdout.write(`${JSON.stringify({ type: 'counters', at: Date.now(), ...s, exporters: s.exporters.length })}\n`);
        else if (process.stderr.isTTY) process.stderr.write(`\r${counterLine(s, (Date.now() - started) / 1000)}   `);
      }, 1000);
      let busy = Promise.resolve();
      const flushTimer = setInterval(() => {
        busy = busy.then(async () => {
          await pipeline.flush(collector.stats().exporters);
          if (Date.now() - lastDetect >= detectMs && pipeline.windowSize > 0) {
            lastDetect = Date.now();
            const { result } = await pipeline.detectAndSave(detect, `collect ${listen}`);
            ctx.note(`\n${result.candidates.length} candidate(s); top: ${result.candidates[0]?.address ?? '-'}`);
          }
        }).catch((e) => ctx.note(`flush failed: ${(e as Error).message}`));
      }, flushMs);
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (stopAfter !== undefined) setTimeout(stop, stopAfter);
      });
      clearInterval(tick);
      clearInterval(flushTimer);
      await busy;
      await collector.close();
      const final = collector.stats();
      await pipeline.flush(final.exporters);
      const detection = pipeline.windowSize > 0 ? (await pipeline.detectAndSave(detect, `collect ${listen}`)).result : null;
      archive?.close();
      if (process.stderr.isTTY && !ctx.json) process.stderr.write('\n');
      ctx.print({ type: 'summary', ...final, candidates: detection?.candidates.length ?? 0, windowRecords: pipeline.windowSize, droppedFromWindow: pipeline.dropped },
        (s) => `${counterLine(final, (Date.now() - started) / 1000)}\n${s.candidates} candidate(s) stored\n${table(s.exporters.map((e) => ({ exporter: e.exporter, packets: e.counters.packets, records: e.counters.records, lostRecords: e.counters.lostRecords, lostPackets: e.counters.lostPackets, templates: e.counters.templates, errors: e.counters.errors })))}`);
    });

  withDetectOptions(flows
    .command('import <file>')
    .description('import `nfdump -r FILE -o csv` output (or a mamori flows archive): rollups into the store, then detect candidates')
    .option('--utc', 'times in the file are UTC (mamori archives are; nfdump prints local time)')
    .option('--tz-offset <minutes>', 'times in the file are at this offset east of UTC')
    .option('--sampling-rate <n>', 'multiply packets and bytes by n: only for files with raw counts (nfcapd -s -1); nfcapd already scales by the announced rate')
    .option('--no-detect', 'only roll up; do not compute candidates'))
    .action(async (file: string, opts: FlowsFlags & { utc?: boolean; tzOffset?: string; samplingRate?: string; detect: boolean }) => {
      const detect = detectionOptions(flowsSettings(ctx.config(), opts));
      const samplingRate = opts.samplingRate === undefined ? undefined : Number(opts.samplingRate);
      if (samplingRate !== undefined && !(Number.isSafeInteger(samplingRate) && samplingRate >= 1)) {
        throw new MamoriError('MAMORI_USAGE', { reason: `--sampling-rate: "${opts.samplingRate}" is not a whole number ≥ 1` });
      }
      const platform = await ctx.platform();
      detect.knownBots = [...(detect.knownBots ?? []), ...(await storedKnownBots(platform))];
      const pipeline = new FlowPipeline(platform.store);
      const bar = progressBar({ total: 0, format: 'importing {value} lines', enabled: !ctx.json });
      const tzOffsetMin = opts.utc ? 0 : opts.tzOffset !== undefined ? Number(opts.tzOffset) : undefined;
      const result = await importNfdumpCsv(file, async (batch) => {
        pipeline.add(batch);
        if (pipeline.received % 200_000 < batch.length) await pipeline.flush();
      }, { tzOffsetMin, samplingRate, onProgress: (n) => bar.update(n) }).catch((e) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new MamoriError('MAMORI_USAGE', { reason: `no such file: ${file}` });
        throw e;
      });
      bar.stop();
      await pipeline.flush();
      const detection = opts.detect && pipeline.windowSize > 0 ? await pipeline.detectAndSave(detect, `import ${file}`) : null;
      ctx.print({ ...result, candidates: detection?.result.candidates.length ?? 0, runId: detection?.run.id ?? null, top: detection?.result.candidates.slice(0, 5).map((c) => ({ address: c.address, score: c.score })) ?? [] },
        (r) => `${r.records} records from ${r.lines} lines (${r.errors} bad line(s))${r.firstErrors.length ? `\n  first: line ${r.firstErrors[0].line}: ${r.firstErrors[0].message}` : ''}\n${r.candidates} candidate(s)${r.top.length ? `; top: ${r.top.map((t) => `${t.address} (${t.score})`).join(', ')}` : ''}`);
    });

  flows
    .command('candidates')
    .description('ranked C&C candidates of the latest detection run, with evidence')
    .option('--limit <n>', 'at most this many', '20')
    .option('--min-score <n>', 'only candidates scoring at least this')
    .option('--address <ip>', 'one candidate, with all its evidence')
    .option('--stix [file]', 'write a STIX 2.1 bundle of indicators (to the file, or stdout)')
    .option('--tlp <level>', `TLP marking for --stix (${Object.keys(TLP_MARKINGS).join(', ')})`)
    .action(async (opts: { limit: string; minScore?: string; address?: string; stix?: string | boolean; tlp?: string }) => {
      if (opts.tlp && !(opts.tlp in TLP_MARKINGS)) throw new MamoriError('MAMORI_USAGE', { reason: `--tlp: one of ${Object.keys(TLP_MARKINGS).join(', ')}` });
      const platform = await ctx.platform();
      const store = new FlowsStore(platform.store);
      const { run, candidates } = await store.candidates({ limit: Number(opts.limit), minScore: opts.minScore ? Number(opts.minScore) : undefined, address: opts.address });
      if (opts.stix) {
        const bundle = candidatesToStix(candidates, { tlp: opts.tlp as Tlp | undefined });
        const text = `${JSON.stringify(bundle, null, 2)}\n`;
        if (typeof opts.stix === 'string') { writeFileSync(opts.stix, text); ctx.note(`${candidates.length} indicator(s) written to ${opts.stix}`); }
        else process.stdout.write(text);
        return;
      }
      ctx.print({ run, candidates }, (r) => (r.run ? `run ${r.run.id} (${r.run.source}, ${new Date(r.run.at).toISOString()}): ${r.run.population} internal hosts, ${r.run.endpoints} endpoints, ${r.run.suppressed} allow-listed\n${table(candidateRows(r.candidates))}` : 'no detection run yet (run `mamori flows import` or `mamori flows collect`)'));
    });

  flows
    .command('summary')
    .description('detection history over a time range: runs whose traffic ends in it, distinct C&C candidates (ranked, strong) and the hosts contacting strong ones')
    .option('--since <when>', 'ISO-8601 time or a duration back from now (24h, 180d)', '180d')
    .option('--until <when>', 'ISO-8601 time or duration back from now (exclusive); default now')
    .action(async (opts: { since: string; until?: string }) => {
      const { from, to } = timeRangeOptions(opts);
      const platform = await ctx.platform();
      const sum = await new FlowsStore(platform.store).summary({ from, to });
      ctx.print(sum, (r) => `${new Date(from).toISOString()} – ${new Date(to).toISOString()}: ${r.runs} detection run(s), ${r.candidates} C&C candidate(s) ranked, ${r.strong} strong (score ≥ ${STRONG_CANDIDATE_SCORE}) contacted by ${r.hosts} host(s) (${r.beaconingHosts} beaconing)`);
    });

  flows
    .command('exporters')
    .description('exporters seen by the collector, with their counters (lost records/packets, errors)')
    .action(async () => {
      const platform = await ctx.platform();
      const list = await new FlowsStore(platform.store).exporters();
      ctx.print(list, (l) => table(l.map((e) => ({ exporter: e.exporter, packets: e.counters.packets, records: e.counters.records, lostRecords: e.counters.lostRecords, lostPackets: e.counters.lostPackets, errors: e.counters.errors, updated: new Date(e.updatedAt).toISOString() }))));
    });
}
