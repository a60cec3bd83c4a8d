/**
 * Telnet login probe: negotiates options, waits for the login prompt, tries pairs — several
 * per connection while the device keeps offering `login:`, reconnecting when it drops us —
 * and calls a login good when the device settles at a shell prompt.
 */
import { isMamoriError } from '@mamori/core';
import { BoundedReader } from '../protocol/bounded-reader.js';
import { TelnetDecoder, TelnetNegotiator } from '../protocol/telnet-codec.js';
import type { CredentialPair } from '../credentials.js';
import type { LoginOutcome, ProbeContext } from './context.js';
import { telnetState, type TelnetState } from './telnet-text.js';
import type { Handoff } from './fingerprint.js';

/** Bytes one Telnet connection may send us before we hang up (endless banners, megabyte prompts). */
export const TELNET_MAX_BYTES = 64 * 1024;
/** IAC commands one connection may send before we hang up (never-ending negotiation). */
export const TELNET_MAX_COMMANDS = 512;

export async function openTelnet(ctx: ProbeContext, address: string, port: number): Promise<BoundedReader> {
  const socket = await ctx.connector.connect(address, port);
  const decoder = new TelnetDecoder();
  const negotiator = new TelnetNegotiator();
  let commands = 0;
  const reader: BoundedReader = new BoundedReader(socket, {
    windowBytes: 4096,
    maxBytes: TELNET_MAX_BYTES,
    deadline: Date.now() + ctx.timeouts.connectionMs,
    transform: (chunk) => {
      const { data, commands: cmds } = decoder.decode(chunk);
      commands += cmds.length;
      if (commands > TELNET_MAX_COMMANDS) throw new Error('too many telnet commands');
      const replies = negotiator.answerAll(cmds);
      if (replies && !socket.destroyed) socket.write(replies);
      return data;
    },
  });
  return reader;
}

/** Escapes IAC in what we type (a password may contain byte 255). */
function line(text: string): Buffer {
  const b = Buffer.from(`${text}\r\n`, 'utf8');
  const out: number[] = [];
  for (const x of b) { out.push(x); if (x === 255) out.push(255); }
  return Buffer.from(out);
}

/** Text a device sends when it refuses a login (so a hang-up after it is still a verdict). */
const REFUSED = /incorrect|fail|denied|invalid|wrong|bad password/i;

function lost(state: TelnetState | 'closed' | 'timeout' | 'overflow', window: string): boolean {
  return (state === 'closed' || state === 'timeout' || state === 'overflow') && !REFUSED.test(window);
}

async function settle(reader: BoundedReader, ms: number): Promise<TelnetState | 'closed' | 'timeout' | 'overflow'> {
  const r = await reader.waitFor(telnetState, ms);
  return r.kind === 'match' ? r.value : r.kind;
}

/**
 * Tries the pairs over up to `perHostConnections` connections at once (devices allow a few
 * attempts per connection, so parallel connections are what makes a device quick to
 * finish); the first success, a lockout or the budget stops every lane.
 */
export async function telnetLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[], handoff: Handoff = {}): Promise<LoginOutcome> {
  let attempts = 0;
  let next = 0;
  let success: LoginOutcome['success'];
  let stopped: LoginOutcome['stopped'];
  const refused: string[] = [];
  const finished = (): boolean => success !== undefined || stopped !== undefined || next >= pairs.length;

  const lane = async (): Promise<void> => {
    let fruitless = 0;
    while (!finished()) {
      let reader: BoundedReader;
      try {
        // The first lane takes over the fingerprint's connection, already at the prompt.
        const first = handoff.reader;
        handoff.reader = undefined;
        reader = first ?? await openTelnet(ctx, address, port);
      } catch (e) {
        if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) { stopped ??= 'unresponsive'; return; }
        throw e;
      }
      try {
        let state = await settle(reader, ctx.timeouts.replyMs);
        let triedHere = 0;
        while (!finished() && triedHere < ctx.telnetAttemptsPerConnection) {
          if (state === 'lockout') { stopped = 'lockout'; return; }
          if (state !== 'login' && state !== 'password') break;
          if (!ctx.connector.spendAttempt(address)) { stopped = 'budget'; return; }
          const pair = pairs[next++];
          attempts++;
          triedHere++;
          ctx.onAttempt();
          if (state === 'login') {
            reader.clear();
            reader.write(line(pair.username));
            state = await settle(reader, ctx.timeouts.replyMs);
            if (state === 'shell') { success ??= { credentialId: pair.id, method: 'telnet-login', at: Date.now() }; return; }
            if (lost(state, reader.window)) { stopped ??= 'unresponsive'; return; }
            if (state !== 'password') break;
          }
          reader.clear();
          reader.write(line(pair.password));
          state = await settle(reader, ctx.timeouts.replyMs);
          if (state === 'shell') { success ??= { credentialId: pair.id, method: 'telnet-login', at: Date.now() }; return; }
          // No verdict for this pair (the device went quiet or hung up mid-login): the whole
          // probe is worth another go, so say so instead of counting the pair as refused.
          if (lost(state, reader.window)) { stopped ??= 'unresponsive'; return; }
          refused.push(pair.id);
          // A device that re-asks only for the password wants the same user again: start over cleanly.
          if (state === 'password') break;
        }
        if (state === 'lockout') { stopped = 'lockout'; return; }
        if (triedHere === 0 && ++fruitless >= 2) { stopped ??= 'unresponsive'; return; }
        if (triedHere > 0) fruitless = 0;
      } finally {
        reader.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(ctx.connector.limits.perHostConnections, pairs.length)) }, lane));
  return success ? { attempts, success } : stopped ? { attempts, stopped, refused } : { attempts, refused };
}
