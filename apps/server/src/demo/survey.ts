/**
 * Demo survey: a small emulated device farm (testbed) on its own loopback addresses, swept
 * by the survey scheduler inside a scope that is exactly the farm, attributed to two demo
 * ISPs; one ISP is notified, some owners "fix" their devices, and a re-survey measures it.
 */
import { MamoriError, formatPrefix, type Platform } from '@mamori/core';
import {
  SurveyScope, defaultDictionary, parseIp2Asn, parseIspMap, prepareBatch, recordRun, runSurvey, setBatchState, type SurveyTables,
} from '@mamori/survey';
import { planFarm, startFarm, type DeviceSpec } from '@mamori/testbed';
import type { DemoObject } from './manifest.js';

/**
 * The farm's block is 127.<farmNet>.0.0/27 (default 201, far from the ones tests use);
 * `[demo] farmNet` (MAMORI_DEMO__FARM_NET) moves it where 201 is taken.
 */
function farmNet(platform: Platform): number {
  const v = (platform.config as { demo?: { farmNet?: unknown } }).demo?.farmNet ?? 201;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 254) throw new MamoriError('MAMORI_CONFIG_INVALID', { field: 'demo.farmNet', reason: 'must be an integer in 1..254' });
  return v;
}
const PORTS = { telnetPort: 12323, httpPort: 18080, sshPort: 12222 };
export const DEMO_ISPS = ['[demo] 東日本ネット', '[demo] 西日本ブロードバンド'];
const FAST = { bannerMs: 800, replyMs: 2000 };

export async function demoSurvey(platform: Platform): Promise<{ objects: DemoObject[]; summary: Record<string, number> }> {
  const NET = farmNet(platform);
  const dict = defaultDictionary();
  const devices: DeviceSpec[] = planFarm({ net: NET, telnet: 10, http: 6, ssh: 2, weakShare: 0.5, dictionary: dict.pairs, ...PORTS });
  const scope = SurveyScope.fromText(`127.${NET}.0.0/27\n`);
  // Two ISPs split the farm's block (ip2asn TSV, as `--ip2asn` reads it).
  const who = parseIp2Asn(
    `127.${NET}.0.0\t127.${NET}.0.15\t64601\tJP\tDEMO-EAST\n127.${NET}.0.16\t127.${NET}.0.31\t64602\tJP\tDEMO-WEST\n`,
    parseIspMap(`64601\t${DEMO_ISPS[0]}\n64602\t${DEMO_ISPS[1]}\n`),
  );
  const ports = [PORTS.telnetPort, PORTS.httpPort, PORTS.sshPort];
  const farm = await startFarm(devices);
  try {
    const first = await runSurvey({ scope, ports, pairs: dict.pairs, timeouts: FAST, limits: { globalRate: 500 } });
    const stored = await recordRun(platform.store, first, { kind: 'survey', attribution: who, scope: scope.includePrefixes.map(formatPrefix) });
    const db = platform.store.as<SurveyTables>();
    const findings = await db.selectFrom('survey_observation').select('finding_id').where('run_id', '=', first.runId).execute();

    const batches: string[] = [];
    const east = await prepareBatch(platform.store, DEMO_ISPS[0]);
    if (east) {
      batches.push(east.id);
      await setBatchState(platform.store, east.id, 'sent');
    }
    const west = await prepareBatch(platform.store, DEMO_ISPS[1]);
    if (west) batches.push(west.id);

    // After the notice, half of the notified owners change the password; the re-survey sees it.
    const weak = new Set(first.findings.map((f) => f.address));
    devices.filter((d) => weak.has(d.address)).forEach((d, i) => {
      if (i % 2 === 0) d.credentials = [{ username: 'admin', password: 'changed-after-notice-7Hq2' }];
    });
    const targets = first.findings.map((f) => ({ address: f.address, port: f.port }));
    const again = await runSurvey({ scope, ports, pairs: dict.pairs, targets, timeouts: FAST, limits: { globalRate: 500 } });
    const resurvey = await recordRun(platform.store, again, { kind: 'resurvey', attribution: who, scope: scope.includePrefixes.map(formatPrefix) });
    return {
      objects: [
        { kind: 'survey-run', ref: first.runId }, { kind: 'survey-run', ref: again.runId },
        ...[...new Set(findings.map((f) => Number(f.finding_id)))].map((id) => ({ kind: 'survey-finding' as const, ref: String(id) })),
        ...batches.map((id) => ({ kind: 'survey-batch' as const, ref: id })),
      ],
      summary: { devices: devices.length, findings: stored.newFindings + stored.stillWeak, fixed: resurvey.fixed, batches: batches.length },
    };
  } finally {
    await farm.close();
  }
}

export async function removeSurvey(platform: Platform, objects: DemoObject[]): Promise<void> {
  const db = platform.store.as<SurveyTables>();
  const refs = (kind: DemoObject['kind']) => objects.filter((o) => o.kind === kind).map((o) => o.ref);
  const batches = refs('survey-batch');
  const runs = refs('survey-run');
  const findings = refs('survey-finding').map(Number);
  if (batches.length) {
    await db.deleteFrom('survey_batch_item').where('batch_id', 'in', batches).execute();
    await db.deleteFrom('survey_batch').where('id', 'in', batches).execute();
  }
  if (findings.length) {
    await db.deleteFrom('survey_observation').where('finding_id', 'in', findings).execute();
    await db.deleteFrom('survey_batch_item').where('finding_id', 'in', findings).execute();
    await db.deleteFrom('survey_finding').where('id', 'in', findings).execute();
  }
  if (runs.length) {
    await db.deleteFrom('survey_observation').where('run_id', 'in', runs).execute();
    await db.deleteFrom('survey_run').where('id', 'in', runs).execute();
  }
}
