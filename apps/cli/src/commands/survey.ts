/**
 * `mamori survey …`: run a survey (or a re-survey of past findings) inside an authorised
 * scope, list findings, prepare and track ISP notification batches, and report the
 * effectiveness indicators.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MamoriError, formatPrefix } from '@mamori/core';
import {
  DEFAULT_TLS_PORTS, DEFAULT_WEB_PORTS, SurveyScope, batchRows, defaultDictionary, effectiveness, getBatch, listBatches, listFindings, loadDictionary, notificationCsv, notificationJson,
  parseIp2Asn, parseIspMap, prepareBatch, recordRun, resurveyTargets, runSurvey, setBatchState, SURVEY_QUEUE, type AttributionTable, type BatchState,
} from '@mamori/survey';
import { listProducts, nameDevices } from '@mamori/supply';
import { table, type CliContext } from '../context.js';
import { progressBar } from '../progress.js';
import { registerSurveyWorker, runDistributed } from './survey-distributed.js';

const int = (name: string, min = 1, max = 1_000_000) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new MamoriError('MAMORI_USAGE', { reason: `--${name} must be an integer in ${min}..${max}` });
  return n;
};

const portList = (name: string) => (v: string): number[] => {
  const out = v.split(',').map((p) => Number(p.trim()));
  if (out.length === 0 || out.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new MamoriError('MAMORI_USAGE', { reason: `--${name} must be a comma-separated list of ports` });
  return out;
};
const ports = portList('ports');

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new MamoriError('MAMORI_USAGE', { reason: `cannot read ${path}: ${(e as Error).message}` });
  }
}

function attribution(opts: { ip2asn?: string; ispMap?: string }): AttributionTable | undefined {
  if (!opts.ip2asn) return undefined;
  return parseIp2Asn(read(opts.ip2asn), opts.ispMap ? parseIspMap(read(opts.ispMap)) : undefined);
}

const day = (ms?: number): string => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

interface RunOptions {
  scope: string;
  exclude?: string;
  ports: number[];
  tlsPorts: number[];
  webPorts: number[];
  rate: number;
  per24Rate: number;
  hostConnections: number;
  maxAttempts: number;
  concurrency: number;
  attemptsPerConnection: number;
  httpPipeline: number;
  dictionary?: string;
  ip2asn?: string;
  ispMap?: string;
  resurvey?: boolean;
  bannerMs: number;
  replyMs: number;
  maxRetries: number;
  distributed?: boolean;
  queue: string;
  itemBits: number;
  ackWait: string;
}

export function registerSurvey(program: Command, ctx: CliContext): void {
  const survey = program.command('survey').description('weak-credential IoT survey: scan an authorised scope, notify ISPs, measure the effect');

  survey.command('run')
    .description('survey the authorised scope (Telnet, SSH, HTTP(S) Basic/Digest) and store the findings')
    .requiredOption('--scope <file>', 'authorised scope: one CIDR per line (required; nothing outside is ever contacted)')
    .option('--exclude <file>', 'exclusion / opt-out list: one CIDR per line (always wins over the scope)')
    .option('--ports <list>', 'ports to scan', ports, [23, 2323, 22, 80, 8080, 443, 8443])
    .option('--tls-ports <list>', 'ports whose services are probed over TLS (HTTPS; certificates are recorded, not verified)', portList('tls-ports'), [...DEFAULT_TLS_PORTS])
    .option('--web-ports <list>', 'ports where a web server is expected: the HTTP request goes out at once, without the --banner-ms wait', portList('web-ports'), [...DEFAULT_WEB_PORTS])
    .option('--rate <n>', 'new connections per second, whole run', int('rate'), 2000)
    .option('--per24-rate <n>', 'new connections per second into any one /24', int('per24-rate'), 200)
    .option('--host-connections <n>', 'simultaneous connections to one address', int('host-connections', 1, 64), 2)
    .option('--max-attempts <n>', 'login attempts one address may receive in the run', int('max-attempts'), 200)
    .option('--concurrency <n>', 'address×port tasks in flight', int('concurrency', 1, 20000), 1000)
    .option('--attempts-per-connection <n>', 'Telnet pairs tried per connection', int('attempts-per-connection', 1, 10), 3)
    .option('--http-pipeline <n>', 'most HTTP login attempts sent per write on one keep-alive connection (starts at 4, doubles while all are answered; 1: no pipelining)', int('http-pipeline', 1, 16), 16)
    .option('--dictionary <file>', 'credential dictionary (default: the bundled credentials-v1.json)')
    .option('--ip2asn <file>', 'ip2asn TSV for prefix → ASN → ISP attribution')
    .option('--isp-map <file>', '"asn<TAB>ISP" lines naming the carrier of each AS')
    .option('--resurvey', 're-check the stored weak findings instead of sweeping the scope')
    .option('--banner-ms <n>', 'wait for a service to speak first', int('banner-ms', 100, 60000), 1500)
    .option('--reply-ms <n>', 'wait for any prompt or response', int('reply-ms', 100, 120000), 4000)
    .option('--max-retries <n>', 'retries one address gets after a timeout, reset or lost reply (may be the scanner\'s own overload)', int('max-retries', 0, 20), 2)
    .option('--distributed', 'split the scope into blocks on a JetStream queue for `mamori survey worker` processes (needs MAMORI_NATS_URL)')
    .option('--queue <name>', 'with --distributed: the work queue', SURVEY_QUEUE)
    .option('--item-bits <n>', 'with --distributed: prefix length of a block (24 = one /24 per block, the per-/24 rate then holds exactly)', int('item-bits', 8, 32), 24)
    .option('--ack-wait <duration>', 'with --distributed: how long a dead worker\'s block waits before another worker gets it', '30s')
    .action(async (opts: RunOptions) => {
      const scopeText = read(opts.scope);
      const excludeText = opts.exclude ? read(opts.exclude) : '';
      const scope = SurveyScope.fromText(scopeText, excludeText);
      const dict = opts.dictionary ? loadDictionary(opts.dictionary) : defaultDictionary();
      const who = attribution(opts);
      const limits = { globalRate: opts.rate, perSlash24Rate: opts.per24Rate, perHostConnections: opts.hostConnections, maxAttemptsPerHost: opts.maxAttempts, maxRetriesPerHost: opts.maxRetries, tlsPorts: opts.tlsPorts };
      if (opts.distributed) {
        if (opts.resurvey) throw new MamoriError('MAMORI_USAGE', { reason: '--resurvey runs locally; drop --distributed' });
        await runDistributed(ctx, {
          scopeText, excludeText, ports: opts.ports, dictionary: dict, limits, timeouts: { bannerMs: opts.bannerMs, replyMs: opts.replyMs, webPorts: opts.webPorts },
          telnetAttemptsPerConnection: opts.attemptsPerConnection, queue: opts.queue, itemBits: opts.itemBits, ackWait: opts.ackWait,
        }, who);
        return;
      }
      const platform = await ctx.platform();
      const targets = opts.resurvey ? await resurveyTargets(platform.store) : undefined;
      const bar = progressBar({
        total: targets ? targets.length : scope.count() * opts.ports.length,
        enabled: !ctx.json,
        format: 'survey |{bar}| {percentage}% | addr {addresses} | open {openPorts} | attempts {attempts} | findings {findings} | {connectsPerSecond} conn/s',
      });
      let result;
      try {
        result = await runSurvey({
          scope, ports: opts.ports, pairs: dict.pairs, targets, log: ctx.logger(),
          concurrency: opts.concurrency, telnetAttemptsPerConnection: opts.attemptsPerConnection, httpPipeline: opts.httpPipeline,
          limits,
          timeouts: { bannerMs: opts.bannerMs, replyMs: opts.replyMs, webPorts: opts.webPorts },
          onProgress: (p) => bar.update(p.tasksDone, { ...p }),
        });
      } finally {
        bar.stop();
      }
      const stored = await recordRun(platform.store, result, {
        kind: opts.resurvey ? 'resurvey' : 'survey', attribution: who, scope: scope.includePrefixes.map(formatPrefix),
      });
      const summary = { runId: result.runId, seconds: (result.finishedAt - result.startedAt) / 1000, ...result.stats, ...stored, dictionaryVersion: dict.version };
      ctx.print(summary, (s) => table(Object.entries(s).map(([k, v]) => ({ field: k, value: typeof v === 'object' ? JSON.stringify(v) : v }))));
    });

  registerSurveyWorker(survey, ctx, read, int);

  survey.command('findings')
    .description('list findings (never a password: only the dictionary id)')
    .option('--isp <name>', 'only this ISP')
    .option('--status <status>', 'weak or fixed')
    .option('--limit <n>', 'at most n rows', int('limit'), 1000)
    .action(async (opts: { isp?: string; status?: 'weak' | 'fixed'; limit: number }) => {
      if (opts.status && opts.status !== 'weak' && opts.status !== 'fixed') throw new MamoriError('MAMORI_USAGE', { reason: '--status must be weak or fixed' });
      const { store } = await ctx.platform();
      // Devices named by model from the supply trusted list (banner or model string the survey saw).
      const rows = nameDevices(await listFindings(store, opts), await listProducts(store));
      ctx.print(rows, (r) => table(r.map((f) => ({
        address: f.address, port: f.port, protocol: f.protocol, type: f.type, pair: f.credentialId ?? '', isp: f.isp ?? '', status: f.status, first: day(f.firstSeen), last: day(f.lastSeen),
        model: f.product ? `${f.product.manufacturer} ${f.product.model}` : (f.model ?? ''),
      }))));
    });

  survey.command('notify')
    .description('prepare a notification batch for an ISP (its weak devices not yet notified) and write it as CSV and JSON')
    .requiredOption('--isp <name>', 'the ISP to notify')
    .option('--out <dir>', 'directory for the batch files', '.')
    .action(async (opts: { isp: string; out: string }) => {
      const { store } = await ctx.platform();
      const batch = await prepareBatch(store, opts.isp);
      if (!batch) {
        ctx.print({ isp: opts.isp, batch: null }, () => `nothing to notify for ${opts.isp}`);
        return;
      }
      const rows = await batchRows(store, batch.id);
      mkdirSync(opts.out, { recursive: true });
      const base = join(opts.out, `survey-${opts.isp.replace(/[^A-Za-z0-9._-]+/g, '_')}-${batch.id}`);
      writeFileSync(`${base}.csv`, notificationCsv(rows));
      writeFileSync(`${base}.json`, notificationJson(batch, rows));
      ctx.print({ ...batch, files: [`${base}.csv`, `${base}.json`] }, (b) => `batch ${b.id} for ${b.isp}: ${b.items} device(s), state ${b.state}\n  ${b.files.join('\n  ')}`);
    });

  survey.command('batch')
    .description('show batches, or move one to sent / acknowledged')
    .argument('[id]', 'batch id')
    .argument('[state]', 'sent or acknowledged')
    .option('--isp <name>', 'only this ISP')
    .action(async (id: string | undefined, state: string | undefined, opts: { isp?: string }) => {
      const { store } = await ctx.platform();
      if (!id) {
        const rows = await listBatches(store, opts);
        ctx.print(rows, (r) => table(r.map((b) => ({ id: b.id, isp: b.isp, state: b.state, items: b.items, created: day(b.createdAt), sent: day(b.sentAt), acknowledged: day(b.acknowledgedAt) }))));
        return;
      }
      if (!state) {
        ctx.print(await getBatch(store, id));
        return;
      }
      if (state !== 'sent' && state !== 'acknowledged') throw new MamoriError('MAMORI_USAGE', { reason: 'state must be sent or acknowledged' });
      ctx.print(await setBatchState(store, id, state as BatchState), (b) => `batch ${b.id}: ${b.state}`);
    });

  survey.command('report')
    .description('effectiveness: found, notified, fixed, still weak, time to fix, month-over-month trend')
    .action(async () => {
      const e = await effectiveness((await ctx.platform()).store);
      ctx.print(e, (r) => [
        'Per ISP',
        table([...r.byIsp, r.overall].map((i) => ({ isp: i.isp, found: i.found, notified: i.notified, fixed: i.fixed, stillWeak: i.stillWeak, fixRate: i.fixRate ?? '', medianDaysToFix: i.medianDaysToFix ?? '', meanDaysToFix: i.meanDaysToFix ?? '' }))),
        '',
        'Month over month',
        table(r.months.map((m) => ({ month: m.month, new: m.newFindings, weakSeen: m.weakObserved, change: m.weakChange ?? '', notified: m.notified, fixed: m.fixed }))),
      ].join('\n'));
    });
}
