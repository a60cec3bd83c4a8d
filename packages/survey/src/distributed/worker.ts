/**
 * A survey worker: takes work items (one aligned block of a run's scope) off the JetStream
 * work queue and surveys them under the run's global rate (shared through the bus), with
 * the run's scope and exclusion list enforced again here — plus the worker's own opt-out
 * list — by the connector every socket goes through. An item's findings are committed with
 * its done marker before the message is acknowledged; while an item runs the worker tells
 * the queue it is alive, so only a dead worker's items are handed to another.
 *
 * The queue delivers at least once, so a worker surveys an item only while it holds the
 * item's claim in the store (claims.ts): a second delivery of an item that is being run
 * waits for that run to finish (or for its holder to die) instead of surveying it again, and
 * a worker that loses its claim (it froze past its lease) stops dialling at once.
 */
import { randomUUID } from 'node:crypto';
import { isMamoriError, MamoriError, type Bus, type Logger, type Store, type WorkMessage, type WorkQueue } from '@mamori/core';
import { SurveyScope, parseScopeText } from '../scope/scope.js';
import type { Dial } from '../scope/connector.js';
import { SocketGate } from '../scope/socket-gate.js';
import { dictionaryDigest, type CredentialDictionary } from '../credentials.js';
import { runSurvey } from '../scheduler.js';
import { SharedRate } from './shared-rate.js';
import { commitItem, itemDone, loadDistributedRun, type DistributedRun } from './dist-store.js';
import { claimItem, releaseClaim, renewClaim } from './claims.js';

/** The default work queue of distributed surveys (JetStream stream MAMORI_Q_SURVEY_WORK). */
export const SURVEY_QUEUE = 'survey-work';

export interface WorkItem {
  runId: string;
  /** An aligned IPv4 block, e.g. `198.51.100.0/24`. */
  block: string;
}

export interface SurveyWorkerOptions {
  dictionary: CredentialDictionary;
  /** A name for this worker in the store (host name, or host:pid). */
  name: string;
  /** This worker's own opt-out list (CIDR lines): added to the run's, never replacing it. */
  exclude?: string;
  /** Sockets in flight in this worker, over all its blocks. */
  concurrency?: number;
  /** Blocks surveyed at once (default 4): a block's slowest devices then overlap the next block's start. */
  blocks?: number;
  /** How often a running item tells the queue it is alive (keep it well under the ack wait). */
  heartbeatMs?: number;
  /** How long an item's claim outlives its last heartbeat (default 3 heartbeats). */
  leaseMs?: number;
  log?: Logger;
  dial?: Dial;
  onItem?(event: { runId: string; block: string; phase: 'start' | 'done' | 'skipped' | 'waiting' | 'lost'; findings?: number; attempts?: number }): void;
}

export interface SurveyWorkerStats {
  items: number;
  skipped: number;
  /** Deliveries of an item another worker was running: waited for, not surveyed again. */
  waited: number;
  failed: number;
  findings: number;
  attempts: number;
}

export interface SurveyWorker {
  readonly stats: SurveyWorkerStats;
  stop(): Promise<void>;
}

function parseItem(msg: WorkMessage): WorkItem {
  const item = msg.json<WorkItem>();
  if (typeof item?.runId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(item.runId) || typeof item.block !== 'string' || item.block.length > 64) {
    throw new MamoriError('MAMORI_SURVEY_INPUT', { reason: 'not a survey work item', field: 'item' });
  }
  return item;
}

