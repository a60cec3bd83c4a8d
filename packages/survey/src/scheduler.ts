/**
 * The survey scheduler: walks the scope's addresses × ports with a bounded number of tasks
 * in flight, fingerprints each open port and runs the login probe that fits it. Scope,
 * exclusions, rates, per-host connections and the per-host attempt budget are all enforced
 * by the one connector every probe gets its sockets from; every log line carries the run id.
 */
import { randomUUID } from 'node:crypto';
import { createLogger, isMamoriError, type Logger } from '@mamori/core';
import { SurveyConnector, type ConnectorLimits, type Dial } from './scope/connector.js';
import type { SurveyScope } from './scope/scope.js';
import type { CredentialPair } from './credentials.js';
import { DEFAULT_TIMEOUTS, type LoginOutcome, type ProbeContext, type ProbeTimeouts } from './probes/context.js';
import { fingerprint, modelOf } from './probes/fingerprint.js';
import { telnetLogin } from './probes/telnet.js';
import { sshLogin } from './probes/ssh.js';
import { httpLogin } from './probes/http.js';
import type { Finding, ServiceRecord } from './types.js';

export interface SurveyOptions {
  scope: SurveyScope;
  ports: readonly number[];
  pairs: readonly CredentialPair[];
  limits?: Partial<ConnectorLimits>;
  timeouts?: Partial<ProbeTimeouts>;
  /** Connect-scan tasks (address, port) in flight at once. */
  concurrency?: number;
  /** Open ports being fingerprinted and probed at once (default: min(concurrency, 1000)). */
  probeConcurrency?: number;
  telnetAttemptsPerConnection?: number;
  runId?: string;
  log?: Logger;
  /** Explicit targets (a re-survey); each is still checked against the scope. */
  targets?: readonly { address: string; port: number }[];
  dial?: Dial;
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
  stats: SurveyProgress & { peakInFlight: number; refused: number; connects: number };
  /** The explicit targets of a re-survey (so closed ports count as checked, not forgotten). */
  targets?: { address: string; port: number }[];
}

export async function runSurvey(options: SurveyOptions): Promise<SurveyResult> {
  const runId = options.runId ?? randomUUID();
  const log = (options.log ?? createLogger({ level: 'silent', pretty: false })).child({ runId });
  const connector = new SurveyConnector(options.scope, options.limits, log, options.dial);
  const startedAt = Date.now();
  const progress: SurveyProgress = { addresses: 0, tasksDone: 0, tasksTotal: 0, openPorts: 0, attempts: 0, findings: 0, connectsPerSecond: 0 };
  const ctx: ProbeContext = {
    connector,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    log,
    telnetAttemptsPerConnection: options.telnetAttemptsPerConnection ?? 3,
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

  const record = (f: Finding): void => {
    findings.push(f);
    progress.findings++;
    log.info({ address: f.address, port: f.port, protocol: f.protocol, type: f.type, credentialId: f.credentialId }, 'finding');
  };

  /**
   * Probing one open port: fingerprint, then the login probe that fits. Returns false when the
   * service answered the scan but not the probe (busy, or the prober was late): retried once.
   */
  const probe = async (address: string, port: number, lastTry: boolean): Promise<boolean> => {
    const service = await fingerprint(ctx, address, port);
    if (!service) return lastTry;
    if (!lastTry && (service.protocol === 'unknown' || (service.protocol === 'telnet' && !service.prompt && !service.open))) return false;
    services.push(service);
    const base = { runId, address, port, protocol: service.protocol, banner: service.banner, model: modelOf(service) };
    if (service.open) {
      record({ ...base, type: 'no-auth', method: 'none', evidenceAt: service.seenAt });
      return true;
    }
    let outcome: LoginOutcome | null = null;
    if (service.protocol === 'telnet' && service.prompt) outcome = await telnetLogin(ctx, address, port, options.pairs);
    else if (service.protocol === 'ssh') outcome = await sshLogin(ctx, address, port, options.pairs);
    else if (service.protocol === 'http' && service.authScheme) outcome = await httpLogin(ctx, address, port, options.pairs);
    if (!outcome) return true;
    if (!lastTry && outcome.stopped === 'unresponsive' && outcome.attempts === 0) return false;
    if (outcome.success) {
      record({ ...base, type: 'weak-credential', credentialId: outcome.success.credentialId, method: outcome.success.method, evidenceAt: outcome.success.at });
    } else {
      checked.push({ address, port, protocol: service.protocol, attempts: outcome.attempts, stopped: outcome.stopped });
      if (outcome.stopped) log.debug({ address, port, stopped: outcome.stopped, attempts: outcome.attempts }, 'probe stopped');
    }
    return true;
  };

  /** Connect scan of one port: an open port goes to the probe queue. */
  const discover = async (address: string, port: number): Promise<boolean> => {
    if (!options.scope.allows(address)) return false; // re-survey targets that have since opted out
    try {
      const socket = await connector.connect(address, port);
      socket.destroy();
      return true;
    } catch (e) {
      if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) return false;
      throw e;
    }
  };

  const concurrency = Math.max(1, options.concurrency ?? 512);
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
  // Discovery and probing run side by side with separate limits, so thousands of pending
  // connects never starve the login conversations of their time.
  const open: { address: string; port: number; retried?: boolean }[] = [];
  let discovering = true;
  let wake: (() => void)[] = [];
  const notify = (): void => { const w = wake; wake = []; for (const f of w) f(); };
  const discoverers = Array.from({ length: concurrency }, async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) {
      const { address, port } = next.value;
      let isOpen = false;
      try {
        isOpen = await discover(address, port);
      } catch (e) {
        log.warn({ address, port, err: (e as Error).message }, 'discovery failed');
      }
      if (isOpen) {
        progress.openPorts++;
        open.push({ address, port });
        notify();
      } else {
        progress.tasksDone++;
      }
    }
  });
  const probers = Array.from({ length: Math.max(1, options.probeConcurrency ?? Math.min(concurrency, 1000)) }, async () => {
    for (;;) {
      const job = open.shift();
      if (!job) {
        if (!discovering) return;
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      let done = true;
      try {
        done = await probe(job.address, job.port, job.retried === true);
      } catch (e) {
        log.warn({ address: job.address, port: job.port, err: (e as Error).message }, 'probe failed');
      }
      if (!done) {
        log.debug({ address: job.address, port: job.port }, 'no answer to the probe; retrying once later');
        open.push({ ...job, retried: true });
        continue;
      }
      progress.tasksDone++;
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
  log.info({ ...progress, peakInFlight: connector.stats.peakInFlight, ms: finishedAt - startedAt }, 'survey finished');
  return {
    runId, startedAt, finishedAt, services, findings, checked, targets: options.targets ? [...options.targets] : undefined,
    stats: { ...progress, peakInFlight: connector.stats.peakInFlight, refused: connector.stats.refused, connects: connector.stats.connects },
  };
}
