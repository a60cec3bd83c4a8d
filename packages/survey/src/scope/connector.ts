/**
 * The one door to the network. Every TCP connection a survey opens goes through
 * `SurveyConnector.connect`, which refuses any address outside the authorised scope or on
 * the exclusion list before a socket exists, then waits for the per-host connection limit,
 * a slot in the run's socket budget, the global rate and the per-/24 rate, and only then
 * dials. Probes receive sockets from here and never call `net.connect` themselves. On ports
 * configured as TLS (`tlsPorts`) a probe's socket is a TLS session (see `tls.ts`).
 *
 * A connect that fails for lack of a local resource (EMFILE, EADDRNOTAVAIL, …) says nothing
 * about the device: the connector shrinks the socket budget and dials again, so such a
 * failure never reaches a probe as "closed".
 */
import net from 'node:net';
import { MamoriError, ipv4Slash24, isMamoriError, tryParseIpv4, type Logger } from '@mamori/core';
import type { SurveyScope } from './scope.js';
import { KeyedBuckets, TokenBucket, sleep } from './token-bucket.js';
import { SocketGate, type GatePriority } from './socket-gate.js';
import { ioTimeout } from '../protocol/io-timer.js';
import { DEFAULT_TLS_PORTS, secureSocket } from './tls.js';

export interface ConnectorLimits {
  /** New connections per second over the whole run. */
  globalRate: number;
  /** New connections per second into any one /24 (IPv4) — spreads load over networks. */
  perSlash24Rate: number;
  /** Simultaneous connections to one address. */
  perHostConnections: number;
  /** Login attempts one address may receive in the whole run. */
  maxAttemptsPerHost: number;
  connectTimeoutMs: number;
  /** Sockets open at once over the whole run (scan and probes together); keep it under the fd limit. */
  maxSockets: number;
  /**
   * Retries one address may get after transient failures (a reset, a timeout, a service that
   * hung up before speaking) — under overload these are ours, not the device's.
   */
  maxRetriesPerHost: number;
  /**
   * Ports whose probes speak TLS (HTTPS). The connect scan stays plain TCP; the TLS handshake
   * shares `connectTimeoutMs` with the TCP connect.
   */
  tlsPorts: readonly number[];
}

export const DEFAULT_LIMITS: ConnectorLimits = {
  globalRate: 2000,
  perSlash24Rate: 500,
  perHostConnections: 2,
  maxAttemptsPerHost: 200,
  connectTimeoutMs: 3000,
  maxSockets: 1024,
  maxRetriesPerHost: 3,
  tlsPorts: DEFAULT_TLS_PORTS,
};

/** Errors that say this machine ran short of something, not that the peer refused. */
const LOCAL_ERRNO = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM', 'EAGAIN']);
/** Local-resource failures one connect rides out (with back-off) before it gives up. */
const LOCAL_RETRIES = 40;

/**
 * How a failed connect reads: `refused` (RST to our SYN: the port is closed) is an answer;
 * anything else — timeout, reset, unreachable, local exhaustion — may be ours and is retried
 * within the host's retry budget.
 */
export function connectFailure(e: unknown): 'refused' | 'transient' | undefined {
  if (!isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) return undefined;
  return e.details?.reason === 'ECONNREFUSED' ? 'refused' : 'transient';
}

/** The global connection rate: a local token bucket, or one shared by every worker of a run. */
export interface RateGate {
  /** Resolves when one new connection may be made. */
  take(): Promise<void>;
}

export function localRate(rate: number): RateGate {
  const bucket = new TokenBucket(rate, Math.max(1, Math.ceil(rate / 10)));
  return { take: () => sleep(bucket.reserve()) };
}

/** How a socket is made: `net.connect` in production; tests pass a wrapper that records every call. */
export type Dial = (options: { host: string; port: number }) => net.Socket;

export interface ConnectorStats {
  connects: number;
  connected: number;
  failed: number;
  refused: number;
  inFlight: number;
  peakInFlight: number;
  /** Failed connects by reason (ECONNREFUSED, timeout, ECONNRESET, EMFILE, …): the first thing to read when a run finds too little. */
  failures: Record<string, number>;
  /** Connects dialed again after a local-resource failure. */
  localRetries: number;
}

interface HostState {
  active: number;
  waiters: (() => void)[];
  attempts: number;
  retries: number;
}

export class SurveyConnector {
  readonly limits: ConnectorLimits;
  readonly stats: ConnectorStats = { connects: 0, connected: 0, failed: 0, refused: 0, inFlight: 0, peakInFlight: 0, failures: {}, localRetries: 0 };
  readonly gate: SocketGate;
  private readonly global: RateGate;
  private readonly perNet: KeyedBuckets;
  private readonly hosts = new Map<string, HostState>();
  private readonly dial: Dial;

  constructor(
    private readonly scope: SurveyScope,
    limits: Partial<ConnectorLimits> = {},
    private readonly log?: Logger,
    dial?: Dial,
    globalRate?: RateGate,
    gate?: SocketGate,
    /** Once fired, no new connection is dialled (the survey was told to stop). */
    private readonly signal?: AbortSignal,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.gate = gate ?? new SocketGate(this.limits.maxSockets);
    this.global = globalRate ?? localRate(this.limits.globalRate);
    this.perNet = new KeyedBuckets(this.limits.perSlash24Rate, Math.max(1, Math.ceil(this.limits.perSlash24Rate / 10)));
    this.dial = dial ?? ((o) => net.connect(o));
  }

