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
}

export const DEFAULT_TIMEOUTS: ProbeTimeouts = { bannerMs: 1500, replyMs: 4000, connectionMs: 30_000 };

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
