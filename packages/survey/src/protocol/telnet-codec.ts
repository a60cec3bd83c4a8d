/**
 * Telnet (RFC 854) stream decoder: splits bytes into application data and IAC commands.
 * Pure and incremental — a command split across TCP segments is carried in `state` — and
 * bounded: a subnegotiation longer than `maxSubnegotiation` is a protocol error naming
 * its byte offset, never an ever-growing buffer.
 */
import { MamoriError } from '@mamori/core';

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export const OPT_ECHO = 1;
export const OPT_SGA = 3;

export type TelnetCommand =
  | { kind: 'option'; verb: 'DO' | 'DONT' | 'WILL' | 'WONT'; option: number }
  | { kind: 'sub'; option: number; data: Uint8Array }
  | { kind: 'other'; code: number };

const VERBS: Record<number, 'DO' | 'DONT' | 'WILL' | 'WONT'> = { [DO]: 'DO', [DONT]: 'DONT', [WILL]: 'WILL', [WONT]: 'WONT' };

type Phase = 'data' | 'iac' | 'verb' | 'sb-option' | 'sb' | 'sb-iac';

export class TelnetDecoder {
  private phase: Phase = 'data';
  private verb = 0;
  private sbOption = 0;
  private sb: number[] = [];
  /** Bytes consumed so far across all chunks (for error offsets). */
  private offset = 0;

  constructor(private readonly maxSubnegotiation = 1024) {}

  decode(chunk: Uint8Array): { data: Buffer; commands: TelnetCommand[] } {
    const out = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    const commands: TelnetCommand[] = [];
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const b = chunk[i];
      switch (this.phase) {
        case 'data':
          if (b === IAC) this.phase = 'iac';
          else out[n++] = b;
          break;
        case 'iac':
          if (b === IAC) { out[n++] = IAC; this.phase = 'data'; }
          else if (b in VERBS) { this.verb = b; this.phase = 'verb'; }
          else if (b === SB) this.phase = 'sb-option';
          else { commands.push({ kind: 'other', code: b }); this.phase = 'data'; }
          break;
        case 'verb':
          commands.push({ kind: 'option', verb: VERBS[this.verb], option: b });
          this.phase = 'data';
          break;
        case 'sb-option':
          this.sbOption = b;
          this.sb = [];
          this.phase = 'sb';
          break;
        case 'sb':
          if (b === IAC) this.phase = 'sb-iac';
          else this.pushSb(b);
          break;
        case 'sb-iac':
          if (b === SE) {
            commands.push({ kind: 'sub', option: this.sbOption, data: Uint8Array.from(this.sb) });
            this.sb = [];
            this.phase = 'data';
          } else if (b === IAC) {
            this.pushSb(IAC);
            this.phase = 'sb';
          } else {
            throw new MamoriError('MAMORI_SURVEY_TELNET_PROTOCOL', { reason: `IAC ${b} inside subnegotiation`, offset: this.offset });
          }
          break;
      }
    }
    return { data: out.subarray(0, n), commands };
  }

  private pushSb(b: number): void {
    if (this.sb.length >= this.maxSubnegotiation) {
      throw new MamoriError('MAMORI_SURVEY_TELNET_PROTOCOL', { reason: 'subnegotiation too long', offset: this.offset });
    }
    this.sb.push(b);
  }
}

/**
 * The client's answers to option requests: accept the server's ECHO and SUPPRESS-GO-AHEAD
 * (what a login prompt needs), refuse everything else. Answers only once per option and
 * verb, so a server that repeats itself forever cannot make the client loop with it.
 */
export class TelnetNegotiator {
  private readonly answered = new Set<number>();

  answer(cmd: TelnetCommand): Uint8Array | null {
    if (cmd.kind !== 'option') return null;
    const key = (cmd.verb === 'DO' || cmd.verb === 'DONT' ? 0 : 256) + cmd.option;
    if (this.answered.has(key)) return null;
    this.answered.add(key);
    switch (cmd.verb) {
      case 'DO': return Uint8Array.of(IAC, WONT, cmd.option);
      case 'WILL': return Uint8Array.of(IAC, cmd.option === OPT_ECHO || cmd.option === OPT_SGA ? DO : DONT, cmd.option);
      default: return null; // DONT / WONT need no answer when we never asked
    }
  }

  /**
   * The answers to every command of one chunk as a single buffer (null when there is none):
   * one write instead of one per option, as a device opening with four requests would otherwise get.
   */
  answerAll(cmds: readonly TelnetCommand[]): Uint8Array | null {
    let out: number[] | null = null;
    for (const c of cmds) {
      const reply = this.answer(c);
      if (reply) (out ??= []).push(...reply);
    }
    return out && Uint8Array.from(out);
  }
}
