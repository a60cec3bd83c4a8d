/**
 * A darknet capture with known ground truth: Mirai bots (TCP sequence = destination
 * address), ZMap scanners (IP id 54321), masscan scanners (IP id = dst ^ dport ^ seq),
 * research scanners from an operator prefix, UDP probes on amplification ports, ICMP echo
 * probes, backscatter from spoofed-source floods (SYN-ACK, RST, ICMP unreachable quoting
 * the spoofed packet), a scan campaign that jumps on one port, and noise (other TCP,
 * IPv6 with extension headers, fragments, VLAN tags, ARP).
 *
 * The generator counts what it writes as it writes it; the truth is complete once the
 * frames have been consumed.
 */
import { Rng } from './rng.js';
import { TCP_FLAGS, ethernet, icmp, ipv4, ipv6, tcp, udp } from './packets.js';
import type { GeneratedFrame } from './writers.js';

export interface ScenarioVictim {
  address: string;
  /** Backscatter kind the victim sends. */
  kind: 'syn-ack' | 'rst' | 'icmp-unreachable';
  /** The attacked port (the victim's source port, or the port quoted in the ICMP error). */
  port: number;
  packetsPerMinute: number;
  /** Active from minute `fromMinute` for `minutes` minutes. */
  fromMinute: number;
  minutes: number;
}

export interface TelescopeScenarioOptions {
  seed?: number;
  startMs?: number;
  minutes?: number;
  /** The darknet as base address and prefix length (default 10.20.0.0/16). */
  darknet?: { base: string; bits: number };
  miraiBots?: number;
  zmapScanners?: number;
  masscanScanners?: number;
  /** Research scanners live in this /24 (default 192.0.2.0/24). */
  researchPrefix?: string;
  researchScanners?: number;
  victims?: ScenarioVictim[];
  /** A port whose unique sources jump at `atMinute` after a quiet baseline. */
  campaign?: { port: number; baselineSources: number; burstSources: number; atMinute: number } | null;
  /** Multiplies every steady rate (benchmarks use large factors). */
  scale?: number;
  /** Add IPv6, fragments, VLAN/QinQ tags and ARP frames (default true). */
  variety?: boolean;
}

export type TruthClass = 'syn-scan' | 'tcp-other' | 'udp-probe' | 'icmp-probe' | 'backscatter' | 'other' | 'non-ip';

export interface TelescopeGroundTruth {
  packets: number;
  bytes: number;
  byClass: Record<TruthClass, number>;
  /** Packets per `proto/dstPort` for TCP and UDP packets (outer header, first fragments included). */
  byPort: Record<string, number>;
  miraiSources: string[];
  zmapSources: string[];
  masscanSources: string[];
  researchSources: string[];
  researchPrefix: string;
  darknet: string;
  /** The IPv6 darknet the generator's IPv6 probes go to. */
  darknet6: string;
  darknetSize: number;
  victims: (ScenarioVictim & { packets: number })[];
  campaign: { proto: 'tcp'; port: number; bucketStartMs: number } | null;
  startMs: number;
  endMs: number;
}

const AMPLIFICATION_PORTS = [53, 123, 1900, 11211, 389, 161, 19];
const MIRAI_PORTS = [23, 23, 23, 23, 23, 23, 23, 23, 23, 2323];

function ip4(text: string): number {
  return text.split('.').reduce((a, o) => a * 256 + Number(o), 0) >>> 0;
}
function text4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export const DEFAULT_VICTIMS: ScenarioVictim[] = [
  { address: '203.0.113.10', kind: 'syn-ack', port: 80, packetsPerMinute: 120, fromMinute: 0, minutes: 4 },
  { address: '203.0.113.20', kind: 'rst', port: 443, packetsPerMinute: 60, fromMinute: 1, minutes: 3 },
  { address: '198.18.5.5', kind: 'icmp-unreachable', port: 53, packetsPerMinute: 45, fromMinute: 2, minutes: 3 },
  // Below corsaro's thresholds (25 packets, 60 s, 30 per minute): must not be reported.
  { address: '203.0.113.99', kind: 'syn-ack', port: 22, packetsPerMinute: 6, fromMinute: 0, minutes: 2 },
];

