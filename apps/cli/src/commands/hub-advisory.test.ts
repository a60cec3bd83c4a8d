/**
 * A sealed advisory from the command line: the coordinator's admin publishes with `--seal`
 * (or seals later with `hub report seal --out DIR`), and `mamori trust verify` checks the
 * written advisory.json against advisory.jades.json, exit 1 once the document is changed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../testing.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mamori-advisory-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mamori(...args: string[]): Promise<{ code: number; out: any }> {
  const { code, stdout } = await runInProcess(['--data', join(dir, 'data'), '--quiet', '--json', ...args]);
  return { code, out: stdout ? JSON.parse(stdout) : undefined };
}

describe('mamori hub report --seal / seal', () => {
  it('publishes a sealed advisory that mamori trust verify accepts, and refuses a changed one', async () => {
    expect((await mamori('trust', 'init', '--org', 'NISC')).code).toBe(0);
    expect((await mamori('hub', 'org', 'add', 'NISC', '--role', 'coordinator')).code).toBe(0);
    expect((await mamori('hub', 'user', 'add', 'nisc-admin', '--org', 'NISC', '--role', 'admin')).code).toBe(0);
    expect((await mamori('hub', 'user', 'add', 'nisc-member', '--org', 'NISC', '--role', 'member')).code).toBe(0);

    const submit = (...extra: string[]) => mamori('hub', 'report', 'submit', '--as', 'nisc-admin', '--sector', 'info-comm', '--service', 'all', '--cause', 'cyber-attack',
      '--severity', '1', '--title', 'advisory: default passwords', '--description', 'change them', '--tlp', 'CLEAR', '--indicator', 'ipv4:192.0.2.7', ...extra);
    const published = await submit('--seal');
    expect(published.code).toBe(0);
    expect(published.out.sealed).toMatchObject({ level: 'T', document: { filename: 'advisory.json' }, seal: { filename: 'advisory.jades.json' } });
    expect((await submit('--seal', '--draft')).code).toBe(2);

    const out = join(dir, 'advisory');
    const sealed = await mamori('hub', 'report', 'seal', published.out.id, '--as', 'nisc-admin', '--level', 'B', '--out', out);
    expect(sealed.code).toBe(0);
    const [doc, seal] = sealed.out.written as string[];
    const verdict = await mamori('trust', 'verify', doc, seal);
    expect(verdict.code).toBe(0);
    expect(verdict.out).toMatchObject({ valid: true, organisation: 'NISC' });

    writeFileSync(doc, readFileSync(doc, 'utf8').replace('192.0.2.7', '192.0.2.9'));
    expect((await mamori('trust', 'verify', doc, seal)).code).toBe(1);
    expect((await mamori('hub', 'report', 'seal', published.out.id, '--as', 'nisc-member')).code).not.toBe(0);
    expect((await mamori('hub', 'report', 'seal', published.out.id, '--as', 'nisc-admin', '--level', 'Z')).code).toBe(2);
  });
});
