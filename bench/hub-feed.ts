/**
 * Hub feed and submission benchmark.
 *
 *   npm run bench -- bench/hub-feed.ts [--reports 1000000] [--backend sqlite|postgres|both] [--duration 10] [--connections 1,4,10] [--profile DIR] [--workers 2]
 *
 * `--connections` takes a list: the feed is measured at each load level. `--profile DIR` writes
 * a CPU profile of the server (this process) during the feed run at the highest connection count to DIR.
 * `--workers N` serves from N worker processes (node:cluster, one listening port, each with its own
 * store connection, as `mamori serve` on several cores) instead of from this process.
 *
 * For each back end: seeds N reports with a realistic TLP/sharing mix (audience keys computed
 * by the hub's own `audienceKeys`), starts the real server (all of /api/hub), then from a
 * second process (autocannon) measures
 *   - the feed: GET /api/hub/reports?limit=50 as a finance member (p50/p99, req/s),
 *   - submissions: POST /api/hub/reports {submit:true} (reports/s; each one audited, indexed,
 *     history kept, alerts fanned out),
 * plus the feed query in-process (no HTTP) and a peer: the bare "newest 50" SQL with no access
 * control run by the database's own CLI (sqlite3 / psql), to show what the authorisation and
 * HTTP layers cost on top.
 */
import { spawn, spawnSync } from 'node:child_process';
import cluster from 'node:cluster';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import {
  MemoryBus, coreConfigSchema, createLogger, openPostgresStore, openSqliteStore, TEST_DATABASE_URL, type MamoriConfig, type Platform, type Store,
} from '@mamori/core';
import {
  audienceKeys, createTestCommunity, newestByKeysJsonStatement, principalKeys, hubContext, hubMigrations, listReports, actorOf, SECTORS, type HubContext, type Report, type TestCommunity, type Tlp,
} from '@mamori/hub';
import { buildServer, routeModules } from '@mamori/server';

const hubRoutes = routeModules.filter((m) => m.name === 'hub');

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const N = Number(args.get('reports') ?? 1_000_000);
const BACKENDS = (args.get('backend') ?? 'both') === 'both' ? ['sqlite', 'postgres'] : [args.get('backend')!];
const DURATION = Number(args.get('duration') ?? 10);
const CONNECTION_LEVELS = (args.get('connections') ?? '10').split(',').map(Number);
const PROFILE_DIR = args.get('profile');
const WORKERS = Number(args.get('workers') ?? 0);
const AUTOCANNON = join(process.cwd(), 'node_modules', '.bin', 'autocannon');

const hubConfig = { alerts: { dispatchIntervalMs: 0 }, audit: { timeStamp: false }, login: { scryptN: 1024 } };

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A deterministic pseudo-random mix: 30% CLEAR, 30% GREEN community, 20% AMBER to a sector, 10% AMBER+STRICT to two orgs, 10% RED to one user. */
function syntheticReport(i: number, c: TestCommunity, orgIds: string[]): Report {
  const r = (i * 2654435761) >>> 0;
  const sector = SECTORS[r % 14].id;
  const owner = orgIds[r % orgIds.length];
  const kind = r % 10;
  const tlp: Tlp = kind < 3 ? 'CLEAR' : kind < 6 ? 'GREEN' : kind < 8 ? 'AMBER' : kind < 9 ? 'AMBER+STRICT' : 'RED';
  const t = Date.UTC(2025, 0, 1) + i * 30_000;
  return {
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, ownerOrgId: owner, authorUserId: c.financeA.userId, sector,
    affectedService: 'service', cause: 'cyber-attack', severity: r % 6, status: 'submitted', route: 'coordinator',
    title: `synthetic report ${i}`, description: `description of report ${i}`, impact: '', tlp,
    sharing: tlp === 'AMBER' ? { scope: 'restricted', sectors: [sector] } : tlp === 'AMBER+STRICT' ? { scope: 'restricted', orgIds: [orgIds[(r >> 8) % orgIds.length], orgIds[(r >> 12) % orgIds.length]] } : { scope: 'community' },
    recipients: { orgIds: [c.coordinator.org.id], userIds: tlp === 'RED' ? [c.coordinator.userId] : [] },
    timeline: [], indicators: [{ type: 'ipv4', value: `198.51.${(i >> 8) & 255}.${i & 255}` }],
    occurredAt: t, detectedAt: t, createdAt: t, updatedAt: t, submittedAt: t, version: 1, anonymised: false,
  };
}

