import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { telnetState, printable } from './telnet-text.js';

describe('telnetState', () => {
  it.each([
    ['BusyBox v1.19.4\r\nDVR login: ', 'login'],
    ['Username: ', 'login'],
    ['User Name:', 'login'],
    ['\r\nPassword: ', 'password'],
    ['Login incorrect\r\n\r\nlogin: ', 'login'],
    ['\r\n~ # ', 'shell'],
    ['[root@cam ~]$ ', 'shell'],
    ['\r\nRouter> ', 'shell'],
    ['Too many login failures; account locked\r\n', 'lockout'],
    ['Welcome to the device\r\n', undefined],
    ['Login incorrect\r\n', undefined],
  ])('%j → %s', (text, state) => {
    expect(telnetState(text)).toBe(state);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => { telnetState(s); printable(s); }), { numRuns: 500 });
  });
});
