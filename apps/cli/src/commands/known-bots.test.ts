import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, type Platform } from '@mamori/core';
import { migrationSets } from '@mamori/server';
import { storedKnownBots } from './known-bots.js';

describe('known bots from the store', () => {
  let p: Platform;
  beforeAll(async () => { p = await testBackends()[0].open({ migrations: migrationSets }); });
  afterAll(async () => { await p?.close(); });

  it('names telescope Mirai-like scanners as known bots, and only recent ones', async () => {
    const now = Date.now();
    await p.store.db.insertInto('telescope_infected').values([
      { address: '10.1.2.3', fingerprint: 'mirai', first_ms: now - 3_600_000, last_ms: now - 60_000, packets: 42, ports: '[23]' },
      { address: '10.9.9.9', fingerprint: 'mirai', first_ms: now - 90 * 86_400_000, last_ms: now - 80 * 86_400_000, packets: 5, ports: '[23]' },
    ]).execute();
    const bots = await storedKnownBots(p);
    expect(bots).toEqual([{ address: '10.1.2.3', source: 'telescope', reason: expect.stringContaining('mirai') }]);
  });
});
