/**
 * Demo flows: a labelled botnet scenario (testbed) over the last six hours, exported as
 * NetFlow v9 datagrams and fed to the flow collector's decoder, rolled up and searched for
 * C&C candidates by the same pipeline `mamori flows collect` runs.
 */
import { HOUR_MS, MamoriError, type Platform } from '@mamori/core';
import { FlowCollector, FlowPipeline } from '@mamori/flows';
import { botnetScenario, exportStream } from '@mamori/testbed';
import { parseWindow, windowRef, type DemoObject } from './manifest.js';
import { DEMO_LABEL } from './telescope.js';

/** The columns of the flows tables removal reads (the flows part keeps its table types private). */
interface FlowsTables {
  flows_rollup: { bucket_start: number; src: string; dst: string };
  flows_detection_run: { id: string };
  flows_candidate: { run_id: string };
  flows_candidate_host: { run_id: string };
}
const HOURS = 6;
/** A documentation address (RFC 5737) names the demo exporter. */
const EXPORTER = { address: '192.0.2.250', port: 2055 };

export async function demoFlows(platform: Platform, now: number): Promise<{ objects: DemoObject[]; summary: Record<string, number>; cc: string[] }> {
  const start = Math.floor((now - HOURS * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const scenario = botnetScenario({ seed: 11, start, hours: HOURS, hosts: 80 });
  const end = start + (HOURS + 1) * HOUR_MS - 1;
  const pipeline = new FlowPipeline(platform.store);
  const db = platform.store.as<FlowsTables>();
  const hosts = scenario.internal;
  const taken = await db.selectFrom('flows_rollup').select('src').where('bucket_start', '>=', start).where('bucket_start', '<=', end)
    .where((w) => w.or([w('src', 'in', hosts), w('dst', 'in', hosts)])).limit(1).execute();
  if (taken.length) throw new MamoriError('MAMORI_DEMO_OCCUPIED', { part: 'flows', reason: `flows of the demo's hosts already exist after ${new Date(start).toISOString()}` });

  const collector = await FlowCollector.listen({ host: '127.0.0.1', port: 0, onRecords: (records) => pipeline.add(records) });
  try {
    for (const datagram of exportStream(scenario.flows, 9)) collector.receive(datagram, EXPORTER);
  } finally {
    await collector.close();
  }
  await pipeline.flush();
  const { run, result } = await pipeline.detectAndSave({ knownBots: scenario.knownBots, allow: { prefixes: scenario.allowList } }, DEMO_LABEL);
  return {
    objects: [{ kind: 'flows-run', ref: run.id }, { kind: 'flows-window', ref: `${windowRef(start, end)}@${hosts.join(',')}` }],
    summary: { flows: scenario.flows.length, candidates: result.candidates.length },
    cc: result.candidates.slice(0, 3).map((c) => c.address),
  };
}

export async function removeFlows(platform: Platform, objects: DemoObject[]): Promise<void> {
  const db = platform.store.as<FlowsTables>();
  for (const o of objects) {
    if (o.kind === 'flows-run') {
      await db.deleteFrom('flows_candidate_host').where('run_id', '=', o.ref).execute();
      await db.deleteFrom('flows_candidate').where('run_id', '=', o.ref).execute();
      await db.deleteFrom('flows_detection_run').where('id', '=', o.ref).execute();
    } else if (o.kind === 'flows-window') {
      const [range, list] = o.ref.split('@');
      const { start, end } = parseWindow(range);
      const hosts = list.split(',');
      await db.deleteFrom('flows_rollup').where('bucket_start', '>=', start).where('bucket_start', '<=', end)
        .where((w) => w.or([w('src', 'in', hosts), w('dst', 'in', hosts)])).execute();
    }
  }
}
