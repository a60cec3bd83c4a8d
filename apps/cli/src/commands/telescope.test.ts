import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, TelescopeScenario, encodeCapture, runMamori } from '@mamori/testbed';

const scenario = new TelescopeScenario({ seed: 8, minutes: 5 });
const bytes = encodeCapture([...scenario.frames()], { format: 'pcapng' });
const truth = scenario.truth;
const dir = mkdtempSync(join(tmpdir(), 'telescope-cli-'));
const data = join(dir, 'data');
const file = join(dir, 'darknet.pcapng');
writeFileSync(file, bytes);
writeFileSync(join(dir, 'darknet.pcapng.gz'), gzipSync(bytes));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const since = new Date(truth.startMs).toISOString();

/** `mamori … -` with a file on stdin (as `tcpdump -w - | mamori telescope ingest -`). */
function viaStdin(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@mamori/source', '--import', 'tsx', CLI_MAIN, ...args], { env: { ...process.env, MAMORI_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    createReadStream(input).pipe(child.stdin);
  });
}

describe('mamori telescope', () => {
  it('ingests a file, then answers top, alerts and infected', async () => {
    const r = await runMamori(['--data', data, '--json', 'telescope', 'ingest', file, '--darknet', `${truth.darknet},${truth.darknet6}`, '--research', truth.researchPrefix]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ format: 'pcapng', frames: truth.packets, victims: 3, alerts: 1, infected: truth.miraiSources.length });

    const read = async (...args: string[]): Promise<any> => JSON.parse((await runMamori(['--data', data, '--json', 'telescope', ...args])).stdout);
    const [ports, sources, victims, alerts, infected] = await Promise.all([
      read('top', 'ports', '--since', since, '--limit', '3'),
      read('top', 'sources', '--since', since, '--limit', '4'),
      read('top', 'victims', '--since', since),
      read('alerts', '--since', since),
      read('infected', '--since', since),
    ]);
    expect(ports[0]).toMatchObject({ proto: 'tcp', port: 23, packets: truth.byPort['tcp/23'] });
    expect(sources).toHaveLength(4);
    expect(victims.map((v: { victim: string }) => v.victim).sort()).toEqual(truth.victims.filter((v) => v.packetsPerMinute >= 30).map((v) => v.address).sort());
    expect(alerts.map((a: { port: number }) => a.port)).toEqual([truth.campaign!.port]);
    expect(infected.map((h: { address: string }) => h.address).sort()).toEqual([...truth.miraiSources].sort());
  }, 300_000);

  it('reads a gzip-compressed capture from stdin', async () => {
    const r = await viaStdin(['--data', join(dir, 'data2'), '--json', 'telescope', 'ingest', '-', '--no-publish'], join(dir, 'darknet.pcapng.gz'));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ source: 'stdin', gzip: true, frames: truth.packets });
  }, 300_000);

  it('counts a file once: the same bytes again are "already ingested" unless --force', async () => {
    const store = ['--data', join(dir, 'data3')];
    const ingest = (json: boolean, ...args: string[]) =>
      runMamori([...store, ...(json ? ['--json'] : []), 'telescope', 'ingest', file, '--no-publish', '--darknet', `${truth.darknet},${truth.darknet6}`, ...args]);
    const tcp23 = async (): Promise<number> => JSON.parse((await runMamori([...store, '--json', 'telescope', 'top', 'ports', '--since', since, '--proto', 'tcp', '--limit', '1'])).stdout)[0].packets;
    const first = await ingest(true);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ alreadyIngested: false, digest: expect.stringMatching(/^[0-9a-f]{64}$/), frames: truth.packets });
    const [again, human] = await Promise.all([ingest(true), ingest(false)]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyIngested: true, digest: JSON.parse(first.stdout).digest, frames: truth.packets });
    expect(human.stdout).toMatch(/already ingested on .*sha256 [0-9a-f]{64}.*nothing counted again/);
    expect(await tcp23()).toBe(truth.byPort['tcp/23']);
    const forced = await ingest(true, '--force');
    expect(JSON.parse(forced.stdout)).toMatchObject({ alreadyIngested: false, frames: truth.packets });
    expect(await tcp23()).toBe(2 * truth.byPort['tcp/23']);
  }, 300_000);

  it('fails with a usage error on bad arguments and a located error on a broken capture', async () => {
    const bad = await runMamori(['--data', data, 'telescope', 'top', 'colours']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('ports, sources or victims');
    const broken = join(dir, 'broken.pcapng');
    writeFileSync(broken, bytes.subarray(0, 5000));
    const r = await runMamori(['--data', data, 'telescope', 'ingest', broken]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/truncated.*offset \d+/);
  }, 300_000);
});
