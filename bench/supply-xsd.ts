/**
 * bench/supply-xsd.ts — a generated CycloneDX XML SBOM (default 100,000 components) validated
 * against the official XSD the way readSbom does it (xmllint-wasm in a helper thread, streaming),
 * then read whole (saxes pass + XSD + model). Each measurement runs in a fresh child process so
 * its peak RSS is its own; CPU time counts all of the process's threads.
 *
 * Peer: native xmllint (Debian libxml2-utils) with the same schema files and the same
 * `--stream --nonet`, when installed (`apt-get install libxml2-utils`), timed with /usr/bin/time.
 *
 *   npm run bench -- bench/supply-xsd.ts [components] [version]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCyclonedxXml } from '@mamori/testbed';
import { cyclonedxXsdFiles, readSbom, validateCyclonedxXsd } from '@mamori/supply';

const load = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;

interface Figures { wallMs: number; cpuMs: number; rssBeforeKiB: number; maxRssKiB: number; result: string }

/** Child: one measurement on a file, printed as JSON. */
function child(mode: string, file: string, version: string): void {
  const text = readFileSync(file, 'utf8');
  const rssBeforeKiB = process.resourceUsage().maxRSS;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let result: string;
  if (mode === 'xsd') {
    const r = validateCyclonedxXsd(text, version, { timeoutMs: 3_600_000, maxMemoryMiB: 256 });
    result = r.valid ? 'valid' : `invalid: ${r.problems[0]?.message}`;
  } else {
    result = `${readSbom(text, { xsdTimeoutMs: 3_600_000 }).components.length} components`;
  }
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const u = process.cpuUsage(c0);
  const f: Figures = { wallMs, cpuMs: (u.user + u.system) / 1000, rssBeforeKiB, maxRssKiB: process.resourceUsage().maxRSS, result };
  console.log(JSON.stringify(f));
}

function measure(mode: string, file: string, version: string): Figures {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, file, version], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Figures;
}

function peer(file: string, dir: string, version: string): { wallMs: number; cpuMs: number; maxRssKiB: number; out: string } | string {
  if (spawnSync('xmllint', ['--version']).error) return 'native xmllint not installed (apt-get install libxml2-utils)';
  for (const f of cyclonedxXsdFiles(version)) writeFileSync(join(dir, f.fileName), f.contents);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', 'xmllint', '--noout', '--nonet', '--stream', '--schema', join(dir, `bom-${version}.SNAPSHOT.xsd`), file], { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /TIME (\S+) (\S+) (\S+) (\d+)/.exec(r.stderr);
  if (!m) return `native xmllint gave no figures: ${r.stderr.slice(0, 200)}`;
  return { wallMs, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, maxRssKiB: Number(m[4]), out: r.stderr.split('\n').find((l) => /validates|fails/.test(l)) ?? '' };
}

function main(): void {
  const components = Number(process.argv[2] ?? 100_000);
  const version = process.argv[3] ?? '1.6';
  const dir = mkdtempSync(join(tmpdir(), 'mamori-xsd-'));
  try {
    const file = join(dir, 'sbom.xml');
    const text = generateCyclonedxXml({ components, seed: 7, specVersion: version as '1.6' });
    writeFileSync(file, text);
    console.log(`supply-xsd: CycloneDX ${version} XML, ${components.toLocaleString('en-US')} components, ${(text.length / 1e6).toFixed(1)} MB; ${load()}`);
    const small = join(dir, 'small.xml');
    writeFileSync(small, generateCyclonedxXml({ components: 10, seed: 7, specVersion: version as '1.6' }));
    for (const [label, mode, f] of [['XSD only, 10 components (fixed cost: schema compile)', 'xsd', small], ['XSD only (validateCyclonedxXsd)', 'xsd', file], ['readSbom (saxes + XSD + model)', 'read', file]] as const) {
      const m = measure(mode, f, version);
      console.log(`  ${label.padEnd(52)} ${m.wallMs.toFixed(0).padStart(7)} ms wall ${m.cpuMs.toFixed(0).padStart(7)} ms CPU  RSS ${mib(m.rssBeforeKiB)} → peak ${mib(m.maxRssKiB)}  ${m.result}; ${load()}`);
    }
    const p = peer(file, dir, version);
    if (typeof p === 'string') console.log(`  peer: ${p}`);
    else console.log(`  peer: native xmllint --stream ${''.padEnd(21)} ${p.wallMs.toFixed(0).padStart(7)} ms wall ${p.cpuMs.toFixed(0).padStart(7)} ms CPU  peak RSS ${mib(p.maxRssKiB)}  ${p.out}; ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') child(process.argv[3], process.argv[4], process.argv[5]);
else main();
