/**
 * What a Telnet device's text means, judged on the last line it sent. Pure functions so
 * the prompt variants can be tested one by one.
 */

export type TelnetState = 'login' | 'password' | 'shell' | 'lockout';

function lastLine(window: string): string {
  const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf('\r'));
  return window.slice(cut + 1).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00\s]+$/, '');
}

const LOGIN = /(?:^|[\s>:])(?:login|log in|user ?name|user ?id|user|account)\s*:$/i;
const PASSWORD = /(?:^|[\s>:])pass(?:word|wd|code)?\s*:$/i;
const SHELL = /(?:[#$%>]|\][#$])$/;
const LOCKOUT = /locked|too many (?:login |authentication )?(?:failures|attempts)|try again later/i;

/** The state a device's output shows, or undefined while it has not settled at a prompt. */
export function telnetState(window: string): TelnetState | undefined {
  if (LOCKOUT.test(window.slice(-512))) return 'lockout';
  const line = lastLine(window);
  if (!line || line.length > 200) return undefined;
  if (PASSWORD.test(line)) return 'password';
  if (LOGIN.test(line)) return 'login';
  if (SHELL.test(line)) return 'shell';
  return undefined;
}

/** Printable text (for banners): control bytes dropped, whitespace collapsed, ≤ `max` chars. */
export function printable(text: string, max = 512): string {
  return text.replace(/[^\x20-\x7e\n]/g, '').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** The prompt line itself (for fingerprints). */
export function promptLine(window: string): string {
  return printable(lastLine(window), 120);
}
