/**
 * Telescope ingest speed and memory.
 *
 * Builds a large darknet pcap from the testbed generator (Mirai, ZMap, masscan, research
 * scanners, UDP/ICMP probes, backscatter, noise; a 2-minute base capture repeated with
 * shifted timestamps), warms it into the page cache, then measures in child processes:
 *   - mamori: read + decode + classify + fingerprint + every interval analysis (port and
 *     source rollups, unique sources, victims, campaigns, infected hosts), results
 *     materialised per interval and discarded (no store I/O);
 *   - mamori end to end into a SQLite store and a PostgreSQL store (`ingestCapture`, the
 *     loopback test database), on the smaller file;
 *   - tshark -r FILE -q -z io,stat,0 and tcpdump -r FILE -w /dev/null on the smaller file,
 *     compared with mamori on that same file.
 * Memory flatness: peak RSS of the mamori child at two file sizes.
 *
 * Run: npm run bench -- bench/telescope-ingest.ts [--base-scale 250] [--copies 2] [--keep]
 *   [--only analyse,sqlite,postgres,peers]   (a subset of the runs; the machine is shared)
 *   [--heap]   (the analyse child runs a full GC at each tenth and reports the live heap: retained state, not rates)
 *   [--packets 30000000]   (the large file holds at least this many packets: 30 M ≈ an hour)
 *   [--warmup 1000000]     (the sustained rate is counted after this many packets)
 * Rates are per CPU-second of the child: the whole file (the headline), and after the warm-up.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { numberArg } from './args.js';

const here = fileURLToPath(import.meta.url);

interface ChildResult {
  frames: number;
  packets: number;
  wallMs: number;
  cpuMs: number;
  /** Of cpuMs, the kernel's part (page faults, read copies). */
  sysMs: number;
  maxRssMb: number;
  intervals: number;
  /** RSS (MiB) after each tenth of the capture: flat means streaming. */
  rssTrace: number[];
  /**
   * [packets counted, process CPU µs since start, intervals closed in the window, sys µs,
   * minor page faults] after each read window (~4 MiB): the rate over any stretch, what closing
   * an interval costs, and how much of the start-up is first-touch faults.
   */
  cpuTrace: [number, number, number, number, number][];
  /** With --heap (child under --expose-gc): [heapUsed, external (array buffers included)] MiB after a full GC at each tenth. */
  heapTrace: [number, number][];
}

async function child(mode: string, file: string): Promise<void> {
  const { readCapture, TelescopeEngine, ingestCapture, telescopeMigrations } = await import('@mamori/telescope');
  const { PrefixSet } = await import('@mamori/core');
  const darknet = new PrefixSet(['10.20.0.0/16', '2001:db8:da00::/48']);
  const research = new PrefixSet(['192.0.2.0/24']);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let frames = 0;
  let packets = 0;
  let intervals = 0;
  const size = (await import('node:fs')).statSync(file).size;
  const rssTrace: number[] = [];
  const cpuTrace: [number, number, number, number, number][] = [];
  const faults0 = process.resourceUsage().minorPageFault;
  const heapTrace: [number, number][] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  if (mode === 'analyse') {
    const engine = new TelescopeEngine({ darknet, research });
    await readCapture(file, engine.onFrame, {
      onChunk: (bytes) => {
        const closed = engine.pending.length;
        intervals += closed;
        // What a sink does once it has written an interval: give the source counters back for reuse.
        for (const r of engine.pending) {
          r.sources.release();
          r.ports.release();
        }
        engine.pending.length = 0;
        const cu = process.cpuUsage(c0);
        cpuTrace.push([engine.stats.packets, cu.user + cu.system, closed, cu.system, process.resourceUsage().minorPageFault - faults0]);
        if (bytes >= ((rssTrace.length + 1) / 10) * size) {
          rssTrace.push(Math.round(process.memoryUsage.rss() / 2 ** 20));
          if (gc) {
            // Retained state only: what survives a full collection (slows the run; figures are then not rates).
            gc();
            const m = process.memoryUsage();
            heapTrace.push([+(m.heapUsed / 2 ** 20).toFixed(1), +(m.external / 2 ** 20).toFixed(1)]);
          }
        }
      },
    });
    engine.finish();
    intervals += engine.pending.length;
    frames = engine.stats.frames;
    packets = engine.stats.packets;
  } else {
    const { testBackends } = await import('@mamori/core');
    const backend = testBackends().find((b) => b.name === (mode === 'postgres' ? 'postgres+nats' : 'sqlite+memory'))!;
    const platform = await backend.open({ migrations: [telescopeMigrations] });
    const r = await ingestCapture(platform, file, { darknet, research });
    frames = r.frames;
    packets = r.packets;
    intervals = r.intervals;
    await platform.close();
  }
  const wallMs = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  const result: ChildResult = { frames, packets, wallMs, cpuMs: (cu.user + cu.system) / 1000, sysMs: cu.system / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, intervals, rssTrace, cpuTrace, heapTrace };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Repeats the records of a base pcap `copies` times, each copy shifted by `shiftSec`. */
function repeatCapture(base: Uint8Array, copies: number, shiftSec: number, out: string): number {
  const view = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= base.length; at += 16 + view.getUint32(at + 8, true)) offsets.push(at);
  const records = base.slice(24);
  const rv = new DataView(records.buffer);
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, base.subarray(0, 24));
    for (let k = 0; k < copies; k++) {
      if (k > 0) for (const at of offsets) rv.setUint32(at - 24, rv.getUint32(at - 24, true) + shiftSec, true);
      writeSync(fd, records);
    }
  } finally {
    closeSync(fd);
  }
  return offsets.length * copies;
}

