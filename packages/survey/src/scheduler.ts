/**
 * The survey scheduler: walks the scope's addresses × ports, fingerprints each open port
 * and runs the login probe that fits it. Scope, exclusions, rates, per-host connections,
 * the per-host attempt and retry budgets and the run's socket budget are all enforced by the
 * one connector every probe gets its sockets from; every log line carries the run id.
 *
 * Sockets in flight never exceed `concurrency` (the connector's socket gate, probes served
 * first). A failure that may be ours — a connect timeout or reset, a service that hung up
 * before a word, a login conversation that lost a reply — is retried with back-off while the
 * host has retries left; each task ends in one counted `TaskOutcome`, so a run that finds
 * too little says why.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@mamori/core';
import { SurveyConnector, connectFailure, type ConnectorLimits, type ConnectorStats, type Dial, type RateGate } from './scope/connector.js';
import type { SurveyScope } from './scope/scope.js';
import type { SocketGate } from './scope/socket-gate.js';
import { sleep } from './scope/token-bucket.js';
import type { CredentialPair } from './credentials.js';
import { DEFAULT_TIMEOUTS, type ProbeContext, type ProbeTimeouts } from './probes/context.js';
import { probeService, type ServiceVerdict, type TaskOutcome } from './probes/service.js';
import type { Finding, ServiceRecord } from './types.js';

export interface SurveyOptions {
  scope: SurveyScope;
  ports: readonly number[];
  pairs: readonly CredentialPair[];
  limits?: Partial<ConnectorLimits>;
  timeouts?: Partial<ProbeTimeouts>;
  /** Sockets in flight at once, scan and probes together (the connector's `maxSockets` unless that is given). */
  concurrency?: number;
  /** Open ports being fingerprinted and probed at once (default: min(concurrency / 2, 1000)). */
  probeConcurrency?: number;
  /** The global connection rate shared with other workers of the run (default: a local bucket at `limits.globalRate`). */
  rate?: RateGate;
  /** A socket budget shared with other surveys in this process (a worker's blocks); default: one of `concurrency` sockets. */
  gate?: SocketGate;
  telnetAttemptsPerConnection?: number;
  /**
   * Most HTTP login attempts pipelined per write on one keep-alive connection (default 16; a
   * lane starts at 4 and doubles while every request is answered; 1 turns pipelining off). A
   * server that does not pipeline gets the unanswered ones again singly.
   */
  httpPipeline?: number;
  runId?: string;
  log?: Logger;
  /** Explicit targets (a re-survey); each is still checked against the scope. */
  targets?: readonly { address: string; port: number }[];
  dial?: Dial;
  /**
   * Ends the survey early: no new connection is dialled once it fires, and tasks not yet
   * started are dropped (conversations already under way end by themselves). A distributed
   * worker fires it when it loses an item's claim.
   */
  signal?: AbortSignal;
  onProgress?(p: SurveyProgress): void;
}

export interface SurveyProgress {
  addresses: number;
  tasksDone: number;
  tasksTotal: number;
  openPorts: number;
  attempts: number;
  findings: number;
  connectsPerSecond: number;
}

export interface SurveyResult {
  runId: string;
  startedAt: number;
  finishedAt: number;
  services: ServiceRecord[];
  findings: Finding[];
  /** Services whose every login was tried and refused, or tried until a stop reason. */
  checked: { address: string; port: number; protocol: string; attempts: number; stopped?: string }[];
  stats: SurveyProgress & {
    peakInFlight: number; refused: number; connects: number; localRetries: number;
    /** How every address×port task ended. */
    outcomes: Partial<Record<TaskOutcome, number>>;
    /** Failed connects by reason. */
    failures: ConnectorStats['failures'];
  };
  /** The explicit targets of a re-survey (so closed ports count as checked, not forgotten). */
  targets?: { address: string; port: number }[];
}

