import { describe, expect, it } from 'vitest';
import { testBackends } from '@mamori/core';
import { surveyMigrations } from '../store/migrations.js';
import { claimItem, releaseClaim, renewClaim } from './claims.js';
import { commitItem, type ItemStats } from './dist-store.js';

describe.each(testBackends())('survey item claims on $name', (backend) => {
  it('let one holder at a time run an item, and another take it over only when the lease has lapsed', async () => {
    const p = await backend.open({ migrations: [surveyMigrations] });
    try {
      const t = 1_000_000;
      expect(await claimItem(p.store, 'r1', '10.0.0.0/24', 'w1#a', 15_000, t)).toEqual({ held: true });
      // A second delivery of the same item while w1 runs it.
      expect(await claimItem(p.store, 'r1', '10.0.0.0/24', 'w2#b', 15_000, t + 1000)).toEqual({ held: false, holder: 'w1#a', leaseUntil: t + 15_000 });
      // Other items and other runs are independent.
      expect(await claimItem(p.store, 'r1', '10.0.1.0/24', 'w2#b', 15_000, t)).toEqual({ held: true });
      expect(await claimItem(p.store, 'r2', '10.0.0.0/24', 'w2#b', 15_000, t)).toEqual({ held: true });
      // w1 renews: still its own; w2 cannot renew what it does not hold.
      expect(await renewClaim(p.store, 'r1', '10.0.0.0/24', 'w1#a', 15_000, t + 10_000)).toBe(true);
      expect(await renewClaim(p.store, 'r1', '10.0.0.0/24', 'w2#b', 15_000, t + 10_000)).toBe(false);
      expect((await claimItem(p.store, 'r1', '10.0.0.0/24', 'w2#b', 15_000, t + 20_000)).held).toBe(false);
      // w1 stops renewing (it died or froze): once the lease has lapsed w2 takes over, and w1 learns it on its next renewal.
      expect(await claimItem(p.store, 'r1', '10.0.0.0/24', 'w2#b', 15_000, t + 25_001)).toEqual({ held: true });
      expect(await renewClaim(p.store, 'r1', '10.0.0.0/24', 'w1#a', 15_000, t + 26_000)).toBe(false);
      // Releasing is the holder's only; then anyone may claim at once.
      await releaseClaim(p.store, 'r1', '10.0.0.0/24', 'w1#a');
      expect((await claimItem(p.store, 'r1', '10.0.0.0/24', 'w3#c', 15_000, t + 26_000)).held).toBe(false);
      await releaseClaim(p.store, 'r1', '10.0.0.0/24', 'w2#b');
      expect(await claimItem(p.store, 'r1', '10.0.0.0/24', 'w3#c', 15_000, t + 26_000)).toEqual({ held: true });
      // Committing the item drops its holder's claim with the done marker.
      await commitItem(p.store, 'r1', '10.0.0.0/24', [], { worker: 'w3', holder: 'w3#c', delivery: 3, startedAt: t, stats: { ms: 1 } as ItemStats });
      expect(await claimItem(p.store, 'r1', '10.0.0.0/24', 'w4#d', 15_000, t + 26_000)).toEqual({ held: true });
    } finally {
      await p.close();
    }
  });

  it('gives an item to exactly one of many claimers racing for it', async () => {
    const p = await backend.open({ migrations: [surveyMigrations] });
    try {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => claimItem(p.store, 'race', '10.9.0.0/24', `w${i}`, 15_000)));
      expect(results.filter((r) => r.held)).toHaveLength(1);
      const winner = results.findIndex((r) => r.held);
      for (const r of results) if (!r.held) expect(r.holder).toBe(`w${winner}`);
    } finally {
      await p.close();
    }
  });
});