interface PeerResult {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

/** Runs a command under /usr/bin/time for its CPU time and peak RSS. */
function peer(cmd: string, args: string[]): PeerResult {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  if (r.error || r.status !== 0) throw new Error(`${cmd} failed: ${r.error?.message ?? r.stderr.slice(-500)}`);
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing from ${cmd}`);
  return { wallMs, cpuMs: (Number(m[1]) + Number(m[2])) * 1000, maxRssMb: Number(m[3]) / 1024 };
}

function runChild(mode: string, file: string): ChildResult {
  const heap = process.argv.includes('--heap') ? ['--expose-gc'] : [];
  const r = spawnSync(process.execPath, [...heap, '--conditions=@mamori/source', '--import', 'tsx', here, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

function warm(file: string): void {
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en');
const mpps = (packets: number, ms: number): string => (packets / ms / 1000).toFixed(2);

async function main(): Promise<void> {
  const baseScale = numberArg('--base-scale', 250);
  const copies = numberArg('--copies', 2);
  const dir = join(tmpdir(), 'mamori-bench-telescope');
  mkdirSync(dir, { recursive: true });
  const basePath = join(dir, `base-${baseScale}.pcap`);
  const { TelescopeScenario, writeCaptureFile } = await import('@mamori/testbed');
  if (!existsSync(basePath)) {
    const t = performance.now();
    const s = new TelescopeScenario({ seed: 2026, minutes: 2, scale: baseScale });
    writeCaptureFile(basePath, s.frames(), { format: 'pcap' });
    console.log(`generated base capture: ${fmt(s.truth.packets)} packets in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const base = new Uint8Array(readFileSync(basePath));
  const small = join(dir, 'small.pcap');
  const large = join(dir, 'large.pcap');
  const smallPackets = repeatCapture(base, copies, 120, small);
  // --packets N: the large file is the base capture repeated until it holds at least N packets
  // (each copy is the next 2 minutes), e.g. 30 M ≈ an hour of the generator's mix at scale 250.
  const wanted = numberArg('--packets', 0);
  const largeCopies = wanted > 0 ? Math.max(1, Math.ceil(wanted / (smallPackets / copies))) : copies * 4;
  const largePackets = repeatCapture(base, largeCopies, 120, large);
  const largeName = wanted > 0 ? `long, ${largeCopies * 2} min` : 'large';
  console.log(`small: ${fmt(smallPackets)} packets, ${(statSync(small).size / 2 ** 20).toFixed(0)} MiB; ${largeName}: ${fmt(largePackets)} packets, ${(statSync(large).size / 2 ** 20).toFixed(0)} MiB`);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`machine: ${(await import('node:os')).cpus().length} CPUs, load average ${load} (shared machine: CPU time is the steadier figure)`);

  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : ['analyse', 'sqlite', 'postgres', 'peers'];
  const rows: [string, number, number, number, number][] = [];
  let mLarge: ChildResult | null = null;
  let mSmall: ChildResult | null = null;
  let tshark: PeerResult | null = null;
  let tcpdump: PeerResult | null = null;
  if (only.includes('analyse')) {
    warm(large);
    mLarge = runChild('analyse', large);
    warm(small);
    mSmall = runChild('analyse', small);
    rows.push([`mamori analyse (${largeName})`, largePackets, mLarge.wallMs, mLarge.cpuMs, mLarge.maxRssMb]);
    rows.push(['mamori analyse (small)', smallPackets, mSmall.wallMs, mSmall.cpuMs, mSmall.maxRssMb]);
  }
  for (const [mode, name] of [['sqlite', 'mamori → SQLite (small)'], ['postgres', 'mamori → PostgreSQL (small)']] as const) {
    if (!only.includes(mode)) continue;
    warm(small);
    const m = runChild(mode === 'sqlite' ? 'store' : mode, small);
    rows.push([name, smallPackets, m.wallMs, m.cpuMs, m.maxRssMb]);
  }
  if (only.includes('peers')) {
    // The peers read the small file (tshark is slow enough that the large one would take many minutes).
    warm(small);
    tshark = peer('tshark', ['-r', small, '-q', '-z', 'io,stat,0']);
    warm(small);
    tcpdump = peer('tcpdump', ['-r', small, '-w', '/dev/null']);
    rows.push(['tshark -z io,stat,0 (small)', smallPackets, tshark.wallMs, tshark.cpuMs, tshark.maxRssMb]);
    rows.push(['tcpdump -w /dev/null (small)', smallPackets, tcpdump.wallMs, tcpdump.cpuMs, tcpdump.maxRssMb]);
  }
  const after = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`load average after the runs ${after}`);

  console.log('\nrun                            packets      wall s   cpu s   Mpkt/s wall  Mpkt/s cpu  peak RSS MiB');
  for (const [name, n, wall, cpu, rss] of rows) {
    console.log(`${name.padEnd(30)} ${fmt(n).padStart(11)} ${(wall / 1000).toFixed(2).padStart(8)} ${(cpu / 1000).toFixed(2).padStart(7)} ${mpps(n, wall).padStart(12)} ${mpps(n, cpu).padStart(11)} ${rss.toFixed(0).padStart(13)}`);
  }
  if (mLarge && mSmall) {
    if (tshark && tcpdump) {
      console.log(`\nratio, packets/s by CPU time on the same (small) file: mamori/tshark ${(tshark.cpuMs / mSmall.cpuMs).toFixed(2)}×, mamori/tcpdump ${(tcpdump.cpuMs / mSmall.cpuMs).toFixed(2)}×`);
      console.log(`ratio, packets/s by wall time on the same (small) file: mamori/tshark ${(tshark.wallMs / mSmall.wallMs).toFixed(2)}×, mamori/tcpdump ${(tcpdump.wallMs / mSmall.wallMs).toFixed(2)}×`);
    }
    report(mLarge, mSmall, smallPackets, largePackets, largeName);
  }
  if (!process.argv.includes('--keep')) {
    rmSync(small);
    rmSync(large);
  }
}

