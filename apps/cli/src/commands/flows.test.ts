/** `mamori flows` as users run it: import a file, list candidates (JSON and STIX), collect on UDP. */
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveLine, ARCHIVE_HEADER, decodePacket, ExporterSession, type FlowRecord } from '@mamori/flows';
import { botnetScenario, exportStream, runMamori, startMamori } from '@mamori/testbed';

const dir = mkdtempSync(join(tmpdir(), 'mamori-flows-cli-'));
const s = botnetScenario({ seed: 7, hours: 3, hosts: 60 });
const records: FlowRecord[] = [];
for (const p of exportStream(s.flows, 10)) decodePacket(p, new ExporterSession('192.0.2.1:4739'), records);
const csv = join(dir, 'flows.csv');
writeFileSync(csv, `${ARCHIVE_HEADER}\n${records.map(archiveLine).join('\n')}\n`);
const bots = join(dir, 'bots.txt');
writeFileSync(bots, s.knownBots.map((b) => `${b.address} ${b.source} ${b.reason}`).join('\n'));
const allow = join(dir, 'allow.txt');
writeFileSync(allow, s.allowList.join('\n'));

describe('mamori flows', () => {
  it('imports a CSV, ranks the C&C first, exports STIX', async () => {
    const data = join(dir, 'd1');
    const imp = await runMamori(['--json', '--data', data, 'flows', 'import', csv, '--utc', '--known-bots', bots, '--allow', allow]);
    expect(imp.code, imp.stderr).toBe(0);
    const r = JSON.parse(imp.stdout);
    expect(r.records).toBe(records.length);
    expect(r.top[0].address).toBe(s.commandAndControl[0].address);

    const list = await runMamori(['--json', '--data', data, 'flows', 'candidates', '--limit', '5']);
    expect(list.code, list.stderr).toBe(0);
    const c = JSON.parse(list.stdout);
    expect(c.candidates[0].address).toBe(s.commandAndControl[0].address);
    expect(c.candidates[0].evidence.hosts.length).toBeGreaterThan(0);

    const stix = await runMamori(['--data', data, 'flows', 'candidates', '--limit', '2', '--stix', '--tlp', 'amber']);
    expect(stix.code, stix.stderr).toBe(0);
    const bundle = JSON.parse(stix.stdout);
    expect(bundle.type).toBe('bundle');
    expect(bundle.objects[0].pattern).toContain(`'${s.commandAndControl[0].address}'`);

    expect((await runMamori(['--data', data, 'flows', 'candidates', '--tlp', 'purple'])).code).toBe(2);

    // The scenario's traffic (November 2026) in the detection history, per time range.
    const since = new Date(s.flows[0].start - 86_400_000).toISOString();
    const sum = await runMamori(['--json', '--data', data, 'flows', 'summary', '--since', since, '--until', new Date(s.flows[0].start + 30 * 86_400_000).toISOString()]);
    expect(sum.code, sum.stderr).toBe(0);
    expect(JSON.parse(sum.stdout)).toMatchObject({ runs: 1, candidates: r.candidates });
    expect(JSON.parse(sum.stdout).strong).toBeGreaterThanOrEqual(1);
    // The top candidate (strong) counts all the hosts its evidence lists.
    expect(JSON.parse(sum.stdout).hosts).toBeGreaterThanOrEqual(c.candidates[0].evidence.hosts.length);
    const none = await runMamori(['--json', '--data', data, 'flows', 'summary', '--since', since, '--until', since]);
    expect(JSON.parse(none.stdout)).toMatchObject({ runs: 0, candidates: 0, strong: 0, hosts: 0 });
    expect((await runMamori(['--data', data, 'flows', 'summary', '--since', 'someday'])).code).toBe(2);
  }, 300_000);

  it('takes the allow-list, known bots and thresholds from [flows], and names a bad key', async () => {
    const config = join(dir, 'mamori.toml');
    writeFileSync(config, `[flows]\nallowList = "${allow}"\nknownBots = "${bots}"\n[flows.detection]\nlimit = 1\nminScore = 0.3\n`);
    const imp = await runMamori(['--json', '--config', config, '--data', join(dir, 'd3'), 'flows', 'import', csv, '--utc']);
    expect(imp.code, imp.stderr).toBe(0);
    const r = JSON.parse(imp.stdout);
    expect(r.candidates).toBe(1);
    expect(r.top.map((t: { address: string }) => t.address)).toEqual([s.commandAndControl[0].address]);

    writeFileSync(config, '[flows]\nretention = "a week"\n');
    const bad = await runMamori(['--config', config, '--data', join(dir, 'd3'), 'flows', 'import', csv, '--utc']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('flows.retention');
  }, 300_000);

  it('collects NetFlow v9 on UDP with live counters and stores candidates', async () => {
    const data = join(dir, 'd2');
    const p = startMamori(['--json', '--data', data, 'flows', 'collect', '--listen', '127.0.0.1:0', '--for', '8s', '--flush', '1s', '--known-bots', bots, '--allow', allow]);
    const m = await p.waitFor(/collecting on 127\.0\.0\.1:(\d+)/);
    const sock = createSocket('udp4');
    const stream = exportStream(s.flows, 9, { perPacket: 24, templateEvery: 10 });
    for (let i = 0; i < stream.length; i++) {
      await new Promise<void>((res, rej) => sock.send(stream[i], Number(m[1]), '127.0.0.1', (e) => (e ? rej(e) : res())));
      if (i % 50 === 0) await new Promise((res) => setTimeout(res, 5)); // pace: loopback drops bursts too
    }
    sock.close();
    expect(await p.exited()).toBe(0);
    const lines = p.output().stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'counters')).toBe(true);
    const summary = lines[lines.length - 1];
    expect(summary.type).toBe('summary');
    expect(summary.records + summary.lostPackets * 24).toBeGreaterThanOrEqual(s.flows.length - 24);
    expect(summary.errors).toBe(0);
    const list = await runMamori(['--json', '--data', data, 'flows', 'candidates']);
    expect(JSON.parse(list.stdout).candidates[0].address).toBe(s.commandAndControl[0].address);
    const ex = await runMamori(['--json', '--data', data, 'flows', 'exporters']);
    expect(JSON.parse(ex.stdout)[0].counters.packets).toBe(stream.length - summary.lostPackets);
  }, 300_000);
});
