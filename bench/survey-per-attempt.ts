/**
 * CPU per login attempt, scanner and farm apart, for Telnet and HTTP separately: the same
 * emulated devices as bench/survey-sweep.ts, probed as explicit targets (no scan), so the
 * figures isolate the login conversations. On a machine shared with others, compare
 * CPU-seconds (and the farm's, which the scanner's code does not touch) rather than wall time.
 *
 *   npm run bench -- bench/survey-per-attempt.ts [devices=1000] [telnet,http]
 *
 * BENCH_FARM_PROF=<dir> profiles the farm process (node --cpu-prof).
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { planFarm, type FarmPlanOptions } from '@mamori/testbed';
import { SurveyScope, defaultDictionary, runSurvey } from '@mamori/survey';
const n = Number(process.argv[2] ?? 1000);
const which = process.argv[3] ?? 'telnet,http';
const pairs = defaultDictionary().pairs.slice(0, 60);
const plan: FarmPlanOptions = { net: 61, telnet: n / 2, http: n / 2, ssh: 0, weakShare: 0.1, dictionary: pairs, telnetPort: 2323, httpPort: 8080, sshPort: 2222 };
const devices = planFarm(plan);
const child = fork(new URL('./survey-farm-child.ts', import.meta.url).pathname, [JSON.stringify(plan)], { execArgv: ['--conditions=@mamori/source', '--import', 'tsx', ...(process.env.BENCH_FARM_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_FARM_PROF] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await new Promise((r) => child.once('message', r));
const totals = (): Promise<{ totals: { loginAttempts: number; connections: number }; cpu: NodeJS.CpuUsage }> => new Promise((r) => { child.once('message', r as never); child.send({ cmd: 'totals' }); });
for (const kind of which.split(',')) {
  const targets = devices.filter((d) => d.kind === kind).map((d) => ({ address: d.address, port: d.port }));
  const b = await totals(); const c0 = process.cpuUsage(); const t0 = performance.now();
  const r = await runSurvey({ scope: SurveyScope.fromText('127.61.0.0/16'), ports: [2323, 8080], pairs, targets, concurrency: 4000, limits: { globalRate: 50_000, perSlash24Rate: 20_000, perHostConnections: 2, maxAttemptsPerHost: 1000 }, timeouts: { bannerMs: 1500, replyMs: 5000, connectionMs: 60_000 } });
  const c = process.cpuUsage(c0); const a = await totals();
  const att = a.totals.loginAttempts - b.totals.loginAttempts; const conns = a.totals.connections - b.totals.connections;
  const sc = (c.user + c.system) / 1e6; const fc = (a.cpu.user + a.cpu.system - b.cpu.user - b.cpu.system) / 1e6;
  console.log(`${kind}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${att} attempts, ${conns} farm connections, ${r.findings.length} findings; scanner ${sc.toFixed(2)} CPU-s (user ${(c.user / 1e6).toFixed(2)}) = ${(1e6 * sc / att).toFixed(0)} µs/attempt; farm ${fc.toFixed(2)} CPU-s = ${(1e6 * fc / att).toFixed(0)} µs/attempt; load ${loadavg()[0].toFixed(1)}`);
}
child.send({ cmd: 'close' });