function reportRow(r: Report): Record<string, unknown> {
  return {
    id: r.id, owner_org_id: r.ownerOrgId, author_user_id: r.authorUserId, sector: r.sector, affected_service: r.affectedService, cause: r.cause,
    severity: r.severity, status: r.status, route: r.route, title: r.title, description: r.description, impact: r.impact, tlp: r.tlp,
    sharing: JSON.stringify(r.sharing), recipients: JSON.stringify(r.recipients), timeline: '[]', indicators: JSON.stringify(r.indicators),
    occurred_at: r.occurredAt, detected_at: r.detectedAt, created_at: r.createdAt, updated_at: r.updatedAt, submitted_at: r.submittedAt, version: 1, anonymised: 0,
  };
}

/**
 * Inserts rows given as one JSON array in a single statement (the database unpacks it:
 * json_populate_recordset on PostgreSQL, json_each on SQLite), so a million rows cost a few
 * hundred statements instead of binding 25 parameters per row.
 */
async function insertJson(db: Kysely<any>, dialect: string, table: string, rows: Record<string, unknown>[], returning = false): Promise<{ seq: number; id: string }[]> {
  const cols = Object.keys(rows[0]);
  const json = JSON.stringify(rows);
  const list = sql.join(cols.map((c) => sql.ref(c)));
  const select = dialect === 'postgres'
    ? sql`select ${list} from json_populate_recordset(null::${sql.table(table)}, ${json}::json)`
    : sql`select ${sql.join(cols.map((c) => sql`json_extract(value, ${`$.${c}`})`))} from json_each(${json})`;
  const { rows: out } = await sql<{ seq: number; id: string }>`insert into ${sql.table(table)} (${list}) ${select}${returning ? sql` returning seq, id` : sql``}`.execute(db);
  return out;
}

/** Bulk load straight into the tables (no audit or history: this is fixture data), 5,000 reports a transaction. */
async function seed(hub: HubContext, c: TestCommunity, n: number): Promise<number> {
  const orgIds = [c.financeA.org.id, c.financeB.org.id, c.gas.org.id, c.ministry.org.id, c.financeSec.org.id];
  const start = performance.now();
  const PER_TRANSACTION = 5000;
  let lastPrint = start;
  for (let base = 0; base < n; base += PER_TRANSACTION) {
    const end = Math.min(n, base + PER_TRANSACTION);
    await hub.db.transaction().execute(async (trx) => {
      const reports = Array.from({ length: end - base }, (_, k) => syntheticReport(base + k, c, orgIds));
      const inserted = await insertJson(trx, hub.dialect, 'hub_report', reports.map(reportRow), true);
      const seqOf = new Map(inserted.map((x) => [x.id, Number(x.seq)]));
      const aud = reports.flatMap((r) => audienceKeys({ tlp: r.tlp, sharing: r.sharing, ownerOrgId: r.ownerOrgId, authorUserId: r.authorUserId, recipients: r.recipients })
        .map((key) => ({ key, report_seq: seqOf.get(r.id)! })));
      await insertJson(trx, hub.dialect, 'hub_report_audience', aud);
      await insertJson(trx, hub.dialect, 'hub_indicator', reports.map((r) => ({ report_seq: seqOf.get(r.id)!, type: 'ipv4', value: r.indicators[0].value })));
    });
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now();
      process.stderr.write(`  seeded ${end} / ${n}\n`);
    }
  }
  return n / ((performance.now() - start) / 1000);
}

interface Cannon { rps: number; p50: number; p99: number; errors: number; non2xx: number; total: number }

