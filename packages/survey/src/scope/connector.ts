/**
 * The one door to the network. Every TCP connection a survey opens goes through
 * `SurveyConnector.connect`, which refuses any address outside the authorised scope or on
 * the exclusion list before a socket exists, then waits for the per-host connection limit,
 * the global rate and the per-/24 rate, and only then dials. Probes receive sockets from
 * here and never call `net.connect` themselves.
 */
import net from 'node:net';
import { MamoriError, ipv4Slash24, tryParseIpv4, type Logger } from '@mamori/core';
import type { SurveyScope } from './scope.js';
import { KeyedBuckets, TokenBucket, sleep } from './token-bucket.js';

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
}

export const DEFAULT_LIMITS: ConnectorLimits = {
  globalRate: 2000,
  perSlash24Rate: 500,
  perHostConnections: 2,
  maxAttemptsPerHost: 200,
  connectTimeoutMs: 3000,
};

/** How a socket is made: `net.connect` in production; tests pass a wrapper that records every call. */
export type Dial = (options: { host: string; port: number }) => net.Socket;

export interface ConnectorStats {
  connects: number;
  connected: number;
  failed: number;
  refused: number;
  inFlight: number;
  peakInFlight: number;
}

interface HostState {
  active: number;
  waiters: (() => void)[];
  attempts: number;
}

export class SurveyConnector {
  readonly limits: ConnectorLimits;
  readonly stats: ConnectorStats = { connects: 0, connected: 0, failed: 0, refused: 0, inFlight: 0, peakInFlight: 0 };
  private readonly global: TokenBucket;
  private readonly perNet: KeyedBuckets;
  private readonly hosts = new Map<string, HostState>();
  private readonly dial: Dial;

  constructor(
    private readonly scope: SurveyScope,
    limits: Partial<ConnectorLimits> = {},
    private readonly log?: Logger,
    dial?: Dial,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.global = new TokenBucket(this.limits.globalRate, Math.max(1, Math.ceil(this.limits.globalRate / 10)));
    this.perNet = new KeyedBuckets(this.limits.perSlash24Rate, Math.max(1, Math.ceil(this.limits.perSlash24Rate / 10)));
    this.dial = dial ?? ((o) => net.connect(o));
  }

  /** Throws unless the address may be contacted. Called before any waiting and again just before dialing. */
  assertAllowed(address: string, port: number): void {
    const verdict = this.scope.check(address);
    if (!verdict.allowed) {
      this.stats.refused++;
      this.log?.warn({ address, port, reason: verdict.reason }, 'connect refused by scope');
      throw new MamoriError('MAMORI_SURVEY_OUT_OF_SCOPE', { address, port, reason: verdict.reason });
    }
  }

  /**
   * A connected socket to `address:port`, or a MAMORI_SURVEY_CONNECT error (refused,
   * reset, timed out). The per-host slot is released when the socket closes.
   */
  async connect(address: string, port: number): Promise<net.Socket> {
    this.assertAllowed(address, port);
    const host = this.host(address);
    await this.acquireSlot(host);
    let socket: net.Socket | undefined;
    try {
      const v4 = tryParseIpv4(address);
      const wait = Math.max(this.global.reserve(), v4 >= 0 ? this.perNet.reserve(ipv4Slash24(v4)) : 0);
      await sleep(wait);
      this.assertAllowed(address, port);
      this.stats.connects++;
      this.stats.inFlight++;
      if (this.stats.inFlight > this.stats.peakInFlight) this.stats.peakInFlight = this.stats.inFlight;
      socket = this.dial({ host: address, port });
      const s = socket;
      s.once('close', () => {
        this.stats.inFlight--;
        this.releaseSlot(address, host);
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          s.destroy();
          reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: 'timeout' }));
        }, this.limits.connectTimeoutMs);
        s.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        s.once('error', (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new MamoriError('MAMORI_SURVEY_CONNECT', { address, port, reason: e.code ?? e.message }));
        });
      });
      s.on('error', () => undefined); // later errors surface as 'close' to the probe
      this.stats.connected++;
      return s;
    } catch (e) {
      this.stats.failed++;
      if (!socket) this.releaseSlot(address, host);
      else socket.destroy();
      throw e;
    }
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
      h = { active: 0, waiters: [], attempts: 0 };
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
