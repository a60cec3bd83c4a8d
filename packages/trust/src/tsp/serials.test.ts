import { describe, expect, it } from 'vitest';
import { testBackends } from '@mamori/core';
import { StoreSerialSource, trustMigrations } from './serials.js';

for (const backend of testBackends()) {
  describe(`TSA serial numbers on ${backend.name}`, () => {
    it('are unique and increasing across restarts and concurrent sources', async () => {
      const platform = await backend.open({ migrations: [trustMigrations] });
      try {
        const seen: bigint[] = [];
        const first = new StoreSerialSource(platform.store, 'tsa', 3);
        for (let i = 0; i < 5; i++) seen.push(await first.next());
        // a "restart": a new source over the same store continues above everything reserved
        const restarted = new StoreSerialSource(platform.store, 'tsa', 3);
        for (let i = 0; i < 5; i++) seen.push(await restarted.next());
        for (let i = 1; i < seen.length; i++) expect(seen[i] > seen[i - 1]).toBe(true);
        // two processes sharing the store never hand out the same number
        const a = new StoreSerialSource(platform.store, 'tsa', 2);
        const b = new StoreSerialSource(platform.store, 'tsa', 2);
        const both = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).next()));
        expect(new Set(both.map(String)).size).toBe(40);
        expect(Math.min(...both.map(Number))).toBeGreaterThan(Number(seen[seen.length - 1]));
        // another TSA name has its own counter
        expect(await new StoreSerialSource(platform.store, 'tsa-2', 10).next()).toBe(1n);
      } finally {
        await platform.close();
      }
    });
  });
}
