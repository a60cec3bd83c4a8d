/**
 * One open port, probed to a verdict: fingerprint it, then run the login probe that fits.
 * A result that may be the scanner's own doing — the service hung up before a word, a
 * Telnet service never showed a prompt, a login conversation lost a reply — is marked
 * `transient`, so the scheduler retries it instead of filing the device as not weak.
 */
import type { CredentialPair } from '../credentials.js';
import type { Finding, ServiceRecord } from '../types.js';
import type { LoginOutcome, ProbeContext } from './context.js';
import { fingerprint, modelOf, type Handoff } from './fingerprint.js';
import { telnetLogin } from './telnet.js';
import { sshLogin } from './ssh.js';
import { httpLogin } from './http.js';

/** How one address×port ended. Every task of a run ends in exactly one of these. */
export type TaskOutcome =
  | 'closed' // the scan was refused
  | 'unreachable' // the scan never got an answer, retries included
  | 'vanished' // open at the scan, then no answer to any probe, retries included
  | 'weak' | 'no-auth'
  | 'refused-all' // the whole dictionary was refused
  | 'lockout' | 'budget' | 'unsupported' | 'unresponsive'
  | 'no-login' // open, but nothing to log in to (a plain page, a Telnet service without a prompt)
  | 'unknown' // open, spoke, but in no protocol we probe
  | 'excluded' // a re-survey target that has since left the scope
  | 'error';

/**
 * What probing one port concluded. `transient` names a reason the result may be the
 * scanner's own doing: the caller retries while the host has retries left, and otherwise
 * takes the verdict as it stands.
 */
export interface ServiceVerdict {
  outcome: TaskOutcome;
  /** Undefined when the port never answered the probe (`vanished`). */
  service?: ServiceRecord;
  finding?: Omit<Finding, 'runId'>;
  login?: LoginOutcome;
  transient?: string;
}

async function login(ctx: ProbeContext, service: ServiceRecord, pairs: readonly CredentialPair[], handoff: Handoff): Promise<LoginOutcome | null> {
  const { address, port } = service;
  if (service.protocol === 'telnet' && service.prompt) return telnetLogin(ctx, address, port, pairs, handoff);
  if (service.protocol === 'ssh') return sshLogin(ctx, address, port, pairs);
  if (service.protocol === 'http' && service.authScheme) return httpLogin(ctx, address, port, pairs, '/', undefined, handoff.challenge);
  return null;
}

export async function probeService(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[]): Promise<ServiceVerdict> {
  // The fingerprint's connection, when left at a login prompt, carries the first login attempts;
  // the challenge an HTTP page answered with saves each login lane asking for it again.
  const handoff: Handoff = {};
  try {
    return await verdict(ctx, address, port, pairs, handoff);
  } finally {
    handoff.reader?.close();
  }
}

async function verdict(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[], handoff: Handoff): Promise<ServiceVerdict> {
  const service = await fingerprint(ctx, address, port, handoff);
  if (!service) return { outcome: 'vanished', transient: 'no answer' };
  const base = { address, port, protocol: service.protocol, banner: service.banner, model: modelOf(service) };
  if (service.open) return { outcome: 'no-auth', service, finding: { ...base, type: 'no-auth', method: 'none', evidenceAt: service.seenAt } };
  if (service.protocol === 'unknown') return { outcome: 'unknown', service, transient: 'unknown protocol' };
  if (service.protocol === 'telnet' && !service.prompt) return { outcome: 'no-login', service, transient: 'no telnet prompt' };
  const outcome = await login(ctx, service, pairs, handoff);
  if (!outcome) return { outcome: 'no-login', service };
  if (outcome.success) {
    const { credentialId, method, at } = outcome.success;
    return { outcome: 'weak', service, login: outcome, finding: { ...base, type: 'weak-credential', credentialId, method, evidenceAt: at } };
  }
  const stopped = outcome.stopped ?? 'refused-all';
  return { outcome: stopped, service, login: outcome, transient: stopped === 'unresponsive' ? `unresponsive after ${outcome.attempts} attempts` : undefined };
}
