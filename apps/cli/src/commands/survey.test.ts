/**
 * The survey verbs as a user runs them: `mamori survey run` against a small farm, then
 * findings, notify (CSV + JSON files), batch state, re-survey after a fix, and report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMamori, startFarm, type DeviceSpec, type Farm } from '@mamori/testbed';

let farm: Farm;
let dir: string;
const devices: DeviceSpec[] = [
  { kind: 'telnet', address: '127.45.0.1', port: 2325, credentials: [{ username: 'root', password: 'xc3511' }], iac: true },
  { kind: 'http', address: '127.45.0.2', port: 8082, credentials: [{ username: 'admin', password: 'admin' }], auth: 'digest' },
  { kind: 'telnet', address: '127.45.0.3', port: 2325, credentials: [{ username: 'root', password: 'xc3511' }] },
];

beforeAll(async () => {
  farm = await startFarm(devices);
  dir = mkdtempSync(join(tmpdir(), 'mamori-survey-cli-'));
  writeFileSync(join(dir, 'scope.txt'), '127.45.0.0/29\n');
  writeFileSync(join(dir, 'exclude.txt'), '127.45.0.3 # opted out\n');
  writeFileSync(join(dir, 'ip2asn.tsv'), '127.45.0.0\t127.45.0.255\t64510\tJP\tEXAMPLE-NET\n');
  writeFileSync(join(dir, 'isp.txt'), '64510\tExample ISP\n');
});
afterAll(async () => {
  await farm?.close();
  rmSync(dir, { recursive: true, force: true });
});

const mamori = async (...args: string[]) => {
  const r = await runMamori(['--data', join(dir, 'data'), '--quiet', ...args]);
  if (r.code !== 0) throw new Error(`mamori ${args.join(' ')} → ${r.code}\n${r.stderr}`);
  return r.stdout;
};

describe('mamori survey', () => {
  it('runs, lists, notifies, re-surveys and reports', async () => {
    const run = JSON.parse(await mamori('--json', 'survey', 'run', '--scope', join(dir, 'scope.txt'), '--exclude', join(dir, 'exclude.txt'),
      '--ports', '2325,8082', '--rate', '500', '--ip2asn', join(dir, 'ip2asn.tsv'), '--isp-map', join(dir, 'isp.txt'), '--banner-ms', '500', '--reply-ms', '2000'));
    expect(run).toMatchObject({ findings: 2, newFindings: 2 });
    expect(farm.counters(devices[2]).connections).toBe(0);

    const findings = JSON.parse(await mamori('--json', 'survey', 'findings', '--isp', 'Example ISP'));
    expect(findings.map((f: { address: string }) => f.address).sort()).toEqual(['127.45.0.1', '127.45.0.2']);
    expect(JSON.stringify(findings)).not.toContain('xc3511');

    const batch = JSON.parse(await mamori('--json', 'survey', 'notify', '--isp', 'Example ISP', '--out', join(dir, 'out')));
    expect(batch).toMatchObject({ items: 2, state: 'prepared' });
    expect(readFileSync(batch.files[0], 'utf8')).toMatch(/^address,port,protocol,first_seen,last_seen,finding_type,evidence_time\r\n127\.45\.0\.1,2325,telnet,/);
    expect(JSON.parse(readFileSync(batch.files[1], 'utf8')).devices).toHaveLength(2);
    await mamori('survey', 'batch', batch.id, 'sent');

    devices[0].credentials = [{ username: 'root', password: 'changed-to-something-long' }];
    const again = JSON.parse(await mamori('--json', 'survey', 'run', '--resurvey', '--scope', join(dir, 'scope.txt'), '--banner-ms', '500', '--reply-ms', '2000'));
    expect(again).toMatchObject({ fixed: 1, stillWeak: 1 });

    const report = JSON.parse(await mamori('--json', 'survey', 'report'));
    expect(report.overall).toMatchObject({ found: 2, notified: 2, fixed: 1, stillWeak: 1, fixRate: 0.5 });
  }, 300_000);
});
