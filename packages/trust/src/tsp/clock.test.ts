import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { NtpClockPolicy, querySntp } from './clock.js';

const NTP_EPOCH = 2_208_988_800;

/** A loopback NTP server whose clock runs `skewMs` ahead of ours. */
async function fakeNtp(skewMs: number, opts: { stratum?: number; silent?: boolean } = {}) {
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    if (opts.silent) return;
    const out = Buffer.alloc(48);
    out[0] = (0 << 6) | (4 << 3) | 4;
    out[1] = opts.stratum ?? 1;
    msg.copy(out, 24, 40, 48); // originate = client's transmit
    const write = (at: number, ms: number) => {
      out.writeUInt32BE(Math.floor(ms / 1000) + NTP_EPOCH, at);
      out.writeUInt32BE(Math.floor(((ms % 1000) / 1000) * 2 ** 32), at + 4);
    };
    const now = Date.now() + skewMs;
    write(32, now);
    write(40, now);
    socket.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return { port: socket.address().port, close: () => socket.close() };
}

const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

describe('clock policy (SNTP against a loopback server)', () => {
  it('measures the offset and accepts a clock within policy', async () => {
    const s = await fakeNtp(200);
    servers.push(s);
    const sample = await querySntp('127.0.0.1', s.port);
    expect(sample.offsetMs).toBeGreaterThan(100);
    expect(sample.offsetMs).toBeLessThan(300);
    const policy = await new NtpClockPolicy({ host: '127.0.0.1', port: s.port, maxOffsetMs: 1000 }).start();
    expect(policy.check(new Date())).toBeNull();
    policy.close();
  });

  it('refuses when the offset exceeds the policy, the server is silent or unsynchronised', async () => {
    const skewed = await fakeNtp(5000);
    const silent = await fakeNtp(0, { silent: true });
    const unsynced = await fakeNtp(0, { stratum: 0 });
    servers.push(skewed, silent, unsynced);
    const p1 = await new NtpClockPolicy({ host: '127.0.0.1', port: skewed.port, maxOffsetMs: 1000 }).start();
    expect(p1.check(new Date())).toMatch(/exceeds the 1000 ms policy/);
    p1.close();
    const p2 = new NtpClockPolicy({ host: '127.0.0.1', port: silent.port });
    await p2.measure();
    expect(p2.check(new Date())).toMatch(/not verified/);
    const p3 = new NtpClockPolicy({ host: '127.0.0.1', port: unsynced.port });
    await p3.measure();
    expect(p3.check(new Date())).toMatch(/unsynchronised/);
  });

  it('refuses when the last good measurement is too old', async () => {
    const s = await fakeNtp(0);
    servers.push(s);
    const p = new NtpClockPolicy({ host: '127.0.0.1', port: s.port, maxAgeMs: 60_000 });
    await p.measure();
    expect(p.check(new Date())).toBeNull();
    expect(p.check(new Date(Date.now() + 120_000))).toMatch(/last verified/);
  });
});
