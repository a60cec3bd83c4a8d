/**
 * The fingerprint on the usual web ports asks at once instead of waiting for a banner: a web
 * server that hangs up on a silent client is still seen as HTTP there (and lost on a port
 * where the banner wait applies), and a Telnet service on a web port is still Telnet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createLogger } from '@mamori/core';
import { SurveyScope } from '../scope/scope.js';
import { SurveyConnector } from '../scope/connector.js';
import { DEFAULT_TIMEOUTS, DEFAULT_WEB_PORTS, type ProbeContext } from './context.js';
import { fingerprint } from './fingerprint.js';

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A Basic-auth web server that hangs up on a client silent for `idleMs` (as some embedded servers do). */
async function impatientWeb(address: string, port: number, idleMs: number): Promise<void> {
  const s = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    const idle = setTimeout(() => socket.destroy(), idleMs);
    socket.once('data', () => {
      clearTimeout(idle);
      socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="cam"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(port, address, r));
}

function context(bannerMs: number, webPorts: readonly number[]): ProbeContext {
  const connector = new SurveyConnector(SurveyScope.fromText('127.53.0.0/24'), { globalRate: 10_000, perSlash24Rate: 10_000, perHostConnections: 2, maxAttemptsPerHost: 100 });
  return {
    connector, timeouts: { ...DEFAULT_TIMEOUTS, bannerMs, replyMs: 3000, webPorts }, log: createLogger({ level: 'silent', pretty: false }),
    telnetAttemptsPerConnection: 3, httpPipeline: 4, onAttempt: () => undefined,
  };
}

describe('fingerprint on web ports', () => {
  it('asks a web port at once: an impatient server is still seen as HTTP with its challenge', async () => {
    await impatientWeb('127.53.0.1', 8080, 2000);
    // A banner wait far longer than the server's patience (and the test's timeout).
    const s = await fingerprint(context(60_000, DEFAULT_WEB_PORTS), '127.53.0.1', 8080);
    expect(s).toMatchObject({ protocol: 'http', httpStatus: 401, authScheme: 'basic', realm: 'cam' });
  });

  it('waits for a banner on other ports, so the same server hangs up first', async () => {
    await impatientWeb('127.53.0.2', 8080, 300);
    expect(await fingerprint(context(3000, []), '127.53.0.2', 8080)).toBeNull();
  });

  it('still recognises a Telnet service that speaks first on a web port', async () => {
    const s = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.write('\r\nDVR-4CH login: ');
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(8080, '127.53.0.3', r));
    const rec = await fingerprint(context(60_000, DEFAULT_WEB_PORTS), '127.53.0.3', 8080);
    expect(rec).toMatchObject({ protocol: 'telnet', prompt: 'DVR-4CH login:' });
  });
});
