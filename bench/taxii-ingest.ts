/**
 * TAXII 2.1 throughput and page latency, on SQLite and on PostgreSQL.
 *
 *   npm run bench -- bench/taxii-ingest.ts            (1,000,000 stored objects)
 *   BENCH_OBJECTS=200000 BENCH_BACKENDS=sqlite npm run bench -- bench/taxii-ingest.ts
 *   BENCH_PROFILE=/tmp/prof ...   (CPU profiles of this process during the ingest phase and the unloaded pages)
 *   BENCH_KEEP=/tmp/taxii-1m ...  (keep the filled store: SQLite file in that directory, PostgreSQL
 *                                  schema bench_taxii_keep; a later run tops it up instead of refilling)
 *
 * For each back end: objects/s ingested through TAXII POST (envelopes of 1,000 objects,
 * validated, stored, status complete), then the store is filled to BENCH_OBJECTS, and
 * p50/p99 of a filtered 100-object page (match[type]=indicator from a random added_after)
 * are measured while a second process loads the same server with page reads and posts.
 * The number of store queries per page is counted for limits 10, 100 and 1000.
 *
 * Peers, run in the same process tree on the same rows: the database's own CLI (sqlite3,
 * psql) bulk-inserting the same JSON documents, and running the page query itself; the
 * ratios say what HTTP, validation, authorisation and JSON cost on top of the engine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import { sql } from 'kysely';
import {
  coreConfigSchema, createLogger, MemoryBus, openPostgresStore, openSqliteStore, TEST_DATABASE_URL, uniqueName, type MamoriConfig, type Platform,
} from '@mamori/core';
import {
  actorOf, addOrg, addUser, countingStore, createToken, formatMicros, hubContext, hubMigrations, LOCAL_OPERATOR, sampleIndicator, sampleIpv4,
  StixStore, stixMigrations, TAXII_MEDIA_TYPE,
} from '@mamori/hub';
import { buildServer, routeModules } from '@mamori/server';

const N = Number(process.env.BENCH_OBJECTS ?? 1_000_000);
const INGEST = Number(process.env.BENCH_INGEST ?? 20_000);
const PAGES = Number(process.env.BENCH_PAGES ?? 400);
const LOAD_SECONDS = 120;
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const KEEP = process.env.BENCH_KEEP;

/** Indicator for 4 in 5 objects, an ipv4-addr SCO for the fifth: match[type] has something to filter. */
const objectAt = (i: number): Record<string, unknown> => (i % 5 === 4 ? sampleIpv4(i) : sampleIndicator(i));

