/**
 * Flow decoding and aggregation speed.
 *
 *  1. A real exporter's stream: softflowd turns a testbed pcap into NetFlow v5, v9 and IPFIX;
 *     the datagrams are captured on loopback and decoded repeatedly → records/s per version.
 *  2. A day's worth of records (synthetic, NetFlow v9, one exporter): decoded and aggregated
 *     per address by flows (`-s ip/flows`), against nfdump on the same datagrams (sent to
 *     nfcapd on loopback, then `nfdump -r FILE -s ip/flows`). Prints the ratio.
 *
 * Run: npm run bench -- bench/flows-decode.ts [dayRecords=2000000]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressCounter, decodePacket, decodePacketColumns, ExporterSession, FlowColumns, type FlowRecord } from '@mamori/flows';
import { tcpConversation, writePcap } from '@mamori/testbed';

const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-flows-'));
const DAY_RECORDS = Number(process.argv[2] ?? 2_000_000);

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function captureSoftflowd(pcap: string, version: 5 | 9 | 10): Promise<Buffer[]> {
  const sock = createSocket({ type: 'udp4', recvBufferSize: 32 * 1024 * 1024 });
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  spawnSync('softflowd', ['-d', '-r', pcap, '-n', `127.0.0.1:${sock.address().port}`, '-v', String(version)], { stdio: 'ignore', timeout: 120_000 });
  await sleep(300);
  sock.close();
  return got;
}

function decodeRate(stream: Buffer[], minRecords: number, mode: 'objects' | 'columns'): { records: number; seconds: number; perSecond: number; cpuSeconds: number; perCpuSecond: number; errors: number } {
  // Warm up the JIT, then decode the stream repeatedly (a fresh session per pass, as a new exporter).
  const cols = new FlowColumns(8192);
  for (let i = 0; i < 3; i++) { const s = new ExporterSession('warm'); const out: FlowRecord[] = []; for (const p of stream) { if (mode === 'objects') decodePacket(p, s, out); else { cols.clear(); decodePacketColumns(p, s, cols); } } }
  let records = 0, errors = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  while (records < minRecords) {
    const s = new ExporterSession('bench');
    let out: FlowRecord[] = [];
    for (const p of stream) {
      if (mode === 'columns') { cols.clear(); decodePacketColumns(p, s, cols); records += cols.length; continue; }
      decodePacket(p, s, out);
      if (out.length > 4096) { records += out.length; out = []; }
    }
    records += out.length;
    errors += s.counters.errors;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { records, seconds, perSecond: records / seconds, cpuSeconds, perCpuSecond: records / cpuSeconds, errors };
}

/** A day of NetFlow v9 from one exporter: 30 records a packet, template every 100 packets. */
function dayStream(n: number, t0: number): Buffer[] {
  const fields: [number, number][] = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [6, 1], [5, 1], [2, 4], [1, 4], [22, 4], [21, 4], [10, 2], [14, 2]];
  const recLen = fields.reduce((a, [, l]) => a + l, 0);
  const tmpl = Buffer.alloc(4 + 4 + 4 * fields.length);
  tmpl.writeUInt16BE(0, 0); tmpl.writeUInt16BE(tmpl.length, 2); tmpl.writeUInt16BE(256, 4); tmpl.writeUInt16BE(fields.length, 6);
  fields.forEach(([id, l], i) => { tmpl.writeUInt16BE(id, 8 + 4 * i); tmpl.writeUInt16BE(l, 10 + 4 * i); });
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const per = 30;
  const out: Buffer[] = [];
  const boot = t0 - 3_600_000;
  for (let i = 0, k = 0; i < n; i += per, k++) {
    const count = Math.min(per, n - i);
    const withT = k % 100 === 0;
    const dataLen = 4 + count * recLen;
    const b = Buffer.alloc(20 + (withT ? tmpl.length : 0) + dataLen);
    const tNow = t0 + Math.floor(((i + count) / n) * 86_400_000);
    b.writeUInt16BE(9, 0); b.writeUInt16BE(count + (withT ? 1 : 0), 2);
    b.writeUInt32BE(tNow - boot, 4); b.writeUInt32BE(Math.floor(tNow / 1000), 8); b.writeUInt32BE(k, 12); b.writeUInt32BE(0, 16);
    let p = 20;
    if (withT) { tmpl.copy(b, p); p += tmpl.length; }
    b.writeUInt16BE(256, p); b.writeUInt16BE(dataLen, p + 2); p += 4;
    for (let j = 0; j < count; j++) {
      const internal = (0x0a000000 | Math.floor(Math.pow(rand(), 2) * 20_000)) >>> 0;
      const external = (0xc6120000 + Math.floor(Math.pow(rand(), 3) * 50_000)) >>> 0;
      const out_ = rand() < 0.5;
      const start = tNow - boot - Math.floor(rand() * 60_000);
      b.writeUInt32BE(out_ ? internal : external, p); b.writeUInt32BE(out_ ? external : internal, p + 4);
      b.writeUInt16BE(out_ ? 32768 + Math.floor(rand() * 28000) : 443, p + 8); b.writeUInt16BE(out_ ? 443 : 32768 + Math.floor(rand() * 28000), p + 10);
      b[p + 12] = 6; b[p + 13] = 0x1b; b[p + 14] = 0;
      b.writeUInt32BE(1 + Math.floor(rand() * 40), p + 15); b.writeUInt32BE(40 + Math.floor(rand() * 60_000), p + 19);
      b.writeUInt32BE(start, p + 23); b.writeUInt32BE(start + Math.floor(rand() * 30_000), p + 27);
      b.writeUInt16BE(1, p + 31); b.writeUInt16BE(2, p + 33);
      p += recLen;
    }
    out.push(b);
  }
  return out;
}