export class TelescopeScenario {
  readonly truth: TelescopeGroundTruth;
  private readonly rng: Rng;
  private readonly o: Required<Omit<TelescopeScenarioOptions, 'campaign'>> & { campaign: TelescopeScenarioOptions['campaign'] };
  private readonly darkBase: number;
  private readonly darkSize: number;

  constructor(options: TelescopeScenarioOptions = {}) {
    this.o = {
      seed: 1, startMs: Date.UTC(2026, 0, 1), minutes: 5, darknet: { base: '10.20.0.0', bits: 16 },
      miraiBots: 20, zmapScanners: 2, masscanScanners: 2, researchPrefix: '192.0.2.0/24', researchScanners: 3,
      victims: DEFAULT_VICTIMS, scale: 1, variety: true,
      ...options,
      campaign: options.campaign === undefined ? { port: 5555, baselineSources: 2, burstSources: 40, atMinute: 3 } : options.campaign,
    };
    this.rng = new Rng(this.o.seed);
    this.darkBase = ip4(this.o.darknet.base);
    this.darkSize = 2 ** (32 - this.o.darknet.bits);
    const c = this.o.campaign;
    this.truth = {
      packets: 0, bytes: 0,
      byClass: { 'syn-scan': 0, 'tcp-other': 0, 'udp-probe': 0, 'icmp-probe': 0, backscatter: 0, other: 0, 'non-ip': 0 },
      byPort: {},
      miraiSources: [], zmapSources: [], masscanSources: [], researchSources: [],
      researchPrefix: this.o.researchPrefix,
      darknet: `${this.o.darknet.base}/${this.o.darknet.bits}`,
      darknet6: '2001:db8:da00::/48',
      darknetSize: this.darkSize,
      victims: this.o.victims.map((v) => ({ ...v, packets: 0 })),
      campaign: c ? { proto: 'tcp', port: c.port, bucketStartMs: this.o.startMs + c.atMinute * 60_000 } : null,
      startMs: this.o.startMs,
      endMs: this.o.startMs + this.o.minutes * 60_000,
    };
  }

  private darkAddr(): number {
    return (this.darkBase + this.rng.int(this.darkSize)) >>> 0;
  }

  /** A public-looking address outside the darknet, the research prefix and documentation ranges. */
  private outsideAddr(): number {
    for (;;) {
      const a = this.rng.u32();
      const top = a >>> 24;
      if (top === 0 || top === 10 || top === 127 || top >= 224 || top === 192 || top === 198 || top === 203) continue;
      return a;
    }
  }

  private count(cls: TruthClass, frame: Uint8Array, proto?: 'tcp' | 'udp', port?: number): void {
    this.truth.packets++;
    this.truth.bytes += frame.length;
    this.truth.byClass[cls]++;
    if (proto !== undefined) {
      const key = `${proto}/${port}`;
      this.truth.byPort[key] = (this.truth.byPort[key] ?? 0) + 1;
    }
  }