/** The server closes idle keep-alive connections during the long fill: retry once on a reset. */
async function fetchRetry(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

// ---- the load process ----------------------------------------------------------------
if (process.argv[2] === 'load') {
  const [, , , url, token, seconds] = process.argv;
  const until = Date.now() + Number(seconds) * 1000;
  // New ids on every run, so that a kept store gets real adds, not "already present".
  const runBase = 1_000_000_000 + (Date.now() % 1_000_000) * 1000;
  let requests = 0;
  // The parent stops this process when its pages are done: report the count on the way out.
  process.on('SIGTERM', () => { process.stdout.write(`${requests}\n`); process.exit(0); });
  const headers = { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${token}` };
  const worker = async (w: number): Promise<void> => {
    let i = 0;
    while (Date.now() < until) {
      i++;
      if (w === 0 && i % 5 === 0) {
        const objects = Array.from({ length: 100 }, (_, k) => sampleIndicator(runBase + i * 100 + k));
        await fetch(`${url}objects/`, { method: 'POST', headers: { ...headers, 'content-type': TAXII_MEDIA_TYPE }, body: JSON.stringify({ objects }) }).then((r) => r.arrayBuffer());
      } else {
        await fetch(`${url}objects/?limit=100&match[type]=ipv4-addr&added_after=${encodeURIComponent(formatMicros(Math.floor(Math.random() * 1e15)))}`, { headers }).then((r) => r.arrayBuffer());
      }
      requests++;
    }
  };
  await Promise.all([0, 1, 2].map(worker));
  process.stdout.write(`${requests}\n`);
  process.exit(0);
}

// ---- helpers -------------------------------------------------------------------------
async function open(kind: string, dir: string): Promise<{ platform: Platform; schema?: string; file?: string }> {
  if (KEEP) mkdirSync(KEEP, { recursive: true });
  const config = { ...coreConfigSchema.parse({ dataDir: dir, log: { level: 'silent' } }), taxii: { maxContentLength: 8 * 1024 * 1024, asyncThreshold: 5000, maxObjects: 100_000 } } as MamoriConfig;
  const log = createLogger({ level: 'silent', pretty: false });
  const bus = new MemoryBus();
  if (kind === 'sqlite') {
    const file = KEEP ? join(KEEP, 'bench-sqlite.db') : join(dir, 'bench.db');
    const store = openSqliteStore(file);
    // e.g. BENCH_SQLITE_PRAGMAS="wal_autocheckpoint=0": what WAL checkpoints in the request path cost
    for (const p of (process.env.BENCH_SQLITE_PRAGMAS ?? '').split(',').filter(Boolean)) await sql.raw(`pragma ${p}`).execute(store.db);
    return { platform: { config, log, bus, store, close: async () => { await store.close(); } }, file };
  }
  const schema = KEEP ? 'bench_taxii_keep' : uniqueName('bench_taxii').toLowerCase();
  const store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 8 });
  return {
    platform: {
      config, log, bus, store,
      close: async () => {
        if (!KEEP) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db);
        await store.close();
      },
    },
    schema,
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 elsewhere. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/** The engine's own CLI inserting the same documents (one transaction). Returns rows/s. */
function peerInsert(kind: string, target: { file?: string; schema?: string }, dir: string, count: number): number {
  const rows = Array.from({ length: count }, (_, i) => objectAt(9_000_000 + i));
  if (kind === 'sqlite') {
    const script = join(dir, 'peer.sql');
    const esc = (s: string): string => s.replace(/'/g, "''");
    writeFileSync(script, `create table if not exists peer_object(id text, body text);\nbegin;\n${rows.map((o) => `insert into peer_object values('${esc(String(o.id))}','${esc(JSON.stringify(o))}');`).join('\n')}\ncommit;\n`);
    const ms = time(() => spawnSync('sqlite3', [join(dir, 'peer.db')], { input: `.read ${script}\n`, encoding: 'utf8' }));
    return count / (ms / 1000);
  }
  const tsv = join(dir, 'peer.tsv');
  writeFileSync(tsv, rows.map((o) => `${o.id}\t${JSON.stringify(o).replace(/\\/g, '\\\\')}`).join('\n') + '\n');
  const ms = time(() => spawnSync('psql', [TEST_DATABASE_URL, '-q', '-c', `set search_path=${target.schema}; create table if not exists peer_object(id text, body text);`, '-c', `\\copy ${target.schema}.peer_object from '${tsv}'`], { encoding: 'utf8' }));
  return count / (ms / 1000);
}

/** The page query itself through the engine's CLI, with its own timer. Returns per-query ms. */
function peerQuery(kind: string, target: { file?: string; schema?: string }, collection: string, afters: number[]): number[] {
  const q = (a: number): string => `select * from stix_object where collection_id = '${collection}' and type in ('indicator') and date_added > ${a} and is_latest = 1 and tlp in ('CLEAR','GREEN') order by date_added, id, version_key limit 101;`;
  if (kind === 'sqlite') {
    const out = spawnSync('sqlite3', [target.file!], { input: `.timer on\n.output /dev/null\n${afters.map(q).join('\n')}\n`, encoding: 'utf8' });
    return [...out.stdout.matchAll(/Run Time: real ([\d.]+)/g)].map((m) => Number(m[1]) * 1000);
  }
  const out = spawnSync('psql', [TEST_DATABASE_URL, '-q', '-o', '/dev/null', '-c', `set search_path=${target.schema}`], { encoding: 'utf8' });
  void out;
  const script = `set search_path=${target.schema};\n\\timing on\n${afters.map(q).join('\n')}\n`;
  const r = spawnSync('psql', [TEST_DATABASE_URL, '-q', '-o', '/dev/null'], { input: script, encoding: 'utf8' });
  return [...r.stdout.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1]));
}

// ---- the benchmark -------------------------------------------------------------------
async function run(kind: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-taxii-'));
  const { platform: raw, file, schema } = await open(kind, dir);
  try {
    await raw.store.migrate([hubMigrations, stixMigrations]);
    const counter = countingStore(raw.store);
    const platform: Platform = { ...raw, store: counter.store };
    const hub = hubContext(platform);
    const actor = actorOf(LOCAL_OPERATOR, 'local');
    const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: uniqueName('Bench ISAC'), role: 'isac' });
    const user = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: uniqueName('bench'), roles: ['member'] });
    const { token } = await createToken(hub, LOCAL_OPERATOR, actor, { user: user.id, scopes: ['read', 'write'] });
    const stix = new StixStore(platform.store);
    const collection = (await stix.getCollection('bench')) ?? await stix.createCollection({ id: 'bench', title: 'Bench', defaultTlp: 'GREEN' });
    // What a kept store already holds: the fill tops it up, and the ingest uses new ids.
    const have = Number((await raw.store.db.selectFrom('stix_object').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const base = have === 0 ? 0 : 200_000_000 + have;
    const app = await buildServer(platform, { modules: routeModules.filter((m) => m.name === 'taxii') });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const root = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/taxii2/mamori/collections/${collection.id}/`;
    const headers = { accept: TAXII_MEDIA_TYPE, authorization: `Bearer ${token}` };

    // 1. ingest through TAXII POST (the envelopes are made before the clock starts: the
    // figure is the server's, not the test client's object generation)
    // Bytes, not strings: fetch would otherwise UTF-8-encode each 1 MB body in this process.
    const envelopes: { count: number; body: Buffer }[] = [];
    for (let i = 0; i < INGEST; i += 1000) {
      const objects = Array.from({ length: Math.min(1000, INGEST - i) }, (_, k) => objectAt(base + i + k));
      envelopes.push({ count: objects.length, body: Buffer.from(JSON.stringify({ objects })) });
    }
    // One envelope first, not timed: the figure is a running server's, not its first request
    // (which compiles the STIX schemas once per process).
    const warm = { objects: Array.from({ length: 1000 }, (_, k) => objectAt(80_000_000 + base + k)) };
    await fetchRetry(`${root}objects/`, { method: 'POST', headers: { ...headers, 'content-type': TAXII_MEDIA_TYPE }, body: JSON.stringify(warm) }).then((r) => r.arrayBuffer());
    const profiler = process.env.BENCH_PROFILE ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const e of envelopes) {
      const r = await fetchRetry(`${root}objects/`, { method: 'POST', headers: { ...headers, 'content-type': TAXII_MEDIA_TYPE }, body: e.body });
      const status = await r.json() as { status: string; success_count: number };
      if (r.status !== 202 || status.status !== 'complete' || status.success_count !== e.count) throw new Error(`ingest failed: ${r.status} ${JSON.stringify(status).slice(0, 300)}`);
    }
    const ingestRate = INGEST / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(join(process.env.BENCH_PROFILE!, `taxii-ingest-${kind}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }
    const perCpuSecond = INGEST / ((cpu.user + cpu.system) / 1e6);
    const peerRate = peerInsert(kind, { file, schema }, dir, INGEST);
    console.log(`[${kind}] TAXII POST ingest: ${Math.round(ingestRate)} objects/s wall clock, ${Math.round(perCpuSecond)} objects per CPU-second of the mamori process (${INGEST} objects, envelopes of 1000, into a store of ${have + 1000} objects; load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
    console.log(`[${kind}]   peer ${kind === 'sqlite' ? 'sqlite3 CLI insert' : 'psql \\copy'} of the same documents: ${Math.round(peerRate)} rows/s → mamori/peer = ${(ingestRate / peerRate).toFixed(3)}`);

    // 2. fill to N through the store (the measured path above is the HTTP one)
    const tf = performance.now();
    const start = have + INGEST + 1000;
    for (let i = start; i < N; i += 5000) {
      await stix.add(collection.id, Array.from({ length: Math.min(5000, N - i) }, (_, k) => objectAt(i + k)));
      if (((i - start) / 5000) % 20 === 0) process.stderr.write(`\r[${kind}] filling ${i}/${N}`);
    }
    process.stderr.write(`\r[${kind}] filled ${N} objects in ${((performance.now() - tf) / 1000).toFixed(0)} s (${Math.round(Math.max(0, N - start) / ((performance.now() - tf) / 1000))} objects/s through the store)\n`);
    if (kind === 'postgres') await sql`analyze stix_object`.execute(raw.store.db);
    else {
      // The fill leaves a WAL of gigabytes behind (the background checkpointer cannot keep up
      // with a bulk fill), and every read looks pages up through its index: ~20 ms of CPU per
      // page at 1M objects until it is copied back. The pages are measured on a settled store.
      const tc = performance.now();
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(raw.store.db);
      process.stderr.write(`[${kind}] WAL checkpoint after the fill: ${((performance.now() - tc) / 1000).toFixed(1)} s\n`);
    }

    const bounds = await raw.store.db.selectFrom('stix_object').select([(eb) => eb.fn.min('date_added').as('lo'), (eb) => eb.fn.max('date_added').as('hi')]).executeTakeFirstOrThrow();
    const lo = Number(bounds.lo), hi = Number(bounds.hi);
    const randomAfter = (): number => Math.floor(lo + Math.random() * (hi - lo) * 0.98);

    // 3. queries per page
    for (const limit of [10, 100, 1000]) {
      counter.reset();
      const r = await fetchRetry(`${root}objects/?limit=${limit}&match[type]=indicator&added_after=${encodeURIComponent(formatMicros(randomAfter()))}`, { headers });
      const body = await r.json() as { objects?: unknown[] };
      console.log(`[${kind}] page of ${body.objects?.length ?? 0} objects (limit=${limit}): ${counter.count()} store queries`);
    }

    // 4. the same page with no other load: latency and the server's CPU per page (this figure
    // hardly depends on what else the machine runs; latency does)
    {
      const quiet: number[] = [];
      const pageProfiler = process.env.BENCH_PROFILE ? new Session() : null;
      if (pageProfiler) {
        pageProfiler.connect();
        await pageProfiler.post('Profiler.enable');
        await pageProfiler.post('Profiler.start');
      }
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < 100; i++) {
        const s = performance.now();
        const r = await fetchRetry(`${root}objects/?limit=100&match[type]=indicator&added_after=${encodeURIComponent(formatMicros(randomAfter()))}`, { headers });
        await r.arrayBuffer();
        quiet.push(performance.now() - s);
      }
      const c = process.cpuUsage(cpuStart);
      if (pageProfiler) {
        const { profile } = await pageProfiler.post('Profiler.stop');
        writeFileSync(join(process.env.BENCH_PROFILE!, `taxii-pages-${kind}.cpuprofile`), JSON.stringify(profile));
        pageProfiler.disconnect();
      }
      console.log(`[${kind}] filtered 100-object page, no other load: p50 ${pct(quiet, 50).toFixed(1)} ms, p99 ${pct(quiet, 99).toFixed(1)} ms, CPU ${((c.user + c.system) / 1000 / 100).toFixed(2)} ms per page (server and client in this process; load average ${loadavg()[0].toFixed(1)})`);
    }

    // 5. page latency under load from a second process
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, [...process.execArgv, self, 'load', root, token, String(LOAD_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let loadOut = '';
    child.stdout.on('data', (d) => { loadOut += d; });
    await new Promise((r) => setTimeout(r, 1500));
    const lat: number[] = [];
    const afters: number[] = [];
    // Where the latency goes: this process's event loop held up (long tasks) or starved of CPU.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const loadedProfiler = process.env.BENCH_PROFILE ? new Session() : null;
    if (loadedProfiler) {
      loadedProfiler.connect();
      await loadedProfiler.post('Profiler.enable');
      await loadedProfiler.post('Profiler.start');
    }
    const loadedCpu0 = process.cpuUsage(), loadedT0 = performance.now(), childCpu0 = cpuSecondsOf(child.pid);
    for (let i = 0; i < PAGES; i++) {
      const a = randomAfter();
      afters.push(a);
      const s = performance.now();
      const r = await fetchRetry(`${root}objects/?limit=100&match[type]=indicator&added_after=${encodeURIComponent(formatMicros(a))}`, { headers });
      const body = await r.json() as { objects?: unknown[]; next?: string };
      // and one step along `next`, the way a syncing client pages
      if (body.next) await fetchRetry(`${root}objects/?limit=100&match[type]=indicator&added_after=${encodeURIComponent(formatMicros(a))}&next=${encodeURIComponent(body.next)}`, { headers }).then((x) => x.arrayBuffer());
      lat.push((performance.now() - s) / (body.next ? 2 : 1));
      if (r.status !== 200 || (body.objects?.length ?? 0) !== 100) throw new Error(`page failed: ${r.status} ${body.objects?.length}`);
    }
    const loadedWall = (performance.now() - loadedT0) / 1000, loadedCpu = process.cpuUsage(loadedCpu0), childCpu = cpuSecondsOf(child.pid) - childCpu0;
    loopDelay.disable();
    if (loadedProfiler) {
      const { profile } = await loadedProfiler.post('Profiler.stop');
      writeFileSync(join(process.env.BENCH_PROFILE!, `taxii-loaded-${kind}.cpuprofile`), JSON.stringify(profile));
      loadedProfiler.disconnect();
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    console.log(`[${kind}] filtered 100-object page at ${N + 0} stored objects, under load from a second process (${loadOut.trim() || 'n/a'} load requests): p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms (${PAGES} pages; load average ${loadavg()[0].toFixed(1)})`);
    console.log(`[${kind}]   meanwhile: server process ${(100 * (loadedCpu.user + loadedCpu.system) / 1e6 / loadedWall).toFixed(0)}% of a core, load process ${(100 * childCpu / loadedWall).toFixed(0)}% of a core, over ${loadedWall.toFixed(1)} s (${(((loadedCpu.user + loadedCpu.system) / 1000) / (Number(loadOut.trim()) + 2 * PAGES || 1)).toFixed(2)} ms of this process's CPU per request served, the measuring client included); event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`);
    const peer = peerQuery(kind, { file, schema }, collection.id, afters.slice(0, 200));
    if (peer.length) console.log(`[${kind}]   peer ${kind === 'sqlite' ? 'sqlite3' : 'psql'} running the page query itself (no load): p50 ${pct(peer, 50).toFixed(2)} ms, p99 ${pct(peer, 99).toFixed(2)} ms → mamori/peer p50 = ${(pct(lat, 50) / pct(peer, 50)).toFixed(1)}`);
    await app.close();
  } finally {
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const kind of BACKENDS) await run(kind);
process.exit(0);
