import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrefixSet, testBackends, type BusMessage, decodeJson } from '@mamori/core';
import { encodeCapture } from '@mamori/testbed';
import { ingestCapture } from '../ingest.js';
import { telescopeMigrations } from './migrations.js';
import { alerts, heatmap, infectedHosts, summary, timeseries, topPorts, topSources, victims } from './queries.js';
import { TELESCOPE_SUBJECTS } from './sink.js';
import { scenarioFrames } from '../test/captures.js';

const { frames, scenario } = scenarioFrames({ seed: 21, minutes: 6 });
const truth = scenario.truth;
const dir = mkdtempSync(join(tmpdir(), 'telescope-store-'));
const path = join(dir, 'darknet.pcap');
writeFileSync(path, encodeCapture(frames, { format: 'pcap' }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

for (const backend of testBackends()) {
  describe(`telescope store on ${backend.name}`, () => {
    it('ingests a capture, stores every analysis and publishes its events', async () => {
      const platform = await backend.open({ migrations: [telescopeMigrations] });
      try {
        const events: { subject: string; data: unknown }[] = [];
        const sub = await platform.bus.subscribe('mamori.telescope.>', (m: BusMessage) => { events.push({ subject: m.subject, data: decodeJson(m.data) }); });
        const report = await ingestCapture(platform, path, {
          darknet: new PrefixSet([truth.darknet, truth.darknet6]), research: new PrefixSet([truth.researchPrefix]),
        });
        expect(report.frames).toBe(truth.packets);
        expect(report.packets).toBe(truth.packets - truth.byClass['non-ip']);
        expect(report.intervals).toBe(6);
        const since = truth.startMs;

        const s = await summary(platform.store, { sinceMs: since });
        expect(s.packets).toBe(report.packets);
        expect(s.byClass['syn-scan']).toBe(truth.byClass['syn-scan']);
        expect(s.byClass.backscatter).toBe(truth.byClass.backscatter);

        const ports = await topPorts(platform.store, { sinceMs: since, limit: 100_000 });
        const tcpUdp = Object.fromEntries(ports.filter((p) => p.proto === 'tcp' || p.proto === 'udp').map((p) => [`${p.proto}/${p.port}`, p.packets]));
        expect(tcpUdp).toEqual(truth.byPort);
        expect(ports[0]).toMatchObject({ proto: 'tcp', port: 23 });

        const top = await topSources(platform.store, { sinceMs: since, limit: 5 });
        expect(top).toHaveLength(5);
        expect(top[0].packets).toBeGreaterThanOrEqual(top[4].packets);

        const v = await victims(platform.store, { sinceMs: since });
        expect(v.map((x) => x.victim).sort()).toEqual(truth.victims.filter((x) => x.packetsPerMinute >= 30).map((x) => x.address).sort());
        for (const x of v) expect(x.packets).toBe(truth.victims.find((t) => t.address === x.victim)!.packets);

        const a = await alerts(platform.store, { sinceMs: since });
        expect(a.map((x) => [x.proto, x.port, x.bucketMs])).toEqual([['tcp', truth.campaign!.port, truth.campaign!.bucketStartMs]]);

        const infected = await infectedHosts(platform.store, { sinceMs: since });
        expect(infected.map((h) => h.address).sort()).toEqual([...truth.miraiSources].sort());
        expect(infected.every((h) => h.ports.every((p) => p === 23 || p === 2323))).toBe(true);

        const series = await timeseries(platform.store, { sinceMs: since });
        expect(series).toHaveLength(6);
        expect(series.reduce((n, p) => n + p.packets, 0)).toBe(report.packets);
        const telnet = await timeseries(platform.store, { sinceMs: since, proto: 'tcp', port: 23 });
        expect(telnet.reduce((n, p) => n + p.packets, 0)).toBe(truth.byPort['tcp/23']);

        const hm = await heatmap(platform.store, { sinceMs: since, limit: 5 });
        expect(hm.ports).toHaveLength(5);
        expect(hm.buckets).toHaveLength(6);
        expect(hm.packets[0].reduce((x, y) => x + y, 0)).toBe(ports[0].packets);

        // Ingesting the same capture again adds to the rollups rather than failing on keys.
        await ingestCapture(platform, path, { darknet: new PrefixSet([truth.darknet, truth.darknet6]), publish: false });
        expect((await summary(platform.store, { sinceMs: since })).packets).toBe(2 * report.packets);

        for (let i = 0; i < 50 && !events.some((e) => e.subject === TELESCOPE_SUBJECTS.alert); i++) await new Promise((r) => setTimeout(r, 20));
        await sub.unsubscribe();
        expect(events.filter((e) => e.subject === TELESCOPE_SUBJECTS.interval)).toHaveLength(6);
        expect(events.filter((e) => e.subject === TELESCOPE_SUBJECTS.alert).map((e) => (e.data as { port: number }).port)).toEqual([truth.campaign!.port]);
      } finally {
        await platform.close();
      }
    });
  });
}