async function nfcapdFile(stream: Buffer[]): Promise<{ file: string; seconds: number }> {
  const out = join(dir, 'nfcapd');
  spawnSync('mkdir', ['-p', out]);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn('nfcapd', ['-w', out, '-b', '127.0.0.1', '-p', String(port), '-t', '86400', '-B', String(64 * 1024 * 1024)], { stdio: 'ignore' });
  await sleep(1000);
  const sock = createSocket('udp4');
  const t0 = Date.now();
  for (let i = 0; i < stream.length; i++) {
    await new Promise<void>((res, rej) => sock.send(stream[i], port, '127.0.0.1', (e) => (e ? rej(e) : res())));
    if (i % 64 === 63) await sleep(2); // pace: nfcapd must keep up or the kernel drops datagrams
  }
  sock.close();
  await sleep(2000);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  const file = readdirSync(out).find((f) => /^nfcapd\.\d{12}$/.test(f));
  if (!file) throw new Error('nfcapd wrote no file');
  return { file: join(out, file), seconds: (Date.now() - t0) / 1000 };
}

function timeIt<T>(f: () => T): { value: T; seconds: number; cpuSeconds: number } {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (c.user + c.system) / 1e6 };
}

/** Wall and CPU time of a child process (CPU from the kernel's rusage of the child). */
function timeChild(cmd: string, args: string[]): { stdout: string; seconds: number; cpuSeconds: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { stdout: r.stdout, seconds, cpuSeconds: m ? Number(m[1]) + Number(m[2]) : NaN };
}

