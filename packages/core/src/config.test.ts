import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSection, isMamoriError, loadConfig } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'mamori-config-'));

function expectConfigError(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (e) {
    expect(isMamoriError(e, 'MAMORI_CONFIG_INVALID')).toBe(true);
    expect((e as { details: { field: string } }).details.field).toBe(field);
    expect((e as Error).message).toContain(field);
    return;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('layers defaults, a TOML file, environment and overrides in that order', () => {
    const file = join(dir, 'mamori.toml');
    writeFileSync(file, '[server]\nport = 9000\nhost = "0.0.0.0"\n[telescope]\nbucket = "1m"\n');
    const c = loadConfig({ file, env: { MAMORI_PORT: '9100', MAMORI_TELESCOPE__DARKNET_SIZE: '65536' }, overrides: { dataDir: dir } });
    expect(c.server).toMatchObject({ port: 9100, host: '0.0.0.0' });
    expect(c.dataDir).toBe(dir);
    expect(c.log.level).toBe('info');
    expect(c.telescope).toEqual({ bucket: '1m', darknetSize: 65536 });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads JSON files too', () => {
    const file = join(dir, 'mamori.json');
    writeFileSync(file, JSON.stringify({ natsUrl: 'nats://127.0.0.1:4222', log: { level: 'debug' } }));
    const c = loadConfig({ file, env: {} });
    expect(c.natsUrl).toBe('nats://127.0.0.1:4222');
    expect(c.log.level).toBe('debug');
  });

  it('names the bad key', () => {
    expectConfigError(() => loadConfig({ env: { MAMORI_PORT: '70000' } }), 'server.port');
    expectConfigError(() => loadConfig({ env: { MAMORI_LOG_LEVEL: 'loud' } }), 'log.level');
    expectConfigError(() => loadConfig({ env: { MAMORI_DATABASE_URL: 'not a url' } }), 'databaseUrl');
  });

  it('reports unreadable and unparseable files', () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[server\nport = ');
    expect(() => loadConfig({ file: bad, env: {} })).toThrowError(/cannot read configuration file/);
    expect(() => loadConfig({ file: join(dir, 'missing.toml'), env: {} })).toThrowError(/missing\.toml/);
  });

  it('validates a part section with the part schema and names section.key', () => {
    const c = loadConfig({ env: { MAMORI_SURVEY__RATE: '-5' } });
    const schema = z.object({ rate: z.number().positive().default(100) });
    expectConfigError(() => configSection(c, 'survey', schema), 'survey.rate');
    expect(configSection(loadConfig({ env: {} }), 'survey', schema)).toEqual({ rate: 100 });
  });
});
