/**
 * Demo darknet: a generated capture with known ground truth (testbed), written as a pcap
 * file and analysed by the telescope's own ingest — the path `mamori telescope ingest` takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINUTE_MS, MamoriError, type Platform } from '@mamori/core';
import { ingestCapture, type TelescopeTables } from '@mamori/telescope';
import { TelescopeScenario, writeCaptureFile } from '@mamori/testbed';
import { parseWindow, windowRef, type DemoObject } from './manifest.js';

export const DEMO_LABEL = 'mamori demo';
const MINUTES = 45;

/** The telescope tables keyed by an interval start, and the one keyed by a time range. */
const BUCKET_TABLES = ['telescope_intervals', 'telescope_port_rollups', 'telescope_source_rollups', 'telescope_alerts'] as const;

export async function demoTelescope(platform: Platform, now: number): Promise<{ objects: DemoObject[]; summary: Record<string, number> }> {
  const start = Math.floor((now - (MINUTES + 5) * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  const end = start + (MINUTES + 1) * MINUTE_MS - 1;
  const db = platform.store.as<TelescopeTables>();
  // Removal deletes the demo's window, so the window must hold nothing else.
  const taken = await db.selectFrom('telescope_intervals').select('bucket_ms').where('bucket_ms', '>=', start).where('bucket_ms', '<=', end).limit(1).execute();
  if (taken.length) throw new MamoriError('MAMORI_DEMO_OCCUPIED', { part: 'telescope', reason: `darknet data already exists between ${new Date(start).toISOString()} and ${new Date(end).toISOString()}` });

  const scenario = new TelescopeScenario({ seed: 2026, startMs: start, minutes: MINUTES, campaign: { port: 5555, baselineSources: 2, burstSources: 40, atMinute: 35 } });
  const dir = mkdtempSync(join(tmpdir(), 'mamori-demo-'));
  try {
    const file = join(dir, 'demo-darknet.pcap');
    writeCaptureFile(file, scenario.frames(), { format: 'pcap' });
    const report = await ingestCapture(platform, file, { darknetSize: scenario.truth.darknetSize, label: DEMO_LABEL });
    const ingest = await db.selectFrom('telescope_ingests').select('id').where('source', '=', DEMO_LABEL).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return {
      objects: [{ kind: 'telescope-window', ref: windowRef(start, end) }, ...(ingest ? [{ kind: 'telescope-ingest' as const, ref: String(ingest.id) }] : [])],
      summary: { packets: report.packets, victims: report.victims, alerts: report.alerts, infected: report.infected },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function removeTelescope(platform: Platform, objects: DemoObject[]): Promise<void> {
  const db = platform.store.as<TelescopeTables>();
  for (const o of objects) {
    if (o.kind === 'telescope-ingest') await db.deleteFrom('telescope_ingests').where('id', '=', Number(o.ref)).execute();
    if (o.kind !== 'telescope-window') continue;
    const { start, end } = parseWindow(o.ref);
    for (const t of BUCKET_TABLES) await db.deleteFrom(t).where('bucket_ms', '>=', start).where('bucket_ms', '<=', end).execute();
    await db.deleteFrom('telescope_victims').where('first_ms', '>=', start).where('first_ms', '<=', end).execute();
    await db.deleteFrom('telescope_infected').where('first_ms', '>=', start).where('first_ms', '<=', end).execute();
  }
}