  /** All frames in time order, Ethernet link type. */
  *frames(): Generator<GeneratedFrame> {
    const o = this.o;
    const rng = this.rng;
    const mirai = Array.from({ length: o.miraiBots }, () => this.outsideAddr());
    const zmap = Array.from({ length: o.zmapScanners }, () => this.outsideAddr());
    const masscan = Array.from({ length: o.masscanScanners }, () => this.outsideAddr());
    const researchBase = ip4(o.researchPrefix.split('/')[0]);
    const research = Array.from({ length: o.researchScanners }, (_, i) => (researchBase + 10 + i) >>> 0);
    this.truth.miraiSources = mirai.map(text4);
    this.truth.zmapSources = zmap.map(text4);
    this.truth.masscanSources = masscan.map(text4);
    this.truth.researchSources = research.map(text4);
    const campaignBaseline = Array.from({ length: o.campaign?.baselineSources ?? 0 }, () => this.outsideAddr());
    const s = o.scale;

    for (let sec = 0; sec < o.minutes * 60; sec++) {
      const minute = Math.floor(sec / 60);
      const batch: { us: number; frame: Uint8Array }[] = [];
      const at = (frame: Uint8Array): void => {
        batch.push({ us: sec * 1_000_000 + rng.int(1_000_000), frame });
      };
      const syn = (src: number, dst: number, dport: number, seq: number, id: number, ttl: number, mss?: number): Uint8Array => {
        const f = ethernet(ipv4({ src, dst, proto: 6, ttl, id, payload: tcp({ srcPort: 1024 + rng.int(60000), dstPort: dport, seq, flags: TCP_FLAGS.SYN, window: 1024 + rng.int(60000), mss }) }));
        this.count('syn-scan', f, 'tcp', dport);
        return f;
      };

      for (const bot of mirai) {
        for (let n = rng.count(0.5 * s); n > 0; n--) {
          const dst = this.darkAddr();
          at(syn(bot, dst, rng.pick(MIRAI_PORTS), dst, rng.int(65536), 64));
        }
      }
      for (const z of zmap) {
        for (let n = rng.count(3 * s); n > 0; n--) at(syn(z, this.darkAddr(), rng.pick([443, 8080]), rng.u32() | 1, 54321, 250, 1460));
      }
      for (const m of masscan) {
        for (let n = rng.count(3 * s); n > 0; n--) {
          const dst = this.darkAddr();
          const dport = rng.pick([21, 22, 25, 110, 3389, 5900, 6379, 9200]);
          const seq = rng.u32();
          at(syn(m, dst, dport, seq, (dst ^ dport ^ seq) & 0xffff, 255));
        }
      }
      for (const r of research) {
        for (let n = rng.count(1 * s); n > 0; n--) at(syn(r, this.darkAddr(), rng.pick([80, 443, 8443]), rng.u32() | 1, rng.int(65535) + 1, 54, 1400));
      }
      // UDP probes, half on amplification-prone ports.
      for (let n = rng.count(4 * s); n > 0; n--) {
        const dport = rng.next() < 0.5 ? rng.pick(AMPLIFICATION_PORTS) : 1024 + rng.int(64000);
        const f = ethernet(ipv4({ src: this.outsideAddr(), dst: this.darkAddr(), proto: 17, id: rng.int(65536), payload: udp(1024 + rng.int(60000), dport, new Uint8Array(rng.int(40))) }));
        this.count('udp-probe', f, 'udp', dport);
        at(f);
      }
      // ICMP echo requests.
      for (let n = rng.count(1 * s); n > 0; n--) {
        const f = ethernet(ipv4({ src: this.outsideAddr(), dst: this.darkAddr(), proto: 1, id: rng.int(65536), payload: icmp(8, 0, new Uint8Array(12)) }));
        this.count('icmp-probe', f);
        at(f);
      }
      // Other TCP: ACK and FIN probes.
      for (let n = rng.count(1 * s); n > 0; n--) {
        const dport = rng.pick([80, 443, 7547]);
        const flags = rng.next() < 0.5 ? TCP_FLAGS.ACK : TCP_FLAGS.FIN;
        const f = ethernet(ipv4({ src: this.outsideAddr(), dst: this.darkAddr(), proto: 6, id: rng.int(65536), payload: tcp({ srcPort: 1024 + rng.int(60000), dstPort: dport, seq: rng.u32(), ack: rng.u32(), flags }) }), rng.next() < 0.3 ? 1 : 0);
        this.count('tcp-other', f, 'tcp', dport);
        at(f);
      }
      if (o.variety) this.variety(sec, at);
      this.backscatter(sec, minute, at);
      this.campaign(sec, minute, campaignBaseline, at);

      batch.sort((a, b) => a.us - b.us);
      for (const p of batch) yield { tsMs: o.startMs + p.us / 1000, linkType: 1, frame: p.frame };
    }
  }

