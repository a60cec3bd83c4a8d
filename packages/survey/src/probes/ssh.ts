/**
 * SSH login probe over the `ssh2` client: one connection per pair (OpenSSH refuses a change
 * of user name mid-connection), password first, then keyboard-interactive answering every
 * prompt with the password, as devices with PAM ask for it. The socket comes from the
 * connector, so ssh2 never dials on its own.
 */
import ssh2 from 'ssh2';
import { isMamoriError } from '@mamori/core';
import type { CredentialPair } from '../credentials.js';
import type { LoginOutcome, ProbeContext } from './context.js';
import type { AuthMethod } from '../types.js';

const { Client } = ssh2;

/** Time spent in key exchange, summed over every SSH connection (the benchmark reports its share). */
export const sshTiming = { kexMs: 0, totalMs: 0, connections: 0 };

type AttemptResult = { ok: true; method: AuthMethod } | { ok: false; reason: 'rejected' | 'error' };

async function tryPair(ctx: ProbeContext, address: string, port: number, pair: CredentialPair): Promise<AttemptResult> {
  const sock = await ctx.connector.connect(address, port);
  const started = performance.now();
  return new Promise<AttemptResult>((resolve) => {
    const client = new Client();
    let method: AuthMethod = 'password';
    let settled = false;
    const done = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sshTiming.totalMs += performance.now() - started;
      sshTiming.connections++;
      client.end();
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'error' }), ctx.timeouts.connectionMs);
    client.on('handshake', () => { sshTiming.kexMs += performance.now() - started; });
    client.on('ready', () => done({ ok: true, method }));
    client.on('error', (e: Error & { level?: string }) => done({ ok: false, reason: e.level === 'client-authentication' ? 'rejected' : 'error' }));
    client.on('close', () => done({ ok: false, reason: 'error' }));
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => pair.password)));
    const tried = new Set<string>();
    client.connect({
      sock,
      username: pair.username,
      readyTimeout: ctx.timeouts.replyMs * 2,
      hostVerifier: () => true,
      authHandler: (methodsLeft, _partial, next) => {
        const left = methodsLeft ?? ['password', 'keyboard-interactive'];
        if (!tried.has('password') && left.includes('password')) {
          tried.add('password');
          method = 'password';
          return next({ type: 'password', username: pair.username, password: pair.password });
        }
        if (!tried.has('keyboard-interactive') && left.includes('keyboard-interactive')) {
          tried.add('keyboard-interactive');
          method = 'keyboard-interactive';
          return next({ type: 'keyboard-interactive', username: pair.username, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => pair.password)) });
        }
        return next(false as never);
      },
    });
  });
}

export async function sshLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[]): Promise<LoginOutcome> {
  let attempts = 0;
  let errors = 0;
  for (const pair of pairs) {
    if (!ctx.connector.spendAttempt(address)) return { attempts, stopped: 'budget' };
    attempts++;
    ctx.onAttempt();
    let r: AttemptResult;
    try {
      r = await tryPair(ctx, address, port, pair);
    } catch (e) {
      if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) return { attempts, stopped: 'unresponsive' };
      throw e;
    }
    if (r.ok) return { attempts, success: { credentialId: pair.id, method: r.method, at: Date.now() } };
    if (r.reason === 'error' && ++errors >= 3) return { attempts, stopped: 'unresponsive' };
  }
  return { attempts };
}
