import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { BoundedReader } from './bounded-reader.js';

async function pair(onServer: (s: net.Socket) => void): Promise<{ client: net.Socket; close(): Promise<void> }> {
  const server = net.createServer(onServer);
  await new Promise<void>((r) => server.listen(0, '127.46.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.46.0.1');
  await new Promise((r) => client.once('connect', r));
  return { client, close: () => new Promise((r) => { client.destroy(); server.close(() => r()); }) };
}

describe('BoundedReader', () => {
  it('cuts an endless stream at maxBytes and keeps only the window', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const p = await pair((s) => {
      s.on('error', () => undefined);
      const pump = (): void => { while (!s.destroyed && s.write(chunk)); if (!s.destroyed) s.once('drain', pump); };
      pump();
    });
    const reader = new BoundedReader(p.client, { windowBytes: 1024, maxBytes: 64 * 1024 });
    const r = await reader.waitFor((w) => (w.includes('login:') ? true : undefined), 10_000);
    expect(r.kind).toBe('overflow');
    expect(reader.window.length).toBeLessThanOrEqual(1024);
    expect(reader.bytesReceived).toBeLessThanOrEqual(64 * 1024 + 256 * 1024);
    await p.close();
  });

  it('times out on a silent peer and reports a close', async () => {
    const p = await pair((s) => setTimeout(() => s.end(), 300));
    const reader = new BoundedReader(p.client);
    expect((await reader.waitFor(() => undefined, 100)).kind).toBe('timeout');
    expect((await reader.waitFor(() => undefined, 5000)).kind).toBe('closed');
    await p.close();
  });
});
