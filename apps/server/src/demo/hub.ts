/**
 * Demo community: a coordinator, a sector secretariat and two operators with their users,
 * made through the hub's own services (so every write is audited as usual). Operators
 * report, the secretariat relays, and the coordinator publishes an advisory naming the
 * C&C servers the demo flows found, sealed by trust and attached to the advisory.
 */
import { randomBytes } from 'node:crypto';
import type { Platform } from '@mamori/core';
import * as hub from '@mamori/hub';
import type { DemoObject } from './manifest.js';
import { sealDocument } from './trust.js';

export interface DemoUser {
  username: string;
  password: string;
  roles: hub.UserRole[];
  org: string;
}

type NewUser = Omit<DemoUser, 'password' | 'org'> & { displayName: string };

export async function demoHub(platform: Platform, cc: string[]): Promise<{ objects: DemoObject[]; users: DemoUser[]; summary: Record<string, number> }> {
  const ctx = hub.hubContext(platform);
  const root = hub.LOCAL_OPERATOR;
  const actor = hub.actorOf(root, '127.0.0.1');
  const objects: DemoObject[] = [];
  const users: DemoUser[] = [];

  const org = async (name: string, role: hub.OrgRole, sector?: hub.SectorId) => {
    const o = await hub.addOrg(ctx, root, actor, { name: `[demo] ${name}`, role, sector });
    objects.push({ kind: 'hub-org', ref: o.id });
    return o;
  };
  const user = async (orgId: string, orgName: string, u: NewUser) => {
    const password = randomBytes(12).toString('base64url');
    const made = await hub.addUser(ctx, root, actor, { orgId, username: u.username, displayName: u.displayName, roles: u.roles, password });
    objects.push({ kind: 'hub-user', ref: made.id });
    users.push({ username: u.username, password, roles: u.roles, org: orgName });
    const p = await hub.principalOf(ctx, made.id, ['read', 'write'], 'token');
    return { p, a: hub.actorOf(p, '127.0.0.1') };
  };
  const report = async (who: { p: hub.Principal; a: hub.Actor }, input: hub.NewReport) => {
    const r = await hub.createReport(ctx, who.p, who.a, { ...input, submit: true });
    objects.push({ kind: 'hub-report', ref: r.id });
    return r;
  };

  const nisc = await org('内閣サイバーセキュリティセンター', 'coordinator');
  const ceptoar = await org('電力 CEPTOAR 事務局', 'ceptoar-secretariat', 'electric-power');
  const power = await org('関東電力株式会社', 'operator', 'electric-power');
  const rail = await org('首都圏鉄道株式会社', 'operator', 'railways');
  const admin = await user(nisc.id, nisc.name, { username: 'demo-admin', displayName: 'デモ 管理者', roles: ['admin', 'analyst'] });
  const secretariat = await user(ceptoar.id, ceptoar.name, { username: 'demo-secretariat', displayName: 'デモ 事務局', roles: ['secretariat', 'analyst'] });
  const operator = await user(power.id, power.name, { username: 'demo-operator', displayName: 'デモ 電力 担当', roles: ['member'] });
  const railway = await user(rail.id, rail.name, { username: 'demo-railway', displayName: 'デモ 鉄道 担当', roles: ['member'] });

  const scan = await report(operator, {
    title: '[demo] 制御系ネットワークへの不審なスキャン', sector: 'electric-power', affectedService: '送配電監視', cause: 'cyber-attack', severity: 2, tlp: 'AMBER',
    description: '変電所の監視系セグメントで外部からの連続した Telnet スキャンを検知した。', route: 'secretariat',
  });
  await report(railway, {
    title: '[demo] 運行管理システムの一部停止', sector: 'railways', affectedService: '運行管理', cause: 'failure', severity: 3, tlp: 'GREEN',
    description: '運行管理サーバーの障害により 40 分間手動運用となった。攻撃の痕跡は確認されていない。',
  });
  const { relayed } = await hub.relayReport(ctx, secretariat.p, secretariat.a, scan.id, { reviewed: true, to: { orgIds: [nisc.id], sectors: ['electric-power'] } });
  objects.push({ kind: 'hub-report', ref: relayed.id });

  const advisory = await report(admin, {
    title: '[demo] 注意喚起: IoT 機器の初期パスワードを悪用するボットネット', sector: 'info-comm', affectedService: '重要インフラ全般', cause: 'cyber-attack', severity: 1, tlp: 'CLEAR',
    description: 'ダークネット観測で Telnet (23/tcp) へのスキャンが増加している。初期パスワードのままの機器はパスワードを変更し、下記の C&C サーバーへの通信を確認すること。',
    indicators: cc.slice(0, 5).map((value) => ({ type: 'ipv4', value })),
  });
  const sealed = await sealDocument(platform, { type: 'mamori-advisory', id: advisory.id, title: advisory.title, description: advisory.description, indicators: advisory.indicators, tlp: advisory.tlp, issuedAt: new Date(advisory.createdAt).toISOString() });
  await hub.addAttachment(ctx, admin.p, admin.a, advisory.id, { filename: 'advisory.jades.json', mediaType: 'application/jose+json', content: Buffer.from(JSON.stringify(sealed)) });
  return { objects, users, summary: { organisations: 4, users: users.length, reports: objects.filter((o) => o.kind === 'hub-report').length } };
}

/** Removes the demo's reports (with everything hanging off them), users and organisations. Audit entries stay: the log is append-only. */
export async function removeHub(platform: Platform, objects: DemoObject[]): Promise<void> {
  const db = platform.store.as<hub.HubTables>();
  const refs = (kind: DemoObject['kind']) => objects.filter((o) => o.kind === kind).map((o) => o.ref);
  const reports = refs('hub-report');
  const users = refs('hub-user');
  const orgs = refs('hub-org');
  if (reports.length) {
    const seqs = (await db.selectFrom('hub_report').select('seq').where('id', 'in', reports).execute()).map((r) => r.seq);
    if (seqs.length) {
      await db.deleteFrom('hub_report_audience').where('report_seq', 'in', seqs).execute();
      await db.deleteFrom('hub_indicator').where('report_seq', 'in', seqs).execute();
    }
    for (const t of ['hub_report_history', 'hub_receipt', 'hub_comment', 'hub_attachment', 'hub_outbox', 'hub_page'] as const) {
      await db.deleteFrom(t).where('report_id', 'in', reports).execute();
    }
    await db.deleteFrom('hub_relay').where((w) => w.or([w('source_report_id', 'in', reports), w('relayed_report_id', 'in', reports)])).execute();
    await db.deleteFrom('hub_report').where('id', 'in', reports).execute();
  }
  if (users.length) {
    for (const t of ['hub_token', 'hub_subscription', 'hub_oncall'] as const) await db.deleteFrom(t).where('user_id', 'in', users).execute();
    await db.deleteFrom('hub_user').where('id', 'in', users).execute();
  }
  if (orgs.length) {
    await db.deleteFrom('hub_group_member').where('org_id', 'in', orgs).execute();
    // Receipts of later reports delivered to a demo organisation go with it.
    await db.deleteFrom('hub_receipt').where('recipient_org_id', 'in', orgs).execute();
    await db.deleteFrom('hub_org').where('id', 'in', orgs).execute();
  }
}