function autocannon(url: string, token: string, extra: string[] = [], connections = CONNECTION_LEVELS[CONNECTION_LEVELS.length - 1]): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const child = spawn(AUTOCANNON, ['-j', '-c', String(connections), '-d', String(DURATION), '-H', `authorization=Bearer ${token}`, ...extra, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', () => {
      try {
        const j = JSON.parse(out);
        resolve({ rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99, errors: j.errors, non2xx: j.non2xx, total: j.requests.total });
      } catch (e) {
        reject(new Error(`autocannon output not JSON: ${out.slice(0, 200)} (${(e as Error).message})`));
      }
    });
  });
}

const APP_NAME = 'mamori_bench_hub';

/** CPU (ms) the given processes have used so far, from /proc (utime + stime, 100 ticks/s). */
function procCpuMs(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch { /* gone */ }
  }
  return out;
}

/** The PostgreSQL backends serving this bench's pool (tagged with application_name). */
async function backendPids(store: Store): Promise<number[]> {
  if (store.dialect !== 'postgres') return [];
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where application_name = ${APP_NAME}`.execute(store.db);
  return rows.map((r) => Number(r.pid));
}

interface CpuCost { serverMs: number; databaseMs: number | null }

/**
 * Runs a load and returns its CPU cost per request: this process (the server, and SQLite in
 * it) and the PostgreSQL backends of its pool. Unlike latency, this hardly depends on what
 * else the machine is doing.
 */
async function perRequestCpu(store: Store, serverPids: number[], run: () => Promise<Cannon>): Promise<Cannon & CpuCost> {
  const before = procCpuMs(await backendPids(store));
  const workers0 = procCpuMs(serverPids);
  const own0 = process.cpuUsage();
  const r = await run();
  const own = process.cpuUsage(own0);
  const after = procCpuMs(await backendPids(store));
  const workers = procCpuMs(serverPids);
  let db = 0;
  for (const [pid, ms] of after) db += ms - (before.get(pid) ?? 0);
  let served = 0;
  for (const [pid, ms] of workers) served += ms - (workers0.get(pid) ?? 0);
  const n = Math.max(1, r.total);
  return { ...r, serverMs: (serverPids.length ? served : (own.user + own.system) / 1000) / n, databaseMs: store.dialect === 'postgres' ? db / n : null };
}

const cpuText = (c: CpuCost): string => `CPU/request: server ${c.serverMs.toFixed(2)} ms${c.databaseMs === null ? ' (SQLite in-process)' : `, PostgreSQL ${c.databaseMs.toFixed(2)} ms`}`;

/** The peer: the bare newest-50 query, no access control, timed by the database's own CLI. */
function peerQuery(backend: string, location: string, schema?: string): { p50: number; p99: number } {
  const q = 'select * from hub_report order by seq desc limit 50;';
  const runs = 200;
  if (backend === 'sqlite') {
    const script = `.timer on\n.output /dev/null\n${Array.from({ length: runs }, () => q).join('\n')}\n`;
    const r = spawnSync('sqlite3', [location], { input: script, encoding: 'utf8' });
    const times = [...r.stdout.concat(r.stderr).matchAll(/Run Time: real ([\d.]+)/g)].map((m) => Number(m[1]) * 1000).sort((a, b) => a - b);
    return { p50: pct(times, 50), p99: pct(times, 99) };
  }
  const script = `set search_path = ${schema};\n\\timing on\n\\o /dev/null\n${Array.from({ length: runs }, () => q).join('\n')}\n`;
  const r = spawnSync('psql', [TEST_DATABASE_URL, '-q', '-X'], { input: script, encoding: 'utf8' });
  const times = [...r.stdout.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  return { p50: pct(times, 50), p99: pct(times, 99) };
}

/** Starts the CPU profiler on this process; the returned function stops it and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

interface StoreAt { backend: string; location: string; schema?: string; dir: string }

const platformOf = (store: Store, dir: string, level: 'silent' | 'error' = 'silent'): Platform => {
  const config = { ...coreConfigSchema.parse({ dataDir: dir, log: { level: 'silent' } }), hub: hubConfig } as MamoriConfig;
  const bus = new MemoryBus();
  return { config, store, bus, log: createLogger({ level, pretty: false }), close: async () => { await bus.close(); await store.close(); } };
};

const openAt = async (at: StoreAt): Promise<Store> =>
  at.backend === 'sqlite' ? openSqliteStore(at.location) : openPostgresStore({ url: at.location, schema: at.schema, poolSize: 10 });

interface Served { base: string; pids: number[]; close(): Promise<void> }

async function serveInProcess(platform: Platform): Promise<Served> {
  const app = await buildServer(platform, { modules: hubRoutes });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/hub`, pids: [], close: () => app.close() };
}

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  }).on('error', reject);
});