export async function runSurvey(options: SurveyOptions): Promise<SurveyResult> {
  const runId = options.runId ?? randomUUID();
  const log = (options.log ?? createLogger({ level: 'silent', pretty: false })).child({ runId });
  const concurrency = Math.max(1, options.concurrency ?? 512);
  const limits = { maxSockets: concurrency, ...options.limits };
  const connector = new SurveyConnector(options.scope, limits, log, options.dial, options.rate, options.gate, options.signal);
  const aborted = (): boolean => options.signal?.aborted === true;
  const startedAt = Date.now();
  const progress: SurveyProgress = { addresses: 0, tasksDone: 0, tasksTotal: 0, openPorts: 0, attempts: 0, findings: 0, connectsPerSecond: 0 };
  const outcomes: Partial<Record<TaskOutcome, number>> = {};
  const ctx: ProbeContext = {
    connector,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    log,
    telnetAttemptsPerConnection: options.telnetAttemptsPerConnection ?? 3,
    httpPipeline: options.httpPipeline ?? 16,
    onAttempt: () => { progress.attempts++; },
  };
  const services: ServiceRecord[] = [];
  const findings: Finding[] = [];
  const checked: SurveyResult['checked'] = [];

  function* tasks(): Generator<{ address: string; port: number }> {
    if (options.targets) {
      progress.tasksTotal = options.targets.length;
      progress.addresses = new Set(options.targets.map((t) => t.address)).size;
      yield* options.targets;
      return;
    }
    progress.tasksTotal = options.scope.count() * options.ports.length;
    for (const address of options.scope.addresses()) {
      progress.addresses++;
      for (const port of options.ports) yield { address, port };
    }
  }

  const finish = (outcome: TaskOutcome): void => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    progress.tasksDone++;
  };
  const settle = (v: ServiceVerdict, address: string, port: number): void => {
    if (v.service) services.push(v.service);
    if (v.finding) {
      const f: Finding = { runId, ...v.finding };
      findings.push(f);
      progress.findings++;
      log.info({ address: f.address, port: f.port, protocol: f.protocol, type: f.type, credentialId: f.credentialId }, 'finding');
    } else if (v.login && v.service) {
      checked.push({ address, port, protocol: v.service.protocol, attempts: v.login.attempts, stopped: v.login.stopped });
      if (v.login.stopped) log.debug({ address, port, stopped: v.login.stopped, attempts: v.login.attempts }, 'probe stopped');
    }
    finish(v.outcome);
  };
  /** Back-off before retry `n` (1, 2, …): 250 ms doubling, jittered so retries do not arrive in step. */
  const backoff = (n: number): Promise<void> => sleep(250 * 2 ** Math.min(n - 1, 4) * (0.5 + Math.random()));

  /** Connect scan of one port, retried after failures that may be ours. */
  const discover = async (address: string, port: number): Promise<'open' | TaskOutcome> => {
    if (!options.scope.allows(address)) return 'excluded'; // re-survey targets that have since opted out
    for (let retry = 1; ; retry++) {
      try {
        (await connector.connect(address, port, 'scan')).destroy();
        return 'open';
      } catch (e) {
        const failure = connectFailure(e);
        if (failure === 'refused') return 'closed';
        if (failure !== 'transient') throw e;
        if (!connector.spendRetry(address)) return 'unreachable';
        await backoff(retry);
      }
    }
  };

  /**
   * Fingerprint and login probe of one open port, retried while the verdict may be ours. A
   * retry sends only the pairs the device has not yet refused; one that got further (more
   * pairs refused) is free, bounded by the host's attempt budget, one that did not spends a
   * retry. Every inconclusive probe also eases the socket budget: lost replies under load
   * are the peer telling us we ask too much at once.
   */
  const probe = async (address: string, port: number): Promise<void> => {
    let pairs = options.pairs;
    for (let retry = 1; ; retry++) {
      const verdict = await probeService(ctx, address, port, pairs);
      const refused = new Set(verdict.login?.refused ?? []);
      const progressed = refused.size > 0 && connector.attemptsLeft(address) > 0;
      if (!verdict.transient || !(progressed || connector.spendRetry(address))) {
        settle(verdict, address, port);
        return;
      }
      if (refused.size) pairs = pairs.filter((p) => !refused.has(p.id));
      connector.gate.ease();
      log.debug({ address, port, why: verdict.transient, retry, pairsLeft: pairs.length }, 'probe inconclusive; retrying');
      await backoff(retry);
    }
  };

  const iterator = tasks();
  let lastConnects = 0;
  let lastTick = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    progress.connectsPerSecond = Math.round(((connector.stats.connects - lastConnects) * 1000) / (now - lastTick));
    lastConnects = connector.stats.connects;
    lastTick = now;
    options.onProgress?.({ ...progress });
  }, 500);
  log.info({ ports: options.ports, pairs: options.pairs.length, limits: connector.limits, concurrency }, 'survey started');
  // Discovery and probing run side by side; both draw sockets from the one gate, probes
  // first, so thousands of pending connects never starve the login conversations.
  const open: { address: string; port: number }[] = [];
  let discovering = true;
  let wake: (() => void)[] = [];
  // One idle prober per open port found (waking them all for each port made thousands of
  // wake-ups per port at the start of a sweep); all of them once discovery is over.
  const notifyOne = (): void => { wake.shift()?.(); };
  const notify = (): void => { const w = wake; wake = []; for (const f of w) f(); };
  const discoverers = Array.from({ length: concurrency }, async () => {
    for (let next = iterator.next(); !next.done && !aborted(); next = iterator.next()) {
      const { address, port } = next.value;
      let result: 'open' | TaskOutcome = 'error';
      try {
        result = await discover(address, port);
      } catch (e) {
        if (!aborted()) log.warn({ address, port, err: (e as Error).message }, 'discovery failed');
      }
      if (result === 'open') {
        progress.openPorts++;
        open.push({ address, port });
        notifyOne();
      } else {
        finish(result);
      }
    }
  });
  const probers = Array.from({ length: Math.max(1, options.probeConcurrency ?? Math.min(Math.ceil(concurrency / 2), 1000)) }, async () => {
    for (;;) {
      const job = aborted() ? undefined : open.shift();
      if (!job) {
        if (!discovering) return;
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      try {
        await probe(job.address, job.port);
      } catch (e) {
        if (!aborted()) log.warn({ address: job.address, port: job.port, err: (e as Error).message }, 'probe failed');
        finish('error');
      }
    }
  });
  try {
    await Promise.all(discoverers);
    discovering = false;
    notify();
    await Promise.all(probers);
  } finally {
    clearInterval(ticker);
  }
  const finishedAt = Date.now();
  options.onProgress?.({ ...progress });
  const { peakInFlight, refused, connects, localRetries, failures } = connector.stats;
  log.info({ ...progress, outcomes, failures, peakInFlight, ms: finishedAt - startedAt }, 'survey finished');
  return {
    runId, startedAt, finishedAt, services, findings, checked, targets: options.targets ? [...options.targets] : undefined,
    stats: { ...progress, peakInFlight, refused, connects, localRetries, outcomes, failures },
  };
}
