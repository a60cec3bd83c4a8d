import type { Logger } from '@mamori/core';
import type { SurveyConnector } from '../scope/connector.js';
import type { CredentialPair } from '../credentials.js';
import type { AuthMethod } from '../types.js';

export interface ProbeTimeouts {
  /** How long to wait for a service to speak first (Telnet, SSH) before trying HTTP. */
  bannerMs: number;
  /** How long to wait for any one prompt or response. */
  replyMs: number;
  /** Hard limit for one connection, whatever it does. */
  connectionMs: number;
  /**
   * Ports where a web server is expected: the fingerprint's GET goes out at once instead of
   * after `bannerMs` of silence (a Telnet banner that arrives anyway is still recognised, as
   * on any port). Waiting there only held a socket and a prober idle for every web device.
   */
  webPorts: readonly number[];
}

/** Usual web and web-admin ports of home routers, cameras and DVRs. */
export const DEFAULT_WEB_PORTS: readonly number[] = [80, 81, 443, 8000, 8080, 8081, 8443, 8888];

export const DEFAULT_TIMEOUTS: ProbeTimeouts = { bannerMs: 1500, replyMs: 4000, connectionMs: 30_000, webPorts: DEFAULT_WEB_PORTS };

export interface ProbeContext {
  connector: SurveyConnector;
  timeouts: ProbeTimeouts;
  log: Logger;
  /** Pairs the device may take on one Telnet connection before a reconnect. */
  telnetAttemptsPerConnection: number;
  /** HTTP login attempts sent per write on a keep-alive connection (1: no pipelining). */
  httpPipeline: number;
  /** Called once per login attempt actually sent (for progress and the benchmark). */
  onAttempt(): void;
}

export interface LoginOutcome {
  success?: { credentialId: string; method: AuthMethod; at: number };
  attempts: number;
  /** Why trying stopped early: the device locked us out, the budget ran out, it stopped answering. */
  stopped?: 'lockout' | 'budget' | 'unresponsive' | 'unsupported';
  /** Ids of the pairs the device answered with a refusal: a retry need not send them again. */
  refused?: string[];
}

export type LoginProbe = (ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[]) => Promise<LoginOutcome>;
