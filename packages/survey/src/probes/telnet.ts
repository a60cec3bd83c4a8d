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
      for (const c of cmds) {
        const reply = negotiator.answer(c);
        if (reply && !socket.destroyed) socket.write(reply);
      }
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

async function settle(reader: BoundedReader, ms: number): Promise<TelnetState | 'closed' | 'timeout' | 'overflow'> {
  const r = await reader.waitFor(telnetState, ms);
  return r.kind === 'match' ? r.value : r.kind;
}

export async function telnetLogin(ctx: ProbeContext, address: string, port: number, pairs: readonly CredentialPair[]): Promise<LoginOutcome> {
  let attempts = 0;
  let next = 0;
  let fruitless = 0;
  while (next < pairs.length) {
    let reader: BoundedReader;
    try {
      reader = await openTelnet(ctx, address, port);
    } catch (e) {
      if (isMamoriError(e, 'MAMORI_SURVEY_CONNECT')) return { attempts, stopped: 'unresponsive' };
      throw e;
    }
    try {
      let state = await settle(reader, ctx.timeouts.replyMs);
      let triedHere = 0;
      while (next < pairs.length && triedHere < ctx.telnetAttemptsPerConnection) {
        if (state === 'lockout') return { attempts, stopped: 'lockout' };
        if (state !== 'login' && state !== 'password') break;
        if (!ctx.connector.spendAttempt(address)) return { attempts, stopped: 'budget' };
        const pair = pairs[next++];
        attempts++;
        triedHere++;
        ctx.onAttempt();
        if (state === 'login') {
          reader.clear();
          reader.write(line(pair.username));
          state = await settle(reader, ctx.timeouts.replyMs);
          if (state === 'shell') return { attempts, success: { credentialId: pair.id, method: 'telnet-login', at: Date.now() } };
          if (state !== 'password') break;
        }
        reader.clear();
        reader.write(line(pair.password));
        state = await settle(reader, ctx.timeouts.replyMs);
        if (state === 'shell') return { attempts, success: { credentialId: pair.id, method: 'telnet-login', at: Date.now() } };
        // A device that re-asks only for the password wants the same user again: start over cleanly.
        if (state === 'password') break;
      }
      if (triedHere === 0 && ++fruitless >= 2) return { attempts, stopped: state === 'lockout' ? 'lockout' : 'unresponsive' };
      if (triedHere > 0) fruitless = 0;
    } finally {
      reader.close();
    }
  }
  return { attempts };
}