/**
 * The rate per CPU-second after the first `warmup` packets (JIT tiering, first touch of every
 * table) and per tenth of the file, from the child's per-window CPU timestamps. The whole-file
 * rate stays the headline; these say how much of it is start-up.
 */
function sustained(name: string, m: ChildResult, warmup: number): void {
  const t = m.cpuTrace;
  const from = t.find(([n]) => n >= warmup);
  const endUs = m.cpuMs * 1000;
  if (!from || m.packets - from[0] <= 0) {
    console.log(`${name}: fewer than ${fmt(warmup)} packets, no sustained rate`);
    return;
  }
  const rate = (m.packets - from[0]) / (endUs - from[1]);
  const head = from[0] / from[1];
  console.log(`${name}: whole file ${mpps(m.packets, m.cpuMs)} Mpkt/cpu-s; first ${fmt(from[0])} packets ${head.toFixed(2)} (${(from[1] / 1e6).toFixed(2)} cpu s, sys ${(from[3] / 1e6).toFixed(2)}, ${fmt(from[4])} minor faults); after them ${rate.toFixed(2)} Mpkt/cpu-s (${((endUs - from[1]) / 1e6).toFixed(2)} cpu s); sys ${(m.sysMs / 1000).toFixed(2)} of ${(m.cpuMs / 1000).toFixed(2)} cpu s`);
  const tenths: string[] = [];
  let prev: readonly number[] = [0, 0];
  for (let k = 1; k <= 10; k++) {
    const at = k === 10 ? [m.packets, endUs] : t.find(([n]) => n >= (k / 10) * m.packets);
    if (!at || at[1] <= prev[1]) continue;
    tenths.push(((at[0] - prev[0]) / (at[1] - prev[1])).toFixed(2));
    prev = at;
  }
  console.log(`${name}: Mpkt/cpu-s per tenth of the file: ${tenths.join(' ')}`);
  // After the warm-up: windows that closed no interval give the counting rate (median); what
  // windows that closed one took beyond that rate is the cost of closing intervals.
  const plain: number[] = [];
  const closing: [number, number][] = [];
  let extraUs = 0;
  let closes = 0;
  for (let i = t.indexOf(from) + 1; i < t.length; i++) {
    const n = t[i][0] - t[i - 1][0];
    const us = t[i][1] - t[i - 1][1];
    if (t[i][2] === 0) plain.push(n / us);
    else closing.push([n, us]);
    closes += t[i][2];
  }
  if (plain.length === 0 || closes === 0) return;
  const counting = plain.sort((a, b) => a - b)[plain.length >> 1];
  for (const [n, us] of closing) extraUs += us - n / counting;
  console.log(`${name}: after the warm-up, windows closing no interval run at ${counting.toFixed(2)} Mpkt/cpu-s (median); closing ${closes} intervals took ~${(extraUs / closes / 1000).toFixed(1)} ms each beyond that, ${((100 * extraUs) / (endUs - from[1])).toFixed(0)}% of the CPU after the warm-up`);
}