export function startSurveyWorker(platform: { store: Store; bus: Bus }, queue: WorkQueue, options: SurveyWorkerOptions): SurveyWorker {
  const stats: SurveyWorkerStats = { items: 0, skipped: 0, waited: 0, failed: 0, findings: 0, attempts: 0 };
  const heartbeatMs = options.heartbeatMs ?? 5000;
  const leaseMs = options.leaseMs ?? 3 * heartbeatMs;
  const digest = dictionaryDigest(options.dictionary);
  const concurrency = Math.max(1, options.concurrency ?? 512);
  const blocks = Math.max(1, options.blocks ?? 4);
  // One socket budget for all the blocks this worker runs at once.
  const gate = new SocketGate(concurrency);
  const runs = new Map<string, Promise<{ run: DistributedRun; scope: SurveyScope; rate: SharedRate }>>();
  const joinRun = (runId: string): Promise<{ run: DistributedRun; scope: SurveyScope; rate: SharedRate }> => {
    let r = runs.get(runId);
    if (!r) {
      r = (async () => {
        const run = await loadDistributedRun(platform.store, runId);
        if (run.dictionary.digest !== digest) {
          throw new MamoriError('MAMORI_SURVEY_DICTIONARY', { field: 'digest', reason: `run ${runId} uses dictionary v${run.dictionary.version} (${run.dictionary.digest.slice(0, 12)}…); this worker holds another` });
        }
        // The run's scope and exclusions, with this worker's own opt-outs on top: exclusion always wins.
        const scope = SurveyScope.fromText(run.scope, `${run.exclude}\n${options.exclude ?? ''}`);
        return { run, scope, rate: await SharedRate.join(platform.bus, runId) };
      })();
      r.catch(() => runs.delete(runId));
      runs.set(runId, r);
    }
    return r;
  };

  const handle = async (msg: WorkMessage): Promise<void> => {
    let item: WorkItem;
    try {
      item = parseItem(msg);
    } catch (e) {
      // A message that can never parse would be redelivered forever: drop it, loudly.
      options.log?.error({ err: e, queue: queue.name }, 'survey worker: dropped a message that is not a work item');
      return;
    }
    const log = options.log?.child({ runId: item.runId, block: item.block, worker: options.name });
    const holder = `${options.name}#${randomUUID().slice(0, 8)}`;
    if (!(await takeClaim(msg, item, holder, log))) {
      stats.skipped++;
      options.onItem?.({ ...item, phase: 'skipped' });
      return;
    }
    const startedAt = Date.now();
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      msg.working();
      renewClaim(platform.store, item.runId, item.block, holder, leaseMs).then((held) => {
        if (!held && !lost.signal.aborted) lost.abort();
      }, (e: unknown) => log?.warn({ err: isMamoriError(e) ? e.message : e }, 'survey worker: could not renew the item\'s claim'));
    }, heartbeatMs);
    try {
      const { run, scope, rate } = await joinRun(item.runId);
      options.onItem?.({ ...item, phase: 'start' });
      const block = new SurveyScope(parseScopeText(item.block), scope.excludePrefixes);
      const addresses = [...block.addresses()].filter((a) => scope.allows(a));
      if (addresses.length === 0) log?.warn('survey worker: item has no address in the run\'s scope; nothing contacted');
      const targets = addresses.flatMap((address) => run.ports.map((port) => ({ address, port })));
      // Items smaller than a /24 share that /24's rate evenly, so the per-/24 limit holds across workers.
      const share = 2 ** Math.max(0, run.itemBits - 24);
      const limits = { ...run.limits, ...(run.limits.perSlash24Rate ? { perSlash24Rate: Math.max(1, run.limits.perSlash24Rate / share) } : {}) };
      const result = await runSurvey({
        scope, ports: run.ports, pairs: options.dictionary.pairs, targets, limits, timeouts: run.timeouts,
        telnetAttemptsPerConnection: run.telnetAttemptsPerConnection, concurrency: Math.ceil(concurrency / blocks), gate, rate,
        runId: run.runId, log, dial: options.dial, signal: lost.signal,
      });
      if (lost.signal.aborted) {
        // Another worker took the item over and runs all of it; ours is partial. Not acked
        // (the message may now be the other worker's): a redelivery waits for that run.
        options.onItem?.({ ...item, phase: 'lost' });
        throw new MamoriError('MAMORI_SURVEY_CLAIM_LOST', { runId: item.runId, item: item.block, holder: 'another worker' });
      }
      const added = await commitItem(platform.store, item.runId, item.block, result.findings, {
        worker: options.name, holder, delivery: msg.deliveryCount, startedAt, stats: { ...result.stats, ms: result.finishedAt - result.startedAt },
      });
      stats.items++;
      stats.findings += added;
      stats.attempts += result.stats.attempts;
      options.onItem?.({ ...item, phase: 'done', findings: added, attempts: result.stats.attempts });
    } catch (e) {
      stats.failed++;
      log?.warn({ err: isMamoriError(e) ? e.message : e }, 'survey worker: item failed; it will be redelivered');
      await releaseClaim(platform.store, item.runId, item.block, holder).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
      throw e;
    } finally {
      clearInterval(heartbeat);
    }
  };

  /**
   * Takes the item's claim; true when this delivery is to survey it, false when the item is
   * done (by this delivery's wait or before). While another live holder runs the item, waits
   * — telling the queue this delivery is alive — until that run ends or its lease lapses.
   */
  const takeClaim = async (msg: WorkMessage, item: WorkItem, holder: string, log: Logger | undefined): Promise<boolean> => {
    for (let waited = false; ; ) {
      const claim = await claimItem(platform.store, item.runId, item.block, holder, leaseMs);
      // Done is checked after claiming: a holder's commit writes the done marker and drops its
      // claim in one transaction, so a claim taken after that commit always sees the marker.
      if (await itemDone(platform.store, item.runId, item.block)) {
        if (claim.held) await releaseClaim(platform.store, item.runId, item.block, holder);
        return false;
      }
      if (claim.held) return true;
      if (!waited) {
        waited = true;
        stats.waited++;
        options.onItem?.({ ...item, phase: 'waiting' });
        log?.info({ holder: claim.holder }, 'survey worker: item is being run by another worker; waiting for it');
      }
      msg.working();
      await new Promise((r) => setTimeout(r, Math.min(heartbeatMs, Math.max(50, claim.leaseUntil - Date.now() + 10))));
    }
  };
  const consumer = queue.consume(handle, { concurrency: blocks });
  return {
    stats,
    async stop() {
      await consumer.stop();
      for (const r of runs.values()) await r.then((x) => x.rate.leave(), () => undefined);
    },
  };
}