async function main(): Promise<void> {
  console.log(`# flows-decode — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // 1. softflowd's own export of a 20,000-conversation pcap.
  const conv = Array.from({ length: 20_000 }, (_, i) => tcpConversation(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `198.51.${(i >> 8) & 100}.${(i * 7) & 255}`, 1024 + (i % 60000), i % 5 ? 443 : 80, Date.UTC(2026, 10, 20) + i * 100, 100 + (i % 500), 1000 + (i % 9000)));
  const pcap = join(dir, 'cap.pcap');
  writePcap(pcap, conv);
  console.log('\n## decode (softflowd export of a 20,000-conversation pcap, captured on loopback)');
  console.log('version | into | datagrams | records/pass | lost in capture (seq. gaps) | records decoded | wall s | records/s (wall) | CPU s | records per CPU-second');
  for (const v of [5, 9, 10] as const) {
    const stream = await captureSoftflowd(pcap, v);
    const one = new ExporterSession('x'); const recs: FlowRecord[] = [];
    for (const p of stream) decodePacket(p, one, recs);
    for (const mode of ['objects', 'columns'] as const) {
      const r = decodeRate(stream, 4_000_000, mode);
      console.log(`${v === 10 ? 'IPFIX' : `v${v}`} | ${mode} | ${stream.length} | ${recs.length} | ${one.counters.lostRecords + one.counters.lostPackets} | ${r.records} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond).toLocaleString('en-US')} | ${r.cpuSeconds.toFixed(2)} | ${Math.round(r.perCpuSecond).toLocaleString('en-US')}${r.errors ? ` (errors ${r.errors})` : ''}`);
    }
  }

  // 2. A day of records vs nfdump.
  console.log(`\n## a day: ${DAY_RECORDS.toLocaleString('en-US')} NetFlow v9 records, aggregated per address by flows`);
  const stream = dayStream(DAY_RECORDS, Date.UTC(2026, 10, 20));
  const bytes = stream.reduce((a, b) => a + b.length, 0);
  console.log(`stream: ${stream.length} datagrams, ${(bytes / 1e6).toFixed(1)} MB`);
  const { file, seconds: sendS } = await nfcapdFile(stream);
  console.log(`nfcapd collected into ${file} (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${sendS.toFixed(1)} s of paced sending`);

  // As a collector runs: decode each datagram, fold its records into the counter, drop them.
  const decodeOnly = timeIt(() => {
    const sess = new ExporterSession('day');
    let n = 0;
    const cols = new FlowColumns(64);
    for (const p of stream) { cols.clear(); decodePacketColumns(p, sess, cols); n += cols.length; }
    return n;
  });
  const recordCount = decodeOnly.value;
  const both = timeIt(() => {
    const sess = new ExporterSession('day2');
    const counter = new AddressCounter();
    const cols = new FlowColumns(64);
    for (const p of stream) { cols.clear(); decodePacketColumns(p, sess, cols); counter.addColumns(cols); }
    return counter.top(10);
  });
  const agg = { value: both.value, seconds: Math.max(both.seconds - decodeOnly.seconds, 1e-9), cpuSeconds: Math.max(both.cpuSeconds - decodeOnly.cpuSeconds, 1e-9) };
  const nf = timeChild('nfdump', ['-r', file, '-s', 'ip/flows', '-n', '10', '-o', 'csv']);
  const nfOut = nf.stdout;
  const nfTop = nfOut.split('\n').filter((l) => /^\d{4}-/.test(l)).map((l) => l.split(','));
  // nfdump's csv statistic: ts,te,td,pr,val,fl,flP,...; compare the top address and its flow count.
  const nfTotal = /total flows: (\d+)/.exec(nfOut) ?? /^(\d+),\d+,\d+/m.exec(nfOut.split('Summary')[1] ?? '');
  console.log('\nmeasure | wall s | records/s | CPU s | records per CPU-second');
  const row = (name: string, t: { seconds: number; cpuSeconds: number }): void => console.log(`${name} | ${t.seconds.toFixed(2)} | ${Math.round(recordCount / t.seconds).toLocaleString('en-US')} | ${t.cpuSeconds.toFixed(2)} | ${Math.round(recordCount / t.cpuSeconds).toLocaleString('en-US')}`);
  row('mamori decode (v9 datagrams → columns)', decodeOnly);
  row('mamori aggregate ip/flows (difference)', agg);
  row('mamori decode + aggregate', both);
  row('nfdump -r FILE -s ip/flows', nf);
  console.log(`\nratio nfdump / mamori (decode + aggregate): wall ${(nf.seconds / both.seconds).toFixed(2)}×, CPU ${(nf.cpuSeconds / both.cpuSeconds).toFixed(2)}×`);
  console.log(`check: mamori top address ${agg.value[0].address} ${agg.value[0].flows} flows; nfdump top ${nfTop[0]?.[4] ?? '?'} ${nfTop[0]?.[5] ?? '?'} flows; records mamori ${recordCount}, nfdump summary ${nfTotal?.[1] ?? '?'}`);
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
}

await main();
