/**
 * SSH login probe over the `ssh2` client. One connection tries several passwords for the
 * same user name (servers allow a few auth attempts per connection, but OpenSSH refuses a
 * change of user name mid-connection), each with password and then keyboard-interactive
 * auth (answering every prompt with the password, as devices with PAM ask). Up to
 * `perHostConnections` connections work on one device in parallel, the first success
 * stopping them all. Sockets come from the connector, so ssh2 never dials on its own.
 */
import ssh2 from 'ssh2';
import { isMamoriError } from '@mamori/core';
import type { CredentialPair } from '../credentials.js';
import type { LoginOutcome, ProbeContext } from './context.js';
import type { AuthMethod } from '../types.js';

const { Client } = ssh2;

/** Time spent in key exchange, summed over every SSH connection (the benchmark reports its share). */
export const sshTiming = { kexMs: 0, totalMs: 0, connections: 0 };

/** Passwords tried on one connection (OpenSSH's MaxAuthTries is 6; each pair may use two methods). */
export const SSH_PAIRS_PER_CONNECTION = 3;

type ConnectionResult =
  | { kind: 'success'; pair: CredentialPair; method: AuthMethod }
  | { kind: 'rejected' }
  | { kind: 'error' }
  | { kind: 'budget' };

/** Pairs grouped into per-connection runs of one user name, dictionary order kept within a user. */
export function sshBatches(pairs: readonly CredentialPair[], size = SSH_PAIRS_PER_CONNECTION): CredentialPair[][] {
  const byUser = new Map<string, CredentialPair[]>();
  for (const p of pairs) byUser.set(p.username, [...(byUser.get(p.username) ?? []), p]);
  const out: CredentialPair[][] = [];
  for (const list of byUser.values()) for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function tryBatch(ctx: ProbeContext, address: string, port: number, batch: CredentialPair[], counted: () => void): Promise<ConnectionResult> {
  const sock = await ctx.connector.connect(address, port);
  const started = performance.now();
  return new Promise<ConnectionResult>((resolve) => {
    const client = new Client();
    let index = -1;
    let method: AuthMethod = 'password';
    let triedMethods = new Set<string>();
    let settled = false;
    let outOfBudget = false;
    const done = (r: ConnectionResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sshTiming.totalMs += performance.now() - started;
      sshTiming.connections++;
      client.end();
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ kind: 'error' }), ctx.timeouts.connectionMs);
    client.on('handshake', () => { sshTiming.kexMs += performance.now() - started; });
    client.on('ready', () => done({ kind: 'success', pair: batch[index], method }));
    client.on('error', (e: Error & { level?: string }) => done(outOfBudget ? { kind: 'budget' } : e.level === 'client-authentication' ? { kind: 'rejected' } : { kind: 'error' }));
    client.on('close', () => done(outOfBudget ? { kind: 'budget' } : { kind: 'error' }));
    const password = (): string => batch[index].password;
    client.connect({
      sock,
      username: batch[0].username,
      readyTimeout: ctx.timeouts.replyMs * 2,
      hostVerifier: () => true,
      authHandler: (methodsLeft, _partial, next) => {
        const left = methodsLeft ?? ['password', 'keyboard-interactive'];
        for (;;) {
          if (index >= 0 && !triedMethods.has('password') && left.includes('password')) {
            triedMethods.add('password');
            method = 'password';
            return next({ type: 'password', username: batch[index].username, password: password() });
          }
          if (index >= 0 && !triedMethods.has('keyboard-interactive') && left.includes('keyboard-interactive')) {
            triedMethods.add('keyboard-interactive');
            method = 'keyboard-interactive';
            return next({ type: 'keyboard-interactive', username: batch[index].username, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password())) });
          }
          if (index + 1 >= batch.length) return next(false as never);
          if (!ctx.connector.spendAttempt(address)) {
            outOfBudget = true;
            return next(false as never);
          }
          index++;
          triedMethods = new Set();
          counted();
        }
      },
    });
  });
}

export async function sshLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[]): Promise<LoginOutcome> {
  const batches = sshBatches(pairs);
  let next = 0;
  let attempts = 0;
  let errors = 0;
  let success: LoginOutcome['success'];
  let stopped: LoginOutcome['stopped'];
  const counted = (): void => { attempts++; ctx.onAttempt(); };
  const lane = async (): Promise<void> => {
    while (next < batches.length && !success && !stopped) {
      const batch = batches[next++];
      let r: ConnectionResult;
      try {
        r = await tryBatch(ctx, address, port, batch, counted);
      } catch (e) {
        if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) { stopped = 'unresponsive'; return; }
        throw e;
      }
      if (r.kind === 'success') { success ??= { credentialId: r.pair.id, method: r.method, at: Date.now() }; return; }
      if (r.kind === 'budget') { stopped = 'budget'; return; }
      if (r.kind === 'error' && ++errors >= 3) { stopped = 'unresponsive'; return; }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.connector.limits.perHostConnections, batches.length)) }, lane));
  return success ? { attempts, success } : { attempts, stopped };
}
