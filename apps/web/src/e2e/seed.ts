/**
 * Seeds the e2e server through the parts' public APIs, for the parts that are present:
 * nothing is written into tables directly, so the test sees what a real deployment would.
 */
import { join } from 'node:path';
import type { MigrationSet, Platform } from '@mamori/core';
import * as flows from '@mamori/flows';
import * as hub from '@mamori/hub';
import { migrationSets } from '@mamori/server';
import * as supply from '@mamori/supply';
import * as telescope from '@mamori/telescope';
import * as trust from '@mamori/trust';
import { LODASH_OSV, ROUTER_SBOM_XML, TelescopeScenario, WEBUI_CRITICAL_OSV, botnetScenario, exportStream, writeCaptureFile } from '@mamori/testbed';

export interface Seeded {
  /** A hub user who can sign in (password, or the API token when no login route is served). */
  user?: { username: string; password: string; displayName: string; orgName: string; token: string };
  /** Title of a report an operator sent through the secretariat, waiting for relay. */
  relayable?: string;
  telescope?: { packets: number; victims: number; alerts: number };
  /** One detection run over a generated botnet's flows of the last hours. */
  flows?: { strong: number; hosts: number; beaconingHosts: number };
  /** One listed product whose SBOM has two known vulnerabilities, one critical (its advisory sent). */
  supply?: { listed: number; openVulns: number; criticalOpen: number; advisories: number };
  /** The trust root the server's TSA chains to, when trust keys were made. */
  trustRoot?: trust.Certificate;
  notes: string[];
}

const has = (part: string) => migrationSets.some((m) => m.part === part);

/**
 * The hub's community tables back every route's bearer authentication; until the server
 * registers them itself, the e2e platform adds them so routes that call `hubAuth` work.
 */
export function e2eMigrations(): MigrationSet[] {
  return has('hub') ? migrationSets : [hub.hubMigrations, ...migrationSets];
}

