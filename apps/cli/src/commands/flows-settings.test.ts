/** `[flows]` settings: defaults, the configuration file and environment, flags over keys, errors naming the key or the flag. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMamoriError, loadConfig } from '@mamori/core';
import { detectionOptions, flowsSettings, type FlowsFlags } from './flows-settings.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-flows-settings-'));
const allow = join(dir, 'allow.txt');
writeFileSync(allow, '# NTP pool and a CDN\nport 123\n203.0.113.0/24 443\n');
const bots = join(dir, 'bots.txt');
writeFileSync(bots, '10.0.0.7 telescope mirai-like\n');

function configFrom(toml: string, env: Record<string, string> = {}): ReturnType<typeof loadConfig> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, toml);
  return loadConfig({ file, env, overrides: { dataDir: dir } });
}

function failure(f: () => unknown): { code: string; field?: unknown; reason?: unknown } {
  try { f(); } catch (e) { if (isMamoriError(e)) return { code: e.code, field: e.details.field, reason: e.details.reason }; throw e; }
  throw new Error('no error');
}

describe('[flows] settings', () => {
  it('has working defaults with no section', () => {
    const s = flowsSettings(configFrom(''), {});
    expect(s).toMatchObject({
      listen: { host: '127.0.0.1', port: 2055 }, flushEvery: 30_000, detectEvery: 600_000, retention: 7 * 86_400_000,
      archive: { enabled: false, dir: join(dir, 'flows-archive'), rotate: 3_600_000 },
      detection: { minScore: 0.2, limit: 100, beaconThreshold: 0.6 },
    });
    expect(detectionOptions(s)).toEqual({ minScore: 0.2, limit: 100, beaconThreshold: 0.6 });
  });

  it('reads the section from the file and the environment, and flags win over both', () => {
    const config = configFrom(`
[flows]
listen = "[::1]:9995"
retention = "30d"
detectEvery = 120000
allowList = "${allow}"
knownBots = "${bots}"
[flows.archive]
enabled = true
rotate = "5m"
[flows.detection]
minScore = 0.5
beaconThreshold = 0.7
stitchSlack = "2s"
internal = ["10.0.0.0/8"]
`, { MAMORI_FLOWS__FLUSH_EVERY: '10s' });
    const s = flowsSettings(config, {});
    expect(s).toMatchObject({
      listen: { host: '::1', port: 9995 }, retention: 30 * 86_400_000, detectEvery: 120_000, flushEvery: 10_000,
      archive: { enabled: true, rotate: 300_000, dir: join(dir, 'flows-archive') },
      detection: { minScore: 0.5, limit: 100, beaconThreshold: 0.7, stitchSlack: 2000, internal: ['10.0.0.0/8'] },
    });
    const o = detectionOptions(s);
    expect(o).toMatchObject({ minScore: 0.5, beaconThreshold: 0.7, stitchSlackMs: 2000, internal: ['10.0.0.0/8'] });
    expect(o.allow).toEqual({ prefixes: [], ports: [123], endpoints: [{ prefix: '203.0.113.0/24', ports: [443] }] });
    expect(o.knownBots?.map((b) => b.address)).toEqual(['10.0.0.7']);

    const flags: FlowsFlags = { listen: '0.0.0.0:2056', retention: '1d', minScore: '0.9', limit: '3', internal: '100.64.0.0/10, 192.168.0.0/16', archive: join(dir, 'arch'), allow: bots };
    expect(flowsSettings(config, flags)).toMatchObject({
      listen: { host: '0.0.0.0', port: 2056 }, retention: 86_400_000, allowList: bots,
      archive: { enabled: true, dir: join(dir, 'arch') },
      detection: { minScore: 0.9, limit: 3, beaconThreshold: 0.7, internal: ['100.64.0.0/10', '192.168.0.0/16'] },
    });
    expect(flowsSettings(configFrom(''), { archive: true }).archive).toEqual({ enabled: true, dir: join(dir, 'flows-archive'), rotate: 3_600_000 });
  });

  it('names the key of a bad section and the flag of a bad flag', () => {
    expect(failure(() => flowsSettings(configFrom('[flows]\nretention = "7x"'), {}))).toMatchObject({ code: 'MAMORI_CONFIG_INVALID', field: 'flows.retention' });
    expect(failure(() => flowsSettings(configFrom('[flows]\nlisten = "127.0.0.1:99999"'), {}))).toMatchObject({ code: 'MAMORI_CONFIG_INVALID', field: 'flows.listen' });
    expect(failure(() => flowsSettings(configFrom('[flows.detection]\nminScore = 2'), {}))).toMatchObject({ code: 'MAMORI_CONFIG_INVALID', field: 'flows.detection.minScore' });
    expect(failure(() => flowsSettings(configFrom('[flows.archive]\nenabled = "yes"'), {}))).toMatchObject({ field: 'flows.archive.enabled' });
    const ok = configFrom('');
    expect(failure(() => flowsSettings(ok, { retention: '7x' }))).toMatchObject({ code: 'MAMORI_USAGE', reason: expect.stringMatching(/^--retention: "7x" is not a duration/) });
    expect(failure(() => flowsSettings(ok, { listen: 'localhost' })).reason).toMatch(/^--listen:/);
    expect(failure(() => flowsSettings(ok, { minScore: 'high' })).reason).toMatch(/^--min-score:/);
    expect(failure(() => flowsSettings(ok, { limit: '0' })).reason).toMatch(/^--limit:/);
    expect(failure(() => detectionOptions(flowsSettings(configFrom(`[flows]\nallowList = "${join(dir, 'missing.txt')}"`), {})))).toMatchObject({ code: 'MAMORI_USAGE', reason: expect.stringContaining('flows.allowList') });
  });
});