function report(mLarge: ChildResult, mSmall: ChildResult, smallPackets: number, largePackets: number, largeName: string): void {
  const ours = largePackets / mLarge.cpuMs;
  const warmup = numberArg('--warmup', 1_000_000);
  sustained(largeName, mLarge, warmup);
  sustained('small', mSmall, warmup);
  console.log(`memory: peak RSS ${mSmall.maxRssMb.toFixed(0)} MiB at ${fmt(smallPackets)} packets, ${mLarge.maxRssMb.toFixed(0)} MiB at ${fmt(largePackets)} packets (${(mLarge.maxRssMb / mSmall.maxRssMb).toFixed(2)}× for ${(largePackets / smallPackets).toFixed(1)}× the file)`);
  console.log(`RSS after each tenth of the ${largeName} file (MiB): ${mLarge.rssTrace.join(' ')}`);
  console.log(`RSS after each tenth of the small file (MiB): ${mSmall.rssTrace.join(' ')}`);
  if (mLarge.heapTrace.length > 0) console.log(`after a full GC at each tenth of the ${largeName} file, heapUsed/external MiB: ${mLarge.heapTrace.map(([h, e]) => `${h}/${e}`).join(' ')}`);
  const year = 600e9;
  console.log(`a NICTER year (~${year / 1e9}e9 packets) at ${(ours / 1000).toFixed(2)} Mpkt/s per core (whole ${largeName} file): ${(year / (ours * 1000) / 3600).toFixed(0)} core-hours`);
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await main();
