/** Telling seals from time-stamp tokens by their bytes, and never crashing on junk. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError, testBackends, type Platform } from '@mamori/core';
import { initTrust } from './pki/generate.js';
import { openTrust, type TrustServices } from './service.js';
import { trustConfig } from './config.js';
import { trustMigrations } from './tsp/serials.js';
import { detachedKind, timeStampTokenOf, verifyDetached } from './detached.js';

let platform: Platform;
let t: { services: TrustServices };
const DOC = Buffer.from('relayed report, v3\n');
const seals: Record<string, Uint8Array> = {};

beforeAll(async () => {
  platform = await testBackends()[0].open({ migrations: [trustMigrations] });
  await initTrust({ dir: trustConfig(platform.config).dir, organisation: 'Detached' });
  t = { services: openTrust({ config: platform.config, store: platform.store }) };
  seals.cades = await t.services.sealFile(DOC, { level: 'T' });
  seals.jades = Buffer.from(JSON.stringify(await t.services.sealJson({ report: 'v3' }, { serialization: 'json' })));
  seals.token = Buffer.from(await t.services.stampData(DOC));
});
afterAll(async () => {
  await t?.services.close();
  await platform?.close();
});

describe('verifyDetached', () => {
  it('recognises CAdES, JAdES and time-stamp tokens', () => {
    expect(detachedKind(seals.cades)).toBe('CAdES');
    expect(detachedKind(seals.jades)).toBe('JAdES');
    expect(detachedKind(seals.token)).toBe('TimeStamp');
    expect(timeStampTokenOf(seals.token)).toBe(seals.token);
    expect(verifyDetached(t.services, DOC, seals.cades)).toMatchObject({ valid: true, contentUnchanged: true });
    expect(verifyDetached(t.services, DOC, seals.token)).toMatchObject({ valid: true, contentUnchanged: true, chainTrusted: true });
  });

  it('answers a verdict or a MamoriError for random and mutated signatures, never another exception', () => {
    const mutated = fc.tuple(fc.constantFrom(...Object.values(seals)), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
      const copy = Buffer.from(s);
      copy[at % copy.length] = byte;
      return copy;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (sig) => {
      try {
        const v = verifyDetached(t.services, DOC, sig);
        expect(typeof v.valid).toBe('boolean');
      } catch (e) {
        expect(isMamoriError(e), String(e)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});