/** N worker processes of this script, each serving the hub from its own store connection on one shared port. */
async function serveInWorkers(n: number, at: StoreAt): Promise<Served> {
  const port = await freePort();
  // Each worker accepts its own connections (keep-alive: 10 in all), rather than the primary passing them on.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const workers = Array.from({ length: n }, () => cluster.fork({ MAMORI_BENCH_WORKER: JSON.stringify(at), MAMORI_BENCH_PORT: String(port) }));
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('exit', (code) => reject(new Error(`bench worker exited (${code}) before serving`)));
  })));
  return {
    base: `http://127.0.0.1:${port}/api/hub`,
    pids: workers.map((w) => w.process.pid!),
    close: async () => { await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('exit', resolve); w.disconnect(); }))); },
  };
}

async function serveAsWorker(): Promise<void> {
  const at = JSON.parse(process.env.MAMORI_BENCH_WORKER!) as StoreAt;
  // Workers report failed requests (on stderr through the platform logger), since autocannon only counts them.
  const platform = platformOf(await openAt(at), at.dir, 'error');
  const served = await buildServer(platform, { modules: hubRoutes });
  await served.listen({ host: '127.0.0.1', port: Number(process.env.MAMORI_BENCH_PORT) });
  process.once('disconnect', () => { void served.close().then(() => platform.close()).finally(() => process.exit(0)); });
  process.send!('ready');
}

async function openBackend(backend: string, dir: string): Promise<{ store: Store; location: string; schema?: string; at: StoreAt }> {
  if (backend === 'sqlite') {
    const file = join(dir, 'mamori.db');
    return { store: openSqliteStore(file), location: file, at: { backend, location: file, dir } };
  }
  const schema = `bench_hub_feed_${process.pid}`;
  const admin = await openPostgresStore({ url: TEST_DATABASE_URL });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
  await admin.close();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('application_name', APP_NAME);
  const store = await openPostgresStore({ url: url.href, schema, poolSize: 10 });
  return { store, location: TEST_DATABASE_URL, schema, at: { backend, location: url.href, schema, dir } };
}

