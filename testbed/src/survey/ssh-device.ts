/**
 * An SSH device (ssh2's server): password and/or keyboard-interactive authentication
 * against its credential list; a successful login is counted and the session closed.
 */
import ssh2 from 'ssh2';
import { generateKeyPairSync } from 'node:crypto';
import type { DeviceCounters, SshDeviceSpec } from './devices.js';

let hostKey: string | null = null;

/** One host key for the whole farm (key generation is the slow part, not the point). */
function farmHostKey(): string {
  hostKey ??= generateKeyPairSync('ec', { namedCurve: 'prime256v1', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
  return hostKey;
}

export function startSshDevice(spec: SshDeviceSpec, counters: DeviceCounters): ssh2.Server {
  const server = new ssh2.Server({ hostKeys: [farmHostKey()], ident: spec.version ?? 'dropbear_2014.63' }, (client) => {
    counters.connections++;
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const allowed = spec.methods;
      const check = (password: string): boolean => spec.credentials.some((c) => c.username === ctx.username && c.password === password);
      if (ctx.method === 'password' && allowed.includes('password')) {
        counters.loginAttempts++;
        if (check(ctx.password)) { counters.successes++; ctx.accept(); } else ctx.reject(allowed);
      } else if (ctx.method === 'keyboard-interactive' && allowed.includes('keyboard-interactive')) {
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          counters.loginAttempts++;
          if (check(answers[0] ?? '')) { counters.successes++; ctx.accept(); } else ctx.reject(allowed);
        });
      } else {
        ctx.reject(allowed);
      }
    });
    client.on('ready', () => client.end());
  });
  return server;
}
