/**
 * Webhook SSRF: deliveries check the address the target's name resolves to at delivery
 * time, refuse internal ones unless allowed, and connect to the checked address only (a
 * name that changes its answer between check and connect — DNS rebinding — cannot redirect
 * the request). A receiver on 127.0.0.1 stands for the hub's own network.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInternalAddress, resolveDeliveryAddress, systemResolver, type HostResolver } from './targets.js';
import { postWebhook } from './transports.js';

describe('webhook targets', () => {
  let server: Server;
  let port: number;
  const hits: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => { hits.push({ headers: req.headers, body }); res.statusCode = 204; res.end(); });
    });
    // 127.0.0.1 only: a connection to any other loopback address is refused.
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => { server.close(); });

  const options = { deliveryId: 'd1', now: Date.now(), timeoutMs: 5000 };

  it('knows the internal ranges of both families, and their IPv4-mapped and NAT64 forms', () => {
    for (const a of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.251', '255.255.255.255', '198.18.0.1',
      '::1', '::', 'fe80::1', 'fe80::1%lo', 'fd00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', 'not an address']) {
      expect(isInternalAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '203.0.113.7', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '2606:4700::1111']) {
      expect(isInternalAddress(a), a).toBe(false);
    }
  });

  it('refuses a name that resolves into the hub\'s network, and one with any internal address among public ones', async () => {
    const toLoopback: HostResolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const mixed: HostResolver = async () => [{ address: '203.0.113.7', family: 4 }, { address: '10.0.0.5', family: 4 }];
    await expect(resolveDeliveryAddress(new URL('https://hooks.example.jp/x'), false, toLoopback)).rejects.toMatchObject({ code: 'MAMORI_HUB_DELIVERY', message: expect.stringContaining('127.0.0.1') });
    await expect(resolveDeliveryAddress(new URL('https://hooks.example.jp/x'), false, mixed)).rejects.toMatchObject({ message: expect.stringContaining('10.0.0.5') });
    await expect(resolveDeliveryAddress(new URL('http://[::ffff:7f00:1]/x'), false)).rejects.toMatchObject({ code: 'MAMORI_HUB_DELIVERY' });
    await expect(resolveDeliveryAddress(new URL('https://hooks.example.jp/x'), false, async () => [{ address: '203.0.113.7', family: 4 }])).resolves.toEqual({ address: '203.0.113.7', family: 4 });
    await expect(resolveDeliveryAddress(new URL('https://nowhere.invalid/x'), false, async () => { throw new Error('ENOTFOUND'); })).rejects.toMatchObject({ message: expect.stringContaining('cannot resolve') });
  });

  it('resolves real names with the system resolver: this machine\'s own host name is internal', async () => {
    const own = await systemResolver(hostname());
    expect(own.length).toBeGreaterThan(0);
    await expect(resolveDeliveryAddress(new URL(`http://${hostname()}:${port}/x`), false)).rejects.toMatchObject({ code: 'MAMORI_HUB_DELIVERY' });
    await expect(postWebhook(`http://${hostname()}:${port}/x`, '{}', { ...options, allowInternal: false })).rejects.toMatchObject({ code: 'MAMORI_HUB_DELIVERY' });
    expect(hits).toHaveLength(0);
  });

  it('does not send when the name resolves to loopback, even though the receiver is listening there', async () => {
    let lookups = 0;
    const rebinding: HostResolver = async () => { lookups++; return [{ address: '127.0.0.1', family: 4 }]; };
    await expect(postWebhook(`http://hooks.example.jp:${port}/x`, '{"a":1}', { ...options, allowInternal: false, resolve: rebinding })).rejects.toMatchObject({ code: 'MAMORI_HUB_DELIVERY', message: expect.stringContaining('internal address 127.0.0.1') });
    expect(lookups).toBe(1);
    expect(hits).toHaveLength(0);
  });

  it('resolves once and connects to the address it checked, whatever the name answers afterwards', async () => {
    // First answer 127.0.0.1 (where the receiver is), every later one 127.0.0.2 (refused):
    // a second lookup by the HTTP client would fail the delivery.
    let lookups = 0;
    const rebinding: HostResolver = async () => [{ address: lookups++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    await postWebhook(`http://hooks.example.jp:${port}/ok`, '{"event":"test"}', { ...options, secret: 's3cret', allowInternal: true, resolve: rebinding });
    expect(lookups).toBe(1);
    expect(hits).toHaveLength(1);
    expect(hits[0].headers.host).toBe(`hooks.example.jp:${port}`);
    expect(hits[0].body).toBe('{"event":"test"}');
    expect(hits[0].headers['x-mamori-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    // The pinned address is the one used even when the kernel would reach another.
    await expect(postWebhook(`http://hooks.example.jp:${port}/ok`, '{}', { ...options, allowInternal: true, resolve: async () => [{ address: '127.0.0.2', family: 4 }] })).rejects.toMatchObject({ message: expect.stringContaining('127.0.0.2') });
  });
});
