/**
 * Clock policy: a TSA must refuse to issue when it cannot vouch for its time (Japan's
 * accredited scheme: within 1 s of UTC(NICT)). `NtpClockPolicy` measures the local clock's
 * offset against an NTP server (SNTPv4, RFC 4330) on a timer and refuses when the offset
 * exceeds the limit or the last good measurement is too old. The hot path only reads state.
 */
import { createSocket } from 'node:dgram';
import { MamoriError } from '@mamori/core';

export interface ClockPolicy {
  /** A reason to refuse issuing at `now`, or null when the time can be vouched for. */
  check(now: Date): string | null;
  close?(): void;
}

/** Trusts the system clock (development, or a host whose clock is disciplined elsewhere). */
export const systemClock: ClockPolicy = { check: () => null };

const NTP_EPOCH_OFFSET = 2_208_988_800; // seconds from 1900 to 1970

function ntpToMs(buf: Buffer, at: number): number {
  return (buf.readUInt32BE(at) - NTP_EPOCH_OFFSET) * 1000 + (buf.readUInt32BE(at + 4) / 2 ** 32) * 1000;
}

export interface NtpSample {
  offsetMs: number;
  delayMs: number;
  stratum: number;
}

/** One SNTP exchange: the server's clock minus ours, corrected for the round trip. */
export function querySntp(host: string, port = 123, timeoutMs = 2000): Promise<NtpSample> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const packet = Buffer.alloc(48);
    packet[0] = (4 << 3) | 3; // version 4, mode 3 (client)
    const t1 = Date.now();
    const secs = Math.floor(t1 / 1000) + NTP_EPOCH_OFFSET;
    packet.writeUInt32BE(secs >>> 0, 40);
    packet.writeUInt32BE(Math.floor(((t1 % 1000) / 1000) * 2 ** 32) >>> 0, 44);
    const timer = setTimeout(() => {
      socket.close();
      reject(new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: `no NTP answer from ${host}:${port} within ${timeoutMs} ms` }));
    }, timeoutMs);
    socket.on('error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: `NTP ${host}:${port}: ${e.message}` }));
    });
    socket.on('message', (msg) => {
      const t4 = Date.now();
      clearTimeout(timer);
      socket.close();
      if (msg.length < 48 || (msg[0] & 0x07) !== 4 || !packet.subarray(40, 48).equals(msg.subarray(24, 32))) {
        reject(new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: 'NTP answer malformed or not for our request' }));
        return;
      }
      const stratum = msg[1];
      if (stratum === 0 || (msg[0] >> 6) === 3) {
        reject(new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: 'NTP server unsynchronised (kiss-o-death or alarm)' }));
        return;
      }
      const t2 = ntpToMs(msg, 32);
      const t3 = ntpToMs(msg, 40);
      resolve({ offsetMs: (t2 - t1 + (t3 - t4)) / 2, delayMs: t4 - t1 - (t3 - t2), stratum });
    });
    socket.send(packet, port, host);
  });
}

export interface NtpPolicyOptions {
  host: string;
  port?: number;
  /** Largest tolerated |offset| (default 1000 ms). */
  maxOffsetMs?: number;
  /** How often to measure (default 64 s). */
  intervalMs?: number;
  /** Refuse when the last good measurement is older than this (default 4 × interval). */
  maxAgeMs?: number;
}

export class NtpClockPolicy implements ClockPolicy {
  private last: { sample: NtpSample; at: number } | null = null;
  private lastError: string | null = 'clock not yet measured';
  private timer: NodeJS.Timeout | null = null;
  private readonly maxOffsetMs: number;
  private readonly intervalMs: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: NtpPolicyOptions) {
    this.maxOffsetMs = options.maxOffsetMs ?? 1000;
    this.intervalMs = options.intervalMs ?? 64_000;
    this.maxAgeMs = options.maxAgeMs ?? this.intervalMs * 4;
  }

  /** Measures once now, then keeps measuring on the interval. */
  async start(): Promise<this> {
    await this.measure();
    this.timer = setInterval(() => void this.measure(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  async measure(): Promise<NtpSample | null> {
    try {
      const sample = await querySntp(this.options.host, this.options.port, 2000);
      this.last = { sample, at: Date.now() };
      this.lastError = null;
      return sample;
    } catch (e) {
      this.lastError = (e as Error).message;
      return null;
    }
  }

  check(now: Date): string | null {
    if (!this.last) return `clock not verified: ${this.lastError}`;
    const age = now.getTime() - this.last.at;
    if (age > this.maxAgeMs) return `clock last verified ${Math.round(age / 1000)} s ago (${this.lastError ?? 'no recent answer'})`;
    const off = this.last.sample.offsetMs;
    if (Math.abs(off) > this.maxOffsetMs) return `clock offset ${off.toFixed(0)} ms exceeds the ${this.maxOffsetMs} ms policy`;
    return null;
  }

  get status(): { offsetMs?: number; checkedAt?: number; error: string | null } {
    return { offsetMs: this.last?.sample.offsetMs, checkedAt: this.last?.at, error: this.lastError };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
