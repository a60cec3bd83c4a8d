/**
 * Emulated IoT devices for the survey's tests and benchmarks: what each device is, which
 * credentials it accepts and which quirk it has. The plan is data, so a test knows the
 * ground truth (which devices are weak, and with which pair) before any scan runs.
 */

export interface Credential {
  username: string;
  password: string;
}

interface Base {
  address: string;
  port: number;
  /** Accepted credentials (the device is weak when one of them is in the survey's dictionary). */
  credentials: Credential[];
}

export interface TelnetDeviceSpec extends Base {
  kind: 'telnet';
  banner?: string;
  loginPrompt?: string;
  passwordPrompt?: string;
  shellPrompt?: string;
  /** Failed logins one connection allows before the device hangs up (BusyBox: 3). */
  attemptsPerConnection?: number;
  /** After this many failures in total the device refuses every login ("locked"). */
  lockoutAfter?: number;
  /** Opens with IAC WILL ECHO / WILL SGA / DO NAWS / DO TTYPE, as most embedded telnetd do. */
  iac?: boolean;
  /** Drops straight into a shell with no login at all. */
  noAuth?: boolean;
  bannerDelayMs?: number;
}

export interface SshDeviceSpec extends Base {
  kind: 'ssh';
  methods: ('password' | 'keyboard-interactive')[];
  version?: string;
}

export interface HttpDeviceSpec extends Base {
  kind: 'http';
  auth: 'basic' | 'digest' | 'none';
  algorithm?: 'MD5' | 'SHA-256' | 'MD5-sess';
  realm?: string;
  title?: string;
  server?: string;
  /** Served over TLS (HTTPS) with this self-signed certificate (see `selfSignedCertificate`). */
  tls?: DeviceTls;
}

/** A device behind TLS: its certificate, and the quirk of a handshake that never completes (a TLS tarpit). */
export interface DeviceTls {
  key: string;
  cert: string;
  stallHandshake?: boolean;
}

export type HostileBehaviour = 'tarpit' | 'reset' | 'endless-banner' | 'megabyte-prompt' | 'endless-iac' | 'half-open' | 'garbage-http';

export interface HostileDeviceSpec extends Base {
  kind: 'hostile';
  behaviour: HostileBehaviour;
  /** The behaviour behind TLS (an endless banner, encrypted). */
  tls?: DeviceTls;
}

export type DeviceSpec = TelnetDeviceSpec | SshDeviceSpec | HttpDeviceSpec | HostileDeviceSpec;

/** Counters the farm keeps per device: the benchmark's and the tests' ground truth. */
export interface DeviceCounters {
  connections: number;
  loginAttempts: number;
  successes: number;
}

/** A weak device: accepts a pair from `dictionary`, or needs no login at all. */
export function isWeak(device: DeviceSpec, dictionary: readonly Credential[]): boolean {
  if (device.kind === 'hostile') return false;
  if (device.kind === 'http' && device.tls?.stallHandshake) return false; // never reachable: a TLS tarpit
  if (device.kind === 'telnet' && device.noAuth) return true;
  if (device.kind === 'http' && device.auth === 'none') return /admin|camera|status|router/i.test(device.title ?? '');
  if (device.kind === 'telnet' && device.lockoutAfter !== undefined) {
    // Only pairs tried before the lockout can be found: the first `lockoutAfter` of the dictionary.
    return dictionary.slice(0, device.lockoutAfter).some((p) => device.credentials.some((c) => c.username === p.username && c.password === p.password));
  }
  return device.credentials.some((c) => dictionary.some((p) => p.username === c.username && p.password === c.password));
}
