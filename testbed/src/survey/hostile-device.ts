/**
 * Devices that try to hurt a scanner: silent tarpits, resets, endless banners, a megabyte
 * prompt, never-ending IAC negotiation, half-open connections, garbage in reply to HTTP.
 */
import net from 'node:net';
import type { DeviceCounters, HostileDeviceSpec } from './devices.js';

/** Writes `next()` for as long as the peer reads, honouring back-pressure. */
function flood(socket: net.Socket, next: () => Buffer): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(next())) { socket.once('drain', pump); return; }
    }
  };
  pump();
}

export function startHostileDevice(spec: HostileDeviceSpec, counters: DeviceCounters): net.Server {
  const text = Buffer.alloc(16 * 1024, 'Welcome to the endless banner. ');
  const iac = Buffer.from(Array.from({ length: 1024 }, (_, i) => [255, 253 - (i % 2) * 2, i % 256]).flat());
  return net.createServer((socket) => {
    counters.connections++;
    socket.on('error', () => undefined);
    switch (spec.behaviour) {
      case 'tarpit':
        socket.setTimeout(120_000, () => socket.destroy());
        break;
      case 'reset':
        socket.resetAndDestroy();
        break;
      case 'endless-banner':
        flood(socket, () => text);
        break;
      case 'megabyte-prompt':
        socket.write(Buffer.alloc(1024 * 1024, 'A'));
        socket.end('login: ');
        break;
      case 'endless-iac':
        flood(socket, () => iac);
        break;
      case 'half-open':
        socket.end(); // FIN straight away, keep reading whatever comes
        break;
      case 'garbage-http':
        socket.once('data', () => socket.end(Buffer.from('HTTP/1.1 200 OK\r\nX\x00: \xff\r\n\r\n\xff\xfe', 'latin1')));
        break;
    }
  });
}
