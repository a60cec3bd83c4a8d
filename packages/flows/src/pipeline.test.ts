import { describe, expect, it } from 'vitest';
import { testBackends } from '@mamori/core';
import { botnetScenario, exportStream } from '@mamori/testbed';
import { decodePacket, ExporterSession } from './decoders/index.js';
import { FlowPipeline } from './pipeline.js';
import type { FlowRecord } from './record.js';
import { flowsMigrations } from './store/migrations.js';

describe('FlowPipeline', () => {
  it('keeps a bounded window that round-trips records, and detects over it', async () => {
    const platform = await testBackends()[0].open({ migrations: [flowsMigrations] });
    try {
      const s = botnetScenario({ seed: 3, hours: 3, hosts: 60 });
      const records: FlowRecord[] = [];
      for (const p of exportStream(s.flows, 10)) decodePacket(p, new ExporterSession('192.0.2.1:4739'), records);
      const all = new FlowPipeline(platform.store);
      all.add(records.slice(0, 1000));
      all.add(records.slice(1000));
      expect(all.windowRecords()).toEqual(records);
      const { result, run } = await all.detectAndSave({ knownBots: s.knownBots, allow: { prefixes: s.allowList } }, 'test');
      expect(result.candidates[0].address).toBe(s.commandAndControl[0].address);
      expect((await all.flowsStore.candidates()).run?.id).toBe(run.id);
      expect(await all.flush()).toBeGreaterThan(0);
      expect((await all.flowsStore.rollupTotals()).flows).toBe(records.length);

      const bounded = new FlowPipeline(platform.store, { maxWindowRecords: 70_000 });
      for (let k = 0; k < 10; k++) bounded.add(records);
      expect(bounded.windowSize).toBeLessThanOrEqual(70_000 + 65_536);
      expect(bounded.windowSize + bounded.dropped).toBe(10 * records.length);
    } finally {
      await platform.close();
    }
  });
});
