/** `mamori supply` as users run it: criteria, list, SBOM and OSV import, check exit codes, fingerprint. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, openPlatform } from '@mamori/core';
import { LOCAL_OPERATOR, actorOf, addOrg, addUser, createToken, hubContext } from '@mamori/hub';
import { buildServer, migrationSets, routeModules } from '@mamori/server';
import { LODASH_OSV, ROUTER_SBOM_XML, runMamori, WEBUI_CRITICAL_OSV } from '@mamori/testbed';

const dir = mkdtempSync(join(tmpdir(), 'mamori-supply-cli-'));
const data = join(dir, 'data');
const criteria = join(dir, 'criteria.json');
writeFileSync(criteria, JSON.stringify({ version: '2026.1', title: 'IoT baseline', criteria: [
  { id: 'no-default-password', title: 'No default password', required: true },
  { id: 'signed-updates', title: 'Update mechanism signed', required: true },
] }));
const sbom = join(dir, 'fw.cdx.xml');
writeFileSync(sbom, ROUTER_SBOM_XML);
const osvDir = join(dir, 'osv');
mkdirSync(osvDir);
writeFileSync(join(osvDir, 'GHSA-35jh-r3h4-6jhm.json'), JSON.stringify(LODASH_OSV));
writeFileSync(join(osvDir, 'GHSA-crit.json'), JSON.stringify(WEBUI_CRITICAL_OSV));
const zip = join(dir, 'all.zip');
execFileSync('zip', ['-qj', zip, join(osvDir, 'GHSA-35jh-r3h4-6jhm.json')]);

const mamori = (...args: string[]) => runMamori(['--data', data, ...args]);

/** POST /api/supply/check on a server over the CLI's own data directory, as a reader with a hub token. */
async function checkOverApi(body: Record<string, unknown>): Promise<unknown> {
  const platform = await openPlatform(loadConfig({ overrides: { dataDir: data, log: { level: 'silent' } } }), { migrations: migrationSets });
  try {
    const hub = hubContext(platform);
    const actor = actorOf(LOCAL_OPERATOR, 'local');
    const org = await addOrg(hub, LOCAL_OPERATOR, actor, { name: `buyer ${Math.random()}`, role: 'coordinator' });
    const user = await addUser(hub, LOCAL_OPERATOR, actor, { orgId: org.id, username: `buyer-${org.id}`, roles: ['reader'], email: 'buyer@example.jp' });
    const { token } = await createToken(hub, LOCAL_OPERATOR, actor, { user: user.id, scopes: ['read'] });
    const app = await buildServer(platform, { modules: routeModules.filter((m) => m.name === 'supply') });
    try {
      const r = await app.inject({ method: 'POST', url: '/api/supply/check', headers: { authorization: `Bearer ${token}` }, payload: body });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    } finally {
      await app.close();
    }
  } finally {
    await platform.close();
  }
}

describe('mamori supply', () => {
  it('lists, imports, checks with meaningful exit codes', async () => {
    expect((await mamori('supply', 'criteria', 'add', criteria)).code).toBe(0);
    const add = await mamori('--json', 'supply', 'list', 'add', '--manufacturer', 'Example Networks', '--model', 'AX-3000', '--assessor', 'lab 3',
      '--criteria', '2026.1', '--met', 'no-default-password,signed-updates', '--assessed', '2026-01-01', '--expires', '2099-01-01', '--fingerprint', 'ExampleOS/\\d');
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout).id).toBe('example-networks-ax-3000');

    const imp = await mamori('--json', 'supply', 'sbom', 'import', sbom, '--product', 'example-networks-ax-3000');
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ format: 'cyclonedx', components: 3, vulnerabilities: [] });

    const vz = await mamori('--json', 'supply', 'vulns', 'import', zip);
    expect(vz.code, vz.stderr).toBe(0);
    expect(JSON.parse(vz.stdout)).toMatchObject({ added: 1, total: 1, advisories: [] });

    let check = await mamori('supply', 'check', '--manufacturer', 'example networks', '--model', 'ax3000');
    expect(check.code, check.stdout).toBe(3); // a high-severity vulnerability: caution
    expect(check.stdout).toContain('GHSA-35jh-r3h4-6jhm');
    expect(check.stdout).toContain('fw > web > lodash');

    const vd = await mamori('--json', 'supply', 'vulns', 'import', osvDir);
    expect(JSON.parse(vd.stdout)).toMatchObject({ added: 1, unchanged: 1, advisories: [{ product: 'example-networks-ax-3000', vulnerability: 'GHSA-crit' }] });
    check = await mamori('--json', 'supply', 'check', '--sbom', sbom);
    expect(check.code).toBe(1);
    expect(JSON.parse(check.stdout)).toMatchObject({ listed: false, verdict: 'fail' });
    // The API route answers exactly what the CLI printed, for an SBOM and for a listed product.
    expect(await checkOverApi({ sbom: readFileSync(sbom, 'utf8') })).toEqual(JSON.parse(check.stdout));
    check = await mamori('--json', 'supply', 'check', '--product', 'example-networks-ax-3000', '--product-version', '2.0');
    expect(check.code, check.stderr).toBe(1);
    expect(await checkOverApi({ product: 'example-networks-ax-3000', version: '2.0' })).toEqual(JSON.parse(check.stdout));
    expect(JSON.parse(check.stdout)).toMatchObject({ verdict: 'fail', listed: true, openVulns: [{ id: 'GHSA-crit' }, { id: 'GHSA-35jh-r3h4-6jhm' }] });

    const fp = await mamori('--json', 'supply', 'fingerprint', 'HTTP/1.1 200 OK Server: ExampleOS/2');
    expect(JSON.parse(fp.stdout).product.id).toBe('example-networks-ax-3000');

    expect((await mamori('supply', 'check')).code).toBe(2);

    const sum = await mamori('--json', 'supply', 'summary', '--since', '1h');
    expect(sum.code, sum.stderr).toBe(0);
    expect(JSON.parse(sum.stdout)).toEqual({ listed: 1, added: 1, openVulns: 2, criticalOpen: 1, productsWithVulns: 1, advisories: 1 });
    expect(JSON.parse((await mamori('--json', 'supply', 'summary', '--until', '1h')).stdout)).toMatchObject({ listed: 0, added: 0 });
    expect((await mamori('supply', 'summary', '--since', 'whenever')).code).toBe(2);
  }, 900_000);
});
