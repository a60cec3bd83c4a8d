/**
 * The UDP collector: one `dgram` socket, one `ExporterSession` per transport session
 * (sender address and port, as RFC 7011 §10.3 scopes templates over UDP), live counters.
 * Decoding is synchronous per datagram; records go to `onRecords` in arrival batches.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { decodePacket } from '../decoders/index.js';
import { DEFAULT_LIMITS, ExporterSession, type ExporterCounters, type SessionLimits } from '../decoders/session.js';
import type { FlowRecord } from '../record.js';

export interface CollectorOptions {
  host?: string;
  port?: number;
  limits?: Partial<SessionLimits>;
  /** Exporters (transport sessions) tracked at once; datagrams from more are dropped and counted. */
  maxExporters?: number;
  /** How often templates are swept for expiry, ms. */
  sweepMs?: number;
  /** Receive buffer for bursts (softflowd sends a whole pcap's flows at once). */
  receiveBufferBytes?: number;
  /**
   * Multiply packets and bytes by the exporter's announced sampling interval (v5 header,
   * v9/IPFIX options records), as nfdump does; default true. Timestamps are left as sent.
   */
  scaleSampled?: boolean;
  onRecords?(records: FlowRecord[], session: ExporterSession): void;
}

export interface CollectorStats {
  packets: number;
  records: number;
  errors: number;
  lostRecords: number;
  lostPackets: number;
  droppedExporters: number;
  exporters: { exporter: string; counters: ExporterCounters }[];
}

/** Scales sampled records by their domain's sampling interval (1 = unsampled: untouched). */
export function scaleSampled(records: FlowRecord[], session: ExporterSession): void {
  for (const r of records) {
    const n = session.domains.get(r.domain)?.samplingInterval ?? 1;
    if (n > 1) { r.packets *= n; r.bytes *= n; }
  }
}

export class FlowCollector {
  readonly sessions = new Map<string, ExporterSession>();
  private droppedExporters = 0;
  private readonly limits: SessionLimits;
  private readonly sweep: NodeJS.Timeout;

  private constructor(private readonly socket: Socket, private readonly options: CollectorOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    this.sweep = setInterval(() => this.expire(Date.now()), options.sweepMs ?? 60_000);
    this.sweep.unref();
  }

  static async listen(options: CollectorOptions = {}): Promise<FlowCollector> {
    const host = options.host ?? '127.0.0.1';
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: options.receiveBufferBytes ?? 8 * 1024 * 1024 });
    socket.bind(options.port ?? 2055, host);
    await once(socket, 'listening');
    return new FlowCollector(socket, options);
  }

  address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Decodes one datagram as if it came from `exporter` (also used for replaying captured streams). */
  receive(msg: Buffer, rinfo: Pick<RemoteInfo, 'address' | 'port'>, now = Date.now()): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let session = this.sessions.get(key);
    if (!session) {
      if (this.sessions.size >= (this.options.maxExporters ?? 1024)) { this.droppedExporters++; return; }
      session = new ExporterSession(key, this.limits, now);
      this.sessions.set(key, session);
    }
    const out: FlowRecord[] = [];
    decodePacket(msg, session, out, now);
    if (out.length === 0) return;
    if (this.options.scaleSampled !== false) scaleSampled(out, session);
    this.options.onRecords?.(out, session);
  }

  expire(now: number): void {
    for (const s of this.sessions.values()) s.expire(now);
  }

  stats(): CollectorStats {
    const exporters = [...this.sessions.values()].map((s) => ({ exporter: s.key, counters: { ...s.counters, errorsByCode: { ...s.counters.errorsByCode } } }));
    const sum = (f: (c: ExporterCounters) => number): number => exporters.reduce((a, e) => a + f(e.counters), 0);
    return {
      packets: sum((c) => c.packets), records: sum((c) => c.records), errors: sum((c) => c.errors),
      lostRecords: sum((c) => c.lostRecords), lostPackets: sum((c) => c.lostPackets),
      droppedExporters: this.droppedExporters, exporters,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