  private variety(sec: number, at: (f: Uint8Array) => void): void {
    const rng = this.rng;
    if (sec % 2 === 0) { // IPv6 SYN through two destination-options headers, QinQ-tagged
      const src = new Uint8Array(16);
      const dst = new Uint8Array(16);
      src[0] = 0x20; src[1] = 0x01; src[2] = 0x0d; src[3] = 0xb8; src[15] = 1 + rng.int(200);
      dst[0] = 0x20; dst[1] = 0x01; dst[2] = 0x0d; dst[3] = 0xb8; dst[4] = 0xda; dst[15] = rng.int(256);
      const f = ethernet(ipv6(src, dst, 6, tcp({ srcPort: 40000, dstPort: 22, seq: rng.u32(), flags: TCP_FLAGS.SYN }), 2), 2);
      this.count('syn-scan', f, 'tcp', 22);
      at(f);
    }
    if (sec % 5 === 0) { // a TCP SYN split in two fragments: the first carries the header, the second nothing we can read
      const src = this.outsideAddr();
      const dst = this.darkAddr();
      const id = rng.int(65536);
      const seg = tcp({ srcPort: 5000, dstPort: 8081, seq: rng.u32(), flags: TCP_FLAGS.SYN, payload: new Uint8Array(16) });
      const first = ethernet(ipv4({ src, dst, proto: 6, id, moreFragments: true, payload: seg.subarray(0, 24) }));
      const second = ethernet(ipv4({ src, dst, proto: 6, id, fragOffset: 24, payload: seg.subarray(24) }));
      this.count('syn-scan', first, 'tcp', 8081);
      this.count('other', second);
      at(first);
      at(second);
    }
    if (sec % 7 === 0) { // IPv4 with a record-route option
      const opt = Uint8Array.of(7, 7, 4, 0, 0, 0, 0);
      const f = ethernet(ipv4({ src: this.outsideAddr(), dst: this.darkAddr(), proto: 17, options: opt, payload: udp(999, 161, new Uint8Array(8)) }));
      this.count('udp-probe', f, 'udp', 161);
      at(f);
    }
    if (sec % 10 === 0) { // ARP: not IP at all
      const arp = new Uint8Array(28);
      arp[1] = 1; arp[2] = 8; arp[4] = 6; arp[5] = 4; arp[7] = 1;
      const f = ethernet(arp, 0, 0x0806);
      this.count('non-ip', f);
      at(f);
    }
  }

  private backscatter(sec: number, minute: number, at: (f: Uint8Array) => void): void {
    const rng = this.rng;
    this.truth.victims.forEach((v) => {
      if (minute < v.fromMinute || minute >= v.fromMinute + v.minutes) return;
      const victim = ip4(v.address);
      for (let n = rng.count(v.packetsPerMinute / 60); n > 0; n--) {
        const spoofed = this.darkAddr();
        const sport = 1024 + rng.int(60000);
        let f: Uint8Array;
        if (v.kind === 'icmp-unreachable') {
          // A router near the victim refuses the spoofed packet and tells the (spoofed) sender: us.
          const quotedIp = ipv4({ src: spoofed, dst: victim, proto: 17, ttl: 1, id: rng.int(65536), payload: udp(sport, v.port, new Uint8Array(0)) });
          f = ethernet(ipv4({ src: (victim & 0xffffff00) | 1, dst: spoofed, proto: 1, id: rng.int(65536), payload: icmp(3, 3, Uint8Array.of(0, 0, 0, 0, ...quotedIp)) }));
        } else {
          const flags = v.kind === 'syn-ack' ? TCP_FLAGS.SYN | TCP_FLAGS.ACK : TCP_FLAGS.RST | TCP_FLAGS.ACK;
          f = ethernet(ipv4({ src: victim, dst: spoofed, proto: 6, id: rng.int(65536), payload: tcp({ srcPort: v.port, dstPort: sport, seq: rng.u32(), ack: rng.u32(), flags }) }));
        }
        v.packets++;
        this.count('backscatter', f, v.kind === 'icmp-unreachable' ? undefined : 'tcp', v.kind === 'icmp-unreachable' ? undefined : sport);
        at(f);
      }
    });
  }

  private campaign(sec: number, minute: number, baseline: number[], at: (f: Uint8Array) => void): void {
    const c = this.o.campaign;
    if (!c || sec % 60 !== 30) return;
    const sources = minute === c.atMinute ? Array.from({ length: c.burstSources }, () => this.outsideAddr()) : baseline;
    for (const src of sources) {
      const f = ethernet(ipv4({ src, dst: this.darkAddr(), proto: 6, ttl: 50, id: this.rng.int(65536), payload: tcp({ srcPort: 33000, dstPort: c.port, seq: this.rng.u32() | 1, flags: TCP_FLAGS.SYN }) }));
      this.count('syn-scan', f, 'tcp', c.port);
      at(f);
    }
  }
}
