/**
 * The device farm: every emulated device listens on its own loopback address (127.x.y.z),
 * so a survey sees a network of distinct hosts. `planFarm` builds a mixed farm with known
 * ground truth; `startFarm` brings it up and counts what each device received.
 */
import type net from 'node:net';
import { startTelnetDevice } from './telnet-device.js';
import { startHttpDevice } from './http-device.js';
import { startHttpsDevice, startTlsDevice } from './https-device.js';
import { startSshDevice } from './ssh-device.js';
import { startHostileDevice } from './hostile-device.js';
import type { Credential, DeviceCounters, DeviceSpec } from './devices.js';

export interface Farm {
  readonly devices: readonly DeviceSpec[];
  counters(device: DeviceSpec): DeviceCounters;
  totals(): DeviceCounters;
  /** Connections the farm hung up on at once because it was at `maxConnections`. */
  rejected(): number;
  /** Errors the listeners hit accepting connections (EMFILE when the farm's process is out of descriptors). */
  acceptErrors(): Record<string, number>;
  close(): Promise<void>;
}

export interface FarmOptions {
  /**
   * Connections the whole farm holds open at once. Past it, a new connection is accepted and
   * closed at once — what a Node/libuv server does when it runs out of file descriptors —
   * so tests can put a scanner against a peer with little headroom.
   */
  maxConnections?: number;
}

type Listener = net.Server | { listen(port: number, host: string, cb: () => void): unknown; close(cb?: () => void): unknown; on(ev: 'error', cb: (e: Error) => void): unknown };

function key(d: { address: string; port: number }): string {
  return `${d.address}:${d.port}`;
}

export async function startFarm(devices: readonly DeviceSpec[], options: FarmOptions = {}): Promise<Farm> {
  const counters = new Map<string, DeviceCounters>();
  const servers: Listener[] = [];
  const sockets = new Set<net.Socket>();
  const cap = options.maxConnections ?? Infinity;
  let rejected = 0;
  const acceptErrors: Record<string, number> = {};
  try {
    const batch = 256;
    for (let i = 0; i < devices.length; i += batch) {
      await Promise.all(devices.slice(i, i + batch).map(async (d) => {
        const c: DeviceCounters = { connections: 0, loginAttempts: 0, successes: 0 };
        counters.set(key(d), c);
        const server: Listener = d.kind === 'telnet' ? startTelnetDevice(d, c)
          : d.kind === 'http' ? (d.tls ? startHttpsDevice(d, c) : startHttpDevice(d, c))
            : d.kind === 'ssh' ? startSshDevice(d, c)
              : d.tls ? startTlsDevice(d, c, startHostileDevice) : startHostileDevice(d, c);
        servers.push(server);
        // ssh2's Server wraps a net.Server (`_srv`) and emits clients, not sockets: watch the sockets.
        const raw = (server as unknown as { _srv?: net.Server })._srv ?? (server as net.Server);
        // Ahead of the device's own handler, so a connection over the cap is gone before it is served.
        raw.prependListener('connection', (s: net.Socket) => {
          if (sockets.size >= cap) { rejected++; s.destroy(); return; }
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
        });
        await new Promise<void>((resolve, reject) => {
          server.on('error', reject);
          server.listen(d.port, d.address, () => resolve());
        });
        server.on('error', (e: NodeJS.ErrnoException) => { acceptErrors[e.code ?? 'error'] = (acceptErrors[e.code ?? 'error'] ?? 0) + 1; });
      }));
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    throw e;
  }
  return {
    devices,
    counters: (d) => counters.get(key(d)) ?? { connections: 0, loginAttempts: 0, successes: 0 },
    totals: () => {
      const t: DeviceCounters = { connections: 0, loginAttempts: 0, successes: 0 };
      for (const c of counters.values()) { t.connections += c.connections; t.loginAttempts += c.loginAttempts; t.successes += c.successes; }
      return t;
    },
    rejected: () => rejected,
    acceptErrors: () => ({ ...acceptErrors }),
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    },
  };
}

/** The n-th farm address: 127.<net>.<hi>.<lo>, skipping .0 and .255 host octets. */
export function farmAddress(net: number, n: number): string {
  const hi = Math.floor(n / 254);
  const lo = (n % 254) + 1;
  return `127.${net}.${hi}.${lo}`;
}

export interface FarmPlanOptions {
  /** Second octet of the farm's 127.x.0.0/16 (pick one per test file to avoid clashes). */
  net: number;
  telnet?: number;
  http?: number;
  ssh?: number;
  /** Share of Telnet and HTTP devices given a dictionary pair (deterministic by index). */
  weakShare?: number;
  dictionary: readonly Credential[];
  telnetPort?: number;
  httpPort?: number;
  sshPort?: number;
}

/**
 * A large, mixed farm for benchmarks: Telnet (prompt variants, IAC or not), HTTP (Basic,
 * Digest MD5 and SHA-256) and SSH devices; every `1/weakShare`-th one accepts a pair from
 * the dictionary — varied so some are found at the first attempt and some at the last.
 */
export function planFarm(o: FarmPlanOptions): DeviceSpec[] {
  const out: DeviceSpec[] = [];
  const weakEvery = Math.max(1, Math.round(1 / (o.weakShare ?? 0.1)));
  const strong: Credential = { username: 'admin', password: 'V3ry-l0ng-unguessable' };
  const prompts = [['login: ', 'Password: '], ['Username: ', 'Password: '], ['User Name:', 'Password:']];
  let n = 0;
  const cred = (i: number): Credential[] => (i % weakEvery === 0 ? [o.dictionary[(i * 7) % o.dictionary.length]] : [strong]);
  for (let i = 0; i < (o.telnet ?? 0); i++) {
    const [login, pass] = prompts[i % prompts.length];
    out.push({ kind: 'telnet', address: farmAddress(o.net, n++), port: o.telnetPort ?? 2323, credentials: cred(i), iac: i % 2 === 0, loginPrompt: login, passwordPrompt: pass, banner: i % 3 === 0 ? 'DVR-4CH login' : undefined });
  }
  for (let i = 0; i < (o.http ?? 0); i++) {
    out.push({ kind: 'http', address: farmAddress(o.net, n++), port: o.httpPort ?? 8080, credentials: cred(i), auth: i % 3 === 2 ? 'digest' : 'basic', algorithm: i % 2 ? 'SHA-256' : 'MD5', realm: 'NETSurveillance', server: 'thttpd/2.25b', title: 'Camera' });
  }
  for (let i = 0; i < (o.ssh ?? 0); i++) {
    out.push({ kind: 'ssh', address: farmAddress(o.net, n++), port: o.sshPort ?? 2222, credentials: cred(i), methods: i % 2 ? ['password'] : ['keyboard-interactive'] });
  }
  return out;
}
