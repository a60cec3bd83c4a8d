import { describe, expect, it } from 'vitest';
import { testBackends } from '@mamori/core';
import { botnetScenario, exportStream } from '@mamori/testbed';
import { decodePacket, ExporterSession } from '../decoders/index.js';
import type { FlowRecord } from '../record.js';
import { detectCandidates } from '../analysis/candidates.js';
import { FlowsStore } from './flows-store.js';
import { flowsMigrations } from './migrations.js';
import { Rollup, topAddressesByFlows } from './rollup.js';

const s = botnetScenario({ seed: 5, hours: 3, hosts: 60 });
const session = new ExporterSession('127.0.0.1:9995');
const records: FlowRecord[] = [];
for (const p of exportStream(s.flows, 9)) decodePacket(p, session, records);

describe.each(testBackends())('flows store on $name', (backend) => {
  it('upserts rollups (re-import doubles counts), answers top destinations, prunes by retention', async () => {
    const platform = await backend.open({ migrations: [flowsMigrations] });
    try {
      const store = new FlowsStore(platform.store);
      const rollup = new Rollup(3_600_000);
      rollup.add(records);
      const rows = rollup.drain();
      await store.writeRollups(rows);
      const once = await store.rollupTotals();
      expect(once.flows).toBe(records.length);
      expect(once.bytes).toBe(records.reduce((a, r) => a + r.bytes, 0));
      rollup.add(records);
      await store.writeRollups(rollup.drain());
      const twice = await store.rollupTotals();
      expect(twice.rows).toBe(once.rows);
      expect(twice.flows).toBe(2 * records.length);
      const top = await store.topDestinations({ from: 0, to: Number.MAX_SAFE_INTEGER }, 5);
      const inMemory = topAddressesByFlows(records, 1000);
      expect(top[0].flows).toBeGreaterThan(0);
      expect(inMemory.length).toBeGreaterThan(0);
      const cut = Math.min(...rows.map((r) => r.bucketStart)) + 3_600_000;
      const removed = await store.pruneRollups(cut);
      expect(removed).toBe(rows.filter((r) => r.bucketStart < cut).length);
    } finally {
      await platform.close();
    }
  });

  it('stores exporter counters and detection runs with their candidates', async () => {
    const platform = await backend.open({ migrations: [flowsMigrations] });
    try {
      const store = new FlowsStore(platform.store);
      await store.saveExporters([{ exporter: session.key, counters: session.counters }]);
      await store.saveExporters([{ exporter: session.key, counters: { ...session.counters, packets: 1 } }]);
      const ex = await store.exporters();
      expect(ex).toHaveLength(1);
      expect(ex[0].counters.packets).toBe(1);
      expect((await store.candidates()).run).toBeNull();
      const result = detectCandidates(records, { knownBots: s.knownBots, allow: { prefixes: s.allowList } });
      await store.saveDetection(result, 'test', 1000);
      const run2 = await store.saveDetection({ ...result, candidates: result.candidates.slice(0, 2) }, 'test', 2000);
      const latest = await store.candidates();
      expect(latest.run?.id).toBe(run2.id);
      expect(latest.candidates).toHaveLength(2);
      expect(latest.candidates[0]).toEqual(result.candidates[0]);
      const one = await store.candidates({ address: s.commandAndControl[0].address });
      expect(one.candidates[0].evidence.hosts.length).toBe(result.candidates[0].evidence.hosts.length);
    } finally {
      await platform.close();
    }
  });
});
