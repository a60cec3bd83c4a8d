/** The IP-to-country table: its CSV layouts, lookups, errors by line, and sources per country from the store. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMamoriError, testBackends } from '@mamori/core';
import { TelescopeScenario, writeCaptureFile } from '@mamori/testbed';
import { parseCountryTable, sourceCountries } from './country-table.js';
import { telescopeMigrations } from '../store/migrations.js';
import { topSources } from '../store/queries.js';
import { ingestCapture } from '../ingest.js';

const FIXTURE = readFileSync(new URL('./fixtures/countries-test.csv', import.meta.url), 'utf8');

describe('parseCountryTable', () => {
  const table = parseCountryTable(FIXTURE);

  it('reads text, decimal and quoted columns, IPv6, and skips unassigned ranges', () => {
    expect(table.ranges).toBe(4);
    expect(table.lookup('1.2.3.4')).toBe('JP');
    expect(table.lookup('100.64.0.1')).toBe('US');
    expect(table.lookup('128.0.0.0')).toBe('DE');
    expect(table.lookup('191.255.255.255')).toBe('DE');
    expect(table.lookup('203.0.113.9')).toBeUndefined();
    expect(table.lookup('2001:db8::1')).toBe('NL');
    expect(table.lookup('not an address')).toBeUndefined();
  });

  it('names the line and field of what it cannot read', () => {
    const at = (text: string) => { try { parseCountryTable(text); return null; } catch (e) { return (e as { code: string; details: Record<string, unknown> }); } };
    expect(at('1.0.0.0,1.0.0.255,JP\n1.0.1.0,1.0.0.0,JP\n')).toMatchObject({ code: 'MAMORI_TELESCOPE_COUNTRY_TABLE', details: { line: 2, field: 'end' } });
    expect(at('1.0.0.0,x,JP')).toMatchObject({ details: { line: 1, field: 'end' } });
    expect(at('1.0.0.0,1.0.0.9,Japan')).toMatchObject({ details: { field: 'country' } });
    expect(at('1.0.0.0;1.0.0.9;JP')).toMatchObject({ details: { field: 'columns' } });
  });

  it('answers a table or a MamoriError for any text, never another exception', () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.tuple(fc.ipV4(), fc.ipV4(), fc.constantFrom('JP', 'us', '-', 'XYZ', '')).map((c) => c.join(',')));
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      try {
        const t = parseCountryTable(lines.join('\n'));
        expect(t.ranges).toBeGreaterThanOrEqual(0);
      } catch (e) {
        expect(isMamoriError(e), String(e)).toBe(true);
      }
    }), { numRuns: 300 });
  });
});

describe.each(testBackends())('sourceCountries on $name', (backend) => {
  it('splits every darknet source of a window between countries and unknown', async () => {
    const platform = await backend.open({ migrations: [telescopeMigrations] });
    const dir = mkdtempSync(join(tmpdir(), 'mamori-geo-'));
    try {
      const scenario = new TelescopeScenario({ seed: 5, startMs: Date.UTC(2026, 10, 1), minutes: 5 });
      writeCaptureFile(join(dir, 'c.pcap'), scenario.frames(), { format: 'pcap' });
      await ingestCapture(platform, join(dir, 'c.pcap'), { darknetSize: scenario.truth.darknetSize, publish: false });
      const w = { sinceMs: scenario.truth.startMs - 60_000, untilMs: scenario.truth.endMs + 60_000 };
      const all = await topSources(platform.store, { ...w, limit: 1_000_000 });
      const table = parseCountryTable(FIXTURE);
      const r = await sourceCountries(platform.store, table, w);
      expect(r.truncated).toBe(false);
      expect(r.countries.reduce((n, c) => n + c.sources, 0) + r.unknown.sources).toBe(all.length);
      expect(r.countries.reduce((n, c) => n + c.packets, 0) + r.unknown.packets).toBe(all.reduce((n, s) => n + s.packets, 0));
      const jp = all.filter((s) => table.lookup(s.src) === 'JP');
      expect(r.countries.find((c) => c.country === 'JP')?.sources ?? 0).toBe(jp.length);
      expect((await sourceCountries(platform.store, table, { ...w, maxSources: 3 })).truncated).toBe(all.length > 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await platform.close();
    }
  }, 60_000);
});