async function runBackend(backend: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mamori-bench-hub-'));
  const { store, location, schema, at } = await openBackend(backend, dir);
  const platform = platformOf(store, dir);
  try {
    await store.migrate([hubMigrations]);
    const hub = hubContext(platform);
    const c = await createTestCommunity(hub);
    process.stderr.write(`${backend}: seeding ${N} reports...\n`);
    const seedRate = await seed(hub, c, N);
    // A store that grew over time has been vacuumed (index-only scans need the visibility map), not just analysed.
    if (backend === 'postgres') await sql`vacuum analyze hub_report, hub_report_audience, hub_indicator`.execute(store.db);
    const total = Number((await hub.db.selectFrom('hub_report').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    const load = (): string => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
    const loadAtStart = load();
    if (backend === 'postgres') {
      // The plan of the statement the REST feed runs (the page as JSON text) at this size, run twice so the second is warm.
      const stmt = newestByKeysJsonStatement(principalKeys(c.financeB.principal), 50, undefined);
      await sql`explain (analyze, buffers) ${stmt}`.execute(store.db);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${stmt}`.execute(store.db);
      process.stderr.write(`${rows.map((r) => `  | ${r['QUERY PLAN']}`).join('\n')}\n`);
    }
    // In-process feed (no HTTP): 300 pages, first and deeper pages alternating.
    const times: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      const page = await listReports(hub, c.financeB.principal, actorOf(c.financeB.principal, 'bench'), { limit: 50, cursor });
      times.push(performance.now() - t0);
      cursor = i % 10 === 9 ? undefined : page.next ?? undefined;
    }
    times.sort((a, b) => a - b);
    const loadInProcess = load();

    const served = WORKERS > 0 ? await serveInWorkers(WORKERS, at) : await serveInProcess(platform);
    const { base, pids } = served;
    const feeds: { connections: number; r: Cannon & CpuCost; load: string }[] = [];
    for (const [i, connections] of CONNECTION_LEVELS.entries()) {
      const profiler = PROFILE_DIR && !WORKERS && i === CONNECTION_LEVELS.length - 1 ? await startProfile() : null;
      const r = await perRequestCpu(store, pids, () => autocannon(`${base}/reports?limit=50`, c.financeB.token, [], connections));
      if (profiler) await profiler(join(PROFILE_DIR!, `hub-feed-${backend}.cpuprofile`));
      feeds.push({ connections, r, load: load() });
    }
    const body = JSON.stringify({ sector: 'finance', affectedService: 'payments', cause: 'cyber-attack', severity: 2, title: 'bench submission', tlp: 'AMBER', sharing: { scope: 'restricted', sectors: ['finance'] }, indicators: [{ type: 'ipv4', value: '192.0.2.1' }], submit: true });
    const submit = await perRequestCpu(store, pids, () => autocannon(`${base}/reports`, c.financeA.token, ['-m', 'POST', '-H', 'content-type=application/json', '-b', body]));
    const loadSubmit = load();
    const feedAfter = await perRequestCpu(store, pids, () => autocannon(`${base}/reports?limit=50`, c.financeB.token));
    const loadFeedAfter = load();
    await served.close();
    const peer = peerQuery(backend, location, schema);

    const line = (k: string, v: string): void => { process.stdout.write(`  ${k.padEnd(44)} ${v}\n`); };
    const CONNECTIONS = CONNECTION_LEVELS[CONNECTION_LEVELS.length - 1];
    process.stdout.write(`\n== hub feed on ${backend} (${total.toLocaleString('en')} reports stored, ${DURATION}s runs; submissions at ${CONNECTIONS} connections; served by ${WORKERS ? `${WORKERS} worker processes` : 'this process'}) ==\n`);
    line('seed (direct batched inserts)', `${Math.round(seedRate).toLocaleString('en')} reports/s (${loadAtStart} when done)`);
    line('feed in-process p50 / p99', `${times[Math.floor(times.length / 2)].toFixed(2)} / ${pct(times, 99).toFixed(2)} ms (${loadInProcess})`);
    for (const { connections, r: feed, load: loadFeed } of feeds) {
      line(`feed HTTP, ${connections} connection(s), p50 / p99`, `${feed.p50} / ${feed.p99} ms, ${Math.round(feed.rps)} req/s, ${feed.non2xx} non-2xx (${loadFeed})`);
      line('  feed cost', cpuText(feed));
    }
    line('submit HTTP (autocannon)', `${Math.round(submit.rps)} reports/s (p50 ${submit.p50} ms, p99 ${submit.p99} ms, ${submit.non2xx} non-2xx) (${loadSubmit})`);
    line('  submit cost', cpuText(submit));
    line('feed HTTP after submissions p50 / p99', `${feedAfter.p50} / ${feedAfter.p99} ms, ${Math.round(feedAfter.rps)} req/s (${loadFeedAfter})`);
    line('  feed cost', cpuText(feedAfter));
    line(`peer: ${backend === 'sqlite' ? 'sqlite3' : 'psql'} bare newest-50 p50 / p99`, `${peer.p50.toFixed(2)} / ${peer.p99.toFixed(2)} ms`);
    line('ratio mamori feed p50 (in-process) / peer p50', peer.p50 > 0 ? `${(times[Math.floor(times.length / 2)] / peer.p50).toFixed(1)}x` : 'n/a (peer below its timer\'s 1 ms resolution)');
    line(`goal p99 < 50 ms for a 50-item page (${CONNECTIONS} connections)`, feeds[feeds.length - 1].r.p99 < 50 ? 'met' : 'NOT met');
  } finally {
    if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(store.db).catch(() => undefined);
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (cluster.isWorker) await serveAsWorker();
else for (const b of BACKENDS) await runBackend(b);
