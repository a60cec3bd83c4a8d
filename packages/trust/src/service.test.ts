import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { initTrust } from './pki/generate.js';
import { openTrust, type TrustServices } from './service.js';
import { trustMigrations } from './tsp/serials.js';

let platform: Platform;
let trust: TrustServices;
beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [trustMigrations] });
  await initTrust({ dir: join(platform.config.dataDir, 'trust'), organisation: 'Hub Operator' });
  trust = openTrust({ config: { ...platform.config, trust: { tsa: { accuracyMs: 500 } } }, store: platform.store });
});
afterAll(async () => {
  await trust.close();
  await platform.close();
});

describe('openTrust (the API other parts call)', () => {
  it('stamps digests with store-backed serials and verifies them', async () => {
    const hash = createHash('sha256').update('checkpoint').digest();
    const t1 = await trust.stampDigest(hash);
    const t2 = await trust.stampData(Buffer.from('checkpoint'));
    const v1 = trust.verifyStampToken(t1, { digest: { algorithm: 'sha256', value: hash } });
    const v2 = trust.verifyStampToken(t2, { data: Buffer.from('checkpoint') });
    expect(v1.reasons).toEqual([]);
    expect(v2.valid).toBe(true);
    expect(v2.serialNumber! > v1.serialNumber!).toBe(true);
    expect(v1.tstInfo?.accuracy).toEqual({ seconds: undefined, millis: 500, micros: undefined });
  });

  it('seals JSON and files, at level T, and verifies them against the installation anchors', async () => {
    const jws = await trust.sealJson({ id: 'advisory--9' }, { level: 'T' });
    expect(trust.verifyJws(jws)).toMatchObject({ valid: true, level: 'T', organisation: 'Hub Operator' });
    const p7s = await trust.sealFile(Buffer.from('report'), { level: 'T' });
    expect(trust.verifyCades(p7s, Buffer.from('report'))).toMatchObject({ valid: true, level: 'T' });
    expect(trust.verifyCades(p7s, Buffer.from('other')).valid).toBe(false);
  });

  it('reports bad configuration by key', () => {
    expect(() => openTrust({ config: { ...platform.config, trust: { tsa: { policy: 'not an oid' } } } })).toThrow(/trust\.tsa\.policy/);
  });
});
