/**
 * An HTTPS device: the HTTP device's admin page behind TLS with a self-signed certificate,
 * as cameras and routers serve on 443/8443. The TLS layer only wraps each connection and
 * hands the decrypted stream to the plain HTTP device's handler, so both speak identically.
 *
 * Quirk `stallHandshake`: the device accepts TCP, reads the ClientHello, sends the first
 * bytes of a ServerHello record and then nothing — a handshake that never completes (a TLS
 * tarpit).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { DeviceCounters, DeviceSpec, DeviceTls, HttpDeviceSpec } from './devices.js';
import { startHttpDevice } from './http-device.js';

/** Holds a stalled handshake this long before hanging up (longer than any scanner waits). */
const TARPIT_MS = 120_000;

/**
 * `start`'s device behind TLS: its handler gets each decrypted stream. Hostile devices come
 * this way too, so an endless banner or a megabyte prompt arrives encrypted.
 */
export function startTlsDevice<S extends DeviceSpec & { tls?: DeviceTls }>(spec: S, counters: DeviceCounters, start: (spec: S, counters: DeviceCounters) => net.Server): net.Server {
  const options = spec.tls;
  if (!options) throw new Error(`${spec.address}:${spec.port} is not a TLS device`);
  if (options.stallHandshake) {
    return net.createServer((socket) => {
      counters.connections++;
      socket.on('error', () => undefined);
      socket.setTimeout(TARPIT_MS, () => socket.destroy());
      // A handshake record header announcing 122 bytes, and one of them: the client waits for the rest.
      socket.once('data', () => socket.write(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x7a, 0x02])));
    });
  }
  // The device's handler counts a connection per decrypted stream; the farm counts TCP
  // connections (a handshake that fails is still a contact), so its count goes here and the rest through.
  const inner: DeviceCounters = {
    connections: 0,
    get loginAttempts() { return counters.loginAttempts; },
    set loginAttempts(n) { counters.loginAttempts = n; },
    get successes() { return counters.successes; },
    set successes(n) { counters.successes = n; },
  };
  const plain = start(spec, inner);
  const server = tls.createServer({ key: options.key, cert: options.cert }, (secure) => { plain.emit('connection', secure); });
  server.on('connection', (socket: net.Socket) => {
    counters.connections++;
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  return server;
}

export function startHttpsDevice(spec: HttpDeviceSpec, counters: DeviceCounters): net.Server {
  return startTlsDevice(spec, counters, startHttpDevice);
}
