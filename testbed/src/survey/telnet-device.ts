/**
 * A BusyBox-style telnetd: optional IAC negotiation, a banner, `login:`/`Password:` prompts
 * (or the variants a spec names), a few attempts per connection, then a shell prompt on
 * success. Client IAC sequences are skipped, never echoed.
 */
import net from 'node:net';
import type { DeviceCounters, TelnetDeviceSpec } from './devices.js';

const IAC = 255;

/** Strips the client's IAC commands from its bytes; returns the typed text. */
function typed(chunk: Buffer, state: { skip: number; sb: boolean }): string {
  let out = '';
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    if (state.skip > 0) { state.skip--; continue; }
    if (state.sb) { if (b === IAC && chunk[i + 1] === 240) { state.sb = false; i++; } continue; }
    if (b === IAC) {
      const c = chunk[i + 1];
      if (c === IAC) { out += '\xff'; i++; continue; }
      if (c === 250) { state.sb = true; i++; continue; }
      if (c !== undefined && c >= 251 && c <= 254) { state.skip = 1; i++; continue; }
      i++;
      continue;
    }
    out += String.fromCharCode(b);
  }
  return out;
}

export function startTelnetDevice(spec: TelnetDeviceSpec, counters: DeviceCounters): net.Server {
  let failuresTotal = 0;
  const loginPrompt = spec.loginPrompt ?? 'login: ';
  const passwordPrompt = spec.passwordPrompt ?? 'Password: ';
  const shellPrompt = spec.shellPrompt ?? '# ';
  const perConnection = spec.attemptsPerConnection ?? 3;
  const locked = (): boolean => spec.lockoutAfter !== undefined && failuresTotal >= spec.lockoutAfter;

  return net.createServer((socket) => {
    counters.connections++;
    socket.on('error', () => undefined);
    let phase: 'wait' | 'login' | 'password' | 'shell' = 'wait';
    let user = '';
    let failures = 0;
    let pending = '';
    const iacState = { skip: 0, sb: false };
    // One write per reply, as a real telnetd's single tty write would arrive: each extra
    // write is another loopback segment for both ends to carry (the farm is test equipment,
    // its cost must not swamp the scanner it measures).
    const say = (s: string): void => { if (!socket.destroyed) socket.write(s, 'latin1'); };
    const sayAndEnd = (s: string): void => { if (!socket.destroyed) socket.end(s, 'latin1'); };

    const start = (): void => {
      if (socket.destroyed) return;
      let first = spec.iac ? String.fromCharCode(IAC, 251, 1, IAC, 251, 3, IAC, 253, 31, IAC, 253, 24) : '';
      if (spec.banner) first += `${spec.banner}\r\n`;
      if (locked()) { sayAndEnd(`${first}Too many login failures; account locked\r\n`); return; }
      if (spec.noAuth) { phase = 'shell'; say(`${first}\r\nBusyBox v1.19.4 built-in shell (ash)\r\n${shellPrompt}`); return; }
      phase = 'login';
      say(first + loginPrompt);
    };

    const onLine = (text: string): void => {
      if (phase === 'login') {
        user = text;
        phase = 'password';
        say(`\r\n${passwordPrompt}`);
      } else if (phase === 'password') {
        counters.loginAttempts++;
        const ok = !locked() && spec.credentials.some((c) => c.username === user && c.password === text);
        if (ok) {
          counters.successes++;
          phase = 'shell';
          say(`\r\n\r\nBusyBox v1.19.4 (2014-03-11 10:37:12 CST) built-in shell (ash)\r\nEnter 'help' for a list of built-in commands.\r\n\r\n${shellPrompt}`);
          return;
        }
        failures++;
        failuresTotal++;
        if (locked()) { sayAndEnd('\r\nLogin incorrect\r\nToo many login failures; account locked\r\n'); return; }
        if (failures >= perConnection) { sayAndEnd('\r\nLogin incorrect\r\n'); return; }
        phase = 'login';
        say(`\r\nLogin incorrect\r\n${loginPrompt}`);
      } else if (phase === 'shell') {
        if (text.trim() === 'exit') { sayAndEnd(''); return; }
        say(`\r\n${shellPrompt}`);
      }
    };

    socket.on('data', (chunk: Buffer) => {
      pending += typed(chunk, iacState);
      if (pending.length > 4096) { socket.destroy(); return; }
      for (;;) {
        const m = /\r\n|\r\0|\r|\n/.exec(pending);
        if (!m || (m[0] === '\r' && m.index === pending.length - 1)) break; // a lone CR may be half of CR LF
        const text = pending.slice(0, m.index);
        pending = pending.slice(m.index + m[0].length);
        if (phase !== 'wait') onLine(text);
      }
    });
    if (spec.bannerDelayMs) setTimeout(start, spec.bannerDelayMs);
    else start();
  });
}