  /** Throws unless the address may be contacted (and the survey is not stopping). Called before any waiting and again just before dialing. */
  assertAllowed(address: string, port: number): void {
    if (this.signal?.aborted) throw new MamoriError('MAMORI_SURVEY_ABORTED', { address, port });
    const verdict = this.scope.check(address);
    if (!verdict.allowed) {
      this.stats.refused++;
      this.log?.warn({ address, port, reason: verdict.reason }, 'connect refused by scope');
      throw new MamoriError('MAMORI_SURVEY_OUT_OF_SCOPE', { address, port, reason: verdict.reason });
    }
  }

  /**
   * A connected socket to `address:port`, or a MAMORI_SURVEY_CONNECT error (refused, reset,
   * timed out — see `connectFailure`). Scans wait behind probes for a socket slot. The
   * per-host slot and the socket slot are released when the socket has closed.
   */
  async connect(address: string, port: number, priority: GatePriority = 'probe'): Promise<net.Socket> {
    this.assertAllowed(address, port);
    const host = this.host(address);
    await this.acquireSlot(host);
    let socket: net.Socket;
    try {
      for (let local = 0; ; local++) {
        try {
          socket = await this.dialOnce(address, port, priority);
          break;
        } catch (e) {
          const reason = String((e as MamoriError).details?.reason ?? '');
          if (!LOCAL_ERRNO.has(reason) || local >= LOCAL_RETRIES) throw e;
          // Not the device's doing: fewer sockets, a pause, and dial again.
          this.gate.pressure();
          this.stats.localRetries++;
          await sleep(Math.min(1000, 10 * 2 ** Math.min(local, 7)));
        }
      }
    } catch (e) {
      this.releaseSlot(address, host);
      throw e;
    }
    return socket;
  }

  /**
   * One dial: a socket slot, the rates, the scope check again, then the TCP connect and, on a
   * TLS port (not for the scan), the handshake, both within `connectTimeoutMs`. The socket
   * counts as connected only once the whole of it is done; a failure destroys it, whose
   * 'close' gives the socket slot back (the caller gives back the host slot).
   */
  private async dialOnce(address: string, port: number, priority: GatePriority): Promise<net.Socket> {
    await this.gate.acquire(priority);
    let socket: net.Socket | undefined;
    try {
      const v4 = tryParseIpv4(address);
      await Promise.all([this.global.take(), sleep(v4 >= 0 ? this.perNet.reserve(ipv4Slash24(v4)) : 0)]);
      this.assertAllowed(address, port);
      this.stats.connects++;
      this.stats.inFlight++;
      if (this.stats.inFlight > this.stats.peakInFlight) this.stats.peakInFlight = this.stats.inFlight;
      const dialedAt = Date.now();
      socket = this.dial({ host: address, port });
      const s = socket;
      const host = this.host(address);
      let connected = false;
      s.once('close', () => {
        this.stats.inFlight--;
        this.gate.release();
        if (connected) this.releaseSlot(address, host);
      });
      await new Promise<void>((resolve, reject) => {
        const cancel = ioTimeout(() => {
          s.destroy();
          reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: 'timeout' }));
        }, this.limits.connectTimeoutMs);
        s.once('connect', () => {
          cancel();
          resolve();
        });
        s.once('error', (e: NodeJS.ErrnoException) => {
          cancel();
          reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: e.code ?? e.message }));
        });
      });
      s.on('error', () => undefined); // later errors surface as 'close' to the probe
      const session = priority !== 'scan' && this.limits.tlsPorts.includes(port)
        ? await secureSocket(s, address, port, Math.max(1, this.limits.connectTimeoutMs - (Date.now() - dialedAt)))
        : s;
      connected = true;
      this.stats.connected++;
      this.gate.relief();
      return session;
    } catch (e) {
      this.stats.failed++;
      const reason = String((e as MamoriError).details?.reason ?? 'error');
      this.stats.failures[reason] = (this.stats.failures[reason] ?? 0) + 1;
      if (socket) socket.destroy();
      else this.gate.release();
      throw e;
    }
  }

  /** Spends one of the address's retries after a transient failure; false when none is left. */
  spendRetry(address: string): boolean {
    const host = this.host(address);
    if (host.retries >= this.limits.maxRetriesPerHost) return false;
    host.retries++;
    return true;
  }

  /** Spends one login attempt of the address's budget; false when the budget is used up. */
  spendAttempt(address: string): boolean {
    const host = this.host(address);
    if (host.attempts >= this.limits.maxAttemptsPerHost) return false;
    host.attempts++;
    return true;
  }

  attemptsLeft(address: string): number {
    return this.limits.maxAttemptsPerHost - (this.hosts.get(address)?.attempts ?? 0);
  }

  private host(address: string): HostState {
    let h = this.hosts.get(address);
    if (!h) {
      h = { active: 0, waiters: [], attempts: 0, retries: 0 };
      this.hosts.set(address, h);
    }
    return h;
  }

  private acquireSlot(host: HostState): Promise<void> {
    if (host.active < this.limits.perHostConnections) {
      host.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => host.waiters.push(() => {
      host.active++;
      resolve();
    }));
  }

  private releaseSlot(_address: string, host: HostState): void {
    host.active--;
    const next = host.waiters.shift();
    if (next) next();
  }
}