export async function seed(platform: Platform, dataDir: string): Promise<Seeded> {
  const notes: string[] = [];
  const out: Seeded = { notes };

  const ctx = hub.hubContext(platform);
  const actor = hub.actorOf(hub.LOCAL_OPERATOR, '127.0.0.1');
  await hub.addOrg(ctx, hub.LOCAL_OPERATOR, actor, { name: '内閣サイバーセキュリティセンター', role: 'coordinator' });
  const org = await hub.addOrg(ctx, hub.LOCAL_OPERATOR, actor, { name: '電力 CEPTOAR 事務局', sector: 'electric-power', role: 'ceptoar-secretariat' });
  const password = 'correct horse battery staple';
  const user = await hub.addUser(ctx, hub.LOCAL_OPERATOR, actor, { orgId: org.id, username: 'secretariat1', displayName: '山田 花子', roles: ['secretariat', 'analyst'], password });
  const { token } = await hub.createToken(ctx, hub.LOCAL_OPERATOR, actor, { user: user.id, name: 'e2e', scopes: ['read', 'write'] });
  out.user = { username: 'secretariat1', password, displayName: '山田 花子', orgName: org.name, token };
  // An operator in the same sector reports through its secretariat: the secretariat relays it.
  const operator = await hub.addOrg(ctx, hub.LOCAL_OPERATOR, actor, { name: '関東電力株式会社', sector: 'electric-power', role: 'operator' });
  const member = await hub.addUser(ctx, hub.LOCAL_OPERATOR, actor, { orgId: operator.id, username: 'operator1', roles: ['member'], password });
  const reporter = await hub.principalOf(ctx, member.id, ['read', 'write'], 'token');
  const relayable = await hub.createReport(ctx, reporter, hub.actorOf(reporter, '127.0.0.1'), {
    title: '制御系ネットワークへの不審なスキャン', description: '変電所の監視系セグメントで外部からの連続したスキャンを検知した。', sector: 'electric-power',
    affectedService: '送配電監視', cause: 'cyber-attack', severity: 2, tlp: 'AMBER', route: 'secretariat', submit: true,
  } as Parameters<typeof hub.createReport>[3]);
  out.relayable = relayable.title;
  notes.push('hub: a CEPTOAR secretariat (user secretariat1: secretariat, analyst) and an operator whose report waits for relay');

  if (has('trust')) {
    // `mamori trust init` through its function: a root, a TSA and an e-seal certificate.
    const keys = await trust.initTrust({ dir: trust.trustConfig(platform.config).dir, organisation: 'mamori e2e' });
    out.trustRoot = keys.root;
    notes.push('trust: keys and certificates made (root, TSA, e-seal)');
  }

  if (has('telescope')) {
    // A generated darknet capture with known ground truth, through the real ingest path.
    const scenario = new TelescopeScenario({ seed: 11, startMs: Date.now() - 40 * 60_000, minutes: 30 });
    const file = join(dataDir, 'e2e-darknet.pcap');
    writeCaptureFile(file, scenario.frames(), { format: 'pcap' });
    const report = await telescope.ingestCapture(platform, file, { darknetSize: scenario.truth.darknetSize, label: 'e2e' });
    out.telescope = { packets: report.packets, victims: report.victims, alerts: report.alerts };
    notes.push(`telescope: ${report.packets} packets ingested, ${report.victims} victims, ${report.alerts} alerts`);
  }
  if (has('flows')) {
    // NetFlow v9 from a labelled botnet scenario, decoded, rolled up and searched as `mamori flows collect` does.
    const scenario = botnetScenario({ seed: 21, start: Math.floor((Date.now() - 4 * 3_600_000) / 3_600_000) * 3_600_000, hours: 3, hosts: 50 });
    const session = new flows.ExporterSession('192.0.2.251:2055');
    const records: flows.FlowRecord[] = [];
    for (const datagram of exportStream(scenario.flows, 9)) flows.decodePacket(datagram, session, records);
    const pipeline = new flows.FlowPipeline(platform.store);
    pipeline.add(records);
    await pipeline.flush([{ exporter: session.key, counters: session.counters }]);
    await pipeline.detectAndSave({ knownBots: scenario.knownBots, allow: { prefixes: scenario.allowList } }, 'e2e');
    const sum = await new flows.FlowsStore(platform.store).summary({ from: 0, to: Number.MAX_SAFE_INTEGER });
    out.flows = { strong: sum.strong, hosts: sum.hosts, beaconingHosts: sum.beaconingHosts };
    notes.push(`flows: ${records.length} records, ${sum.candidates} candidates ranked, ${sum.strong} strong, contacted by ${sum.hosts} hosts`);
  }

  if (has('supply')) {
    // The secretariat's list: one router assessed, its SBOM attached, vulnerability data that hits it.
    const now = Date.now();
    await supply.putCriteria(platform.store, { version: 'e2e-1', title: 'IoT baseline', publishedAt: now, criteria: [{ id: 'no-default-password', title: 'No default password', required: true }] });
    await supply.saveVulns(platform.store, [LODASH_OSV, WEBUI_CRITICAL_OSV].map((r) => supply.parseOsvRecord(r)));
    const router = await supply.addProduct(platform.store, {
      manufacturer: 'Example Networks', model: 'AX-3000', assessor: 'lab 3', criteriaVersion: 'e2e-1', criteriaMet: ['no-default-password'],
      assessedAt: now, expiresAt: now + 365 * 86_400_000, versions: ['2.1'],
    }, 'e2e');
    const stored = await supply.saveSbom(platform.store, supply.readSbom(ROUTER_SBOM_XML));
    await supply.attachSbom(platform.store, router.id, stored.id, 'e2e');
    await supply.publishNewAdvisories(platform.store, platform.bus);
    const sum = await supply.listSummary(platform.store, { from: 0, to: Date.now() + 1 });
    out.supply = { listed: sum.listed, openVulns: sum.openVulns, criticalOpen: sum.criticalOpen, advisories: sum.advisories };
    notes.push(`supply: ${sum.listed} listed product, ${sum.openVulns} open vulnerabilities (${sum.criticalOpen} critical)`);
  }
  return out;
}
