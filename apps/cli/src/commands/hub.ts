/**
 * `mamori hub ...`: the sharing community from the command line.
 *
 *   mamori hub sectors
 *   mamori hub org add NAME --role ROLE [--sector S]        mamori hub org list
 *   mamori hub group add NAME --kind K [--sector S] [--org ID...]   mamori hub group list
 *   mamori hub user add USERNAME --org ORG --role R[,R] [--email E] [--password-stdin]   mamori hub user list [--org ORG]
 *   mamori hub token create --user U [--scope read,write] [--ttl 90d] [--name N]   mamori hub token list|revoke
 *   mamori hub report submit|list|show|relay|seal ...  (as a user: --token T / MAMORI_HUB_TOKEN, or --as USERNAME)
 *   mamori hub audit verify
 *   mamori hub page list|ack
 *
 * Administration verbs run as the machine's local operator (whoever can open the store);
 * report verbs act as a hub user and see exactly what that user may see.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { MamoriError, parseDuration } from '@mamori/core';
import {
  hubContext, actorOf, LOCAL_OPERATOR, authenticateToken, findUser, principalOf,
  addOrg, listOrgs, addGroup, listGroups, addUser, listUsers, findOrg, listSectors, createToken, listTokens, revokeToken,
  createReport, submitReport, listReports, getReport, listComments, reportReceipts, relayReport, parseFeedQuery, getAttachment,
  verifyAudit, checkpointNow, listPages, ackPage, SEVERITY_SCALE,
  type HubContext, type Principal, type Report, type TokenScope, type Actor,
} from '@mamori/hub';
import { openTrust } from '@mamori/trust';
import { sealAdvisory, type SealedAdvisory } from '@mamori/server';
import { table, type CliContext } from '../context.js';

interface AsOptions {
  token?: string;
  as?: string;
}

const usage = (reason: string): MamoriError => new MamoriError('MAMORI_USAGE', { reason });
const csv = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

async function hubOf(ctx: CliContext): Promise<HubContext> {
  const platform = await ctx.platform();
  return hubContext(platform);
}

/** The user a report verb acts as: a token (`--token` or MAMORI_HUB_TOKEN), or `--as` a named user. */
async function actingUser(hub: HubContext, o: AsOptions): Promise<Principal> {
  const token = o.token ?? process.env.MAMORI_HUB_TOKEN;
  if (token) return authenticateToken(hub, token);
  if (!o.as) throw usage('say who acts: --token T (or MAMORI_HUB_TOKEN) or --as USERNAME');
  const u = await findUser(hub, o.as);
  const scopes: TokenScope[] = u.roles.every((r) => r === 'reader') ? ['read'] : ['read', 'write'];
  return principalOf(hub, u.id, scopes, 'local');
}

const localActor = (p: Principal | null = LOCAL_OPERATOR): Actor => actorOf(p, 'local');

function withAs(cmd: Command): Command {
  return cmd.option('--token <token>', 'act with this API token (default MAMORI_HUB_TOKEN)').option('--as <username>', 'act as this user (operator on the hub machine)');
}

function reportLine(r: Report): Record<string, unknown> {
  return {
    id: r.id, submitted: r.submittedAt ? new Date(r.submittedAt).toISOString().slice(0, 16) : r.status, sector: r.sector,
    sev: r.severity, status: r.status, tlp: r.tlp, title: r.title.length > 60 ? `${r.title.slice(0, 57)}...` : r.title,
  };
}

function reportText(r: Report): string {
  const sev = SEVERITY_SCALE[r.severity];
  return [
    `TLP:${r.tlp}  ${r.id}  v${r.version}`,
    `${r.title}`,
    `sector ${r.sector}  service ${r.affectedService}  cause ${r.cause}  severity ${r.severity} (${sev.name})  status ${r.status}  route ${r.route}${r.anonymised ? '  (anonymised relay)' : ''}`,
    '',
    r.description,
    r.impact ? `\nimpact: ${r.impact}` : '',
    r.timeline.length ? `\ntimeline:\n${r.timeline.map((t) => `  ${new Date(t.at).toISOString()}  ${t.text}`).join('\n')}` : '',
    r.indicators.length ? `\nindicators:\n${r.indicators.map((i) => `  ${i.type}  ${i.value}`).join('\n')}` : '',
  ].join('\n');
}

/** Seals a published advisory with the installation's e-seal; with `outDir`, also writes both attachments there. */
async function sealPublished(ctx: CliContext, h: HubContext, p: Principal, id: string, o: { level?: string; out?: string }): Promise<SealedAdvisory & { written?: string[] }> {
  if (o.level !== undefined && o.level !== 'B' && o.level !== 'T') throw usage('--level is B or T');
  const platform = await ctx.platform();
  const trust = openTrust({ config: platform.config, store: platform.store });
  try {
    const sealed = await sealAdvisory(h, trust, p, localActor(p), id, { level: o.level as 'B' | 'T' | undefined });
    if (!o.out) return sealed;
    mkdirSync(o.out, { recursive: true });
    const written = await Promise.all([sealed.document, sealed.seal].map(async (a) => {
      const file = join(o.out!, a.filename);
      writeFileSync(file, (await getAttachment(h, p, localActor(p), a.id)).content);
      return file;
    }));
    return { ...sealed, written };
  } finally {
    await trust.close();
  }
}

const sealedText = (x: SealedAdvisory & { written?: string[] }): string =>
  `sealed ${x.reportId} (JAdES level ${x.level}): attachments ${x.document.filename} ${x.seal.filename}${x.written ? `\nwritten: ${x.written.join(' ')}  (check: mamori trust verify ${x.written.join(' ')})` : ''}`;

export function registerHub(program: Command, ctx: CliContext): void {
  const hub = program.commands.find((c) => c.name() === 'hub') ?? program.command('hub').description('the sharing hub: community, reports, STIX/TAXII');

  hub.command('sectors').description('the 14 critical-infrastructure sectors').action(async () => {
    ctx.print(await listSectors(await hubOf(ctx)), (rows) => table(rows));
  });

  // ----- organisations and groups -----
  const org = hub.command('org').description('organisations of the community');
  org.command('add <name>')
    .description('add an organisation')
    .requiredOption('--role <role>', 'operator | ceptoar-secretariat | ministry | coordinator | isac | vendor | isp')
    .option('--sector <sector>', 'its sector (see `mamori hub sectors`)')
    .action(async (name: string, o: { role: string; sector?: string }) => {
      const h = await hubOf(ctx);
      ctx.print(await addOrg(h, LOCAL_OPERATOR, localActor(), { name, role: o.role, sector: o.sector }), (r) => `organisation ${r.name} added: ${r.id}`);
    });
  org.command('list').description('list organisations').action(async () => {
    ctx.print(await listOrgs(await hubOf(ctx)), (rows) => table(rows.map((r) => ({ id: r.id, name: r.name, role: r.role, sector: r.sector ?? '' }))));
  });

  const group = hub.command('group').description('sharing groups (a sector, a CEPTOAR, named organisations, the community)');
  group.command('add <name>')
    .requiredOption('--kind <kind>', 'sector | ceptoar | orgs | community')
    .option('--sector <sector>', 'for sector and ceptoar groups')
    .option('--org <org>', 'a member organisation (id or name); repeatable', collect)
    .action(async (name: string, o: { kind: string; sector?: string; org?: string[] }) => {
      const h = await hubOf(ctx);
      const orgIds = await Promise.all((o.org ?? []).map(async (x) => (await findOrg(h, x)).id));
      ctx.print(await addGroup(h, LOCAL_OPERATOR, localActor(), { name, kind: o.kind, sector: o.sector, orgIds }), (g) => `group ${g.name} added: ${g.id} (${g.orgIds.length} organisations)`);
    });
  group.command('list').action(async () => {
    ctx.print(await listGroups(await hubOf(ctx)), (rows) => table(rows.map((g) => ({ id: g.id, name: g.name, kind: g.kind, sector: g.sector ?? '', orgs: g.orgIds.length }))));
  });

  // ----- users and tokens -----
  const user = hub.command('user').description('users of an organisation');
  user.command('add <username>')
    .requiredOption('--org <org>', 'organisation id or name')
    .requiredOption('--role <roles>', 'admin, secretariat, analyst, member, reader (comma-separated)')
    .option('--email <email>', 'e-mail address')
    .option('--display-name <name>', 'name shown to others')
    .option('--password-stdin', 'read a dashboard password (12+ characters) from standard input')
    .action(async (username: string, o: { org: string; role: string; email?: string; displayName?: string; passwordStdin?: boolean }) => {
      const h = await hubOf(ctx);
      const password = o.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
      const u = await addUser(h, LOCAL_OPERATOR, localActor(), { orgId: (await findOrg(h, o.org)).id, username, roles: csv(o.role), email: o.email, displayName: o.displayName, password });
      ctx.print(u, (x) => `user ${x.username} added: ${x.id} (${x.roles.join(', ')})`);
    });
  user.command('list').option('--org <org>', 'only this organisation').action(async (o: { org?: string }) => {
    const h = await hubOf(ctx);
    const users = await listUsers(h, o.org ? (await findOrg(h, o.org)).id : undefined);
    ctx.print(users, (rows) => table(rows.map((u) => ({ id: u.id, username: u.username, org: u.orgId, roles: u.roles.join(','), email: u.email ?? '' }))));
  });

  const token = hub.command('token').description('API tokens (256-bit, stored only as SHA-256 hashes)');
  token.command('create')
    .requiredOption('--user <user>', 'user id or name')
    .option('--scope <scopes>', 'read, write, admin (comma-separated)', 'read')
    .option('--ttl <duration>', 'lifetime such as 90d or 12h; 0 = no expiry')
    .option('--name <name>', 'what the token is for')
    .action(async (o: { user: string; scope: string; ttl?: string; name?: string }) => {
      let ttlMs: number | undefined;
      if (o.ttl !== undefined) {
        ttlMs = o.ttl === '0' ? 0 : parseDuration(o.ttl);
        if (!Number.isFinite(ttlMs)) throw usage(`--ttl ${o.ttl}: use a duration such as 90d, 12h or 0`);
      }
      const h = await hubOf(ctx);
      const r = await createToken(h, LOCAL_OPERATOR, localActor(), { user: o.user, scopes: csv(o.scope), ttlMs, name: o.name });
      ctx.print(r, (x) => `${x.token}\n(shown once; id ${x.info.id}, scopes ${x.info.scopes.join(',')}, expires ${x.info.expiresAt ? new Date(x.info.expiresAt).toISOString() : 'never'})`);
    });
  token.command('list').requiredOption('--user <user>', 'user id or name').action(async (o: { user: string }) => {
    const h = await hubOf(ctx);
    ctx.print(await listTokens(h, LOCAL_OPERATOR, o.user), (rows) => table(rows.map((t) => ({ id: t.id, kind: t.kind, name: t.name, scopes: t.scopes.join(','), expires: t.expiresAt ? new Date(t.expiresAt).toISOString() : 'never', revoked: t.revokedAt ? 'yes' : '' }))));
  });
  token.command('revoke <id>').action(async (id: string) => {
    const h = await hubOf(ctx);
    ctx.print(await revokeToken(h, LOCAL_OPERATOR, localActor(), id), (t) => `token ${t.id} revoked`);
  });

  // ----- reports -----
  const report = hub.command('report').description('incident and IT-failure reports');
  withAs(report.command('submit'))
    .description('submit a report (fields from --file JSON and/or flags)')
    .option('--file <file>', 'JSON with the report fields (sector, affectedService, cause, severity, title, description, tlp, sharing, indicators, timeline, ...)')
    .option('--sector <sector>').option('--service <service>', 'affected service').option('--cause <cause>', 'cyber-attack | failure | disaster | other')
    .option('--severity <n>', '0-5 (see the criteria in `mamori hub report severity`)', (v) => Number(v))
    .option('--title <title>').option('--description <text>').option('--impact <text>')
    .option('--tlp <tlp>', 'CLEAR | GREEN | AMBER | AMBER+STRICT | RED', 'AMBER')
    .option('--route <route>', 'coordinator | secretariat', 'coordinator')
    .option('--share-sector <sector>', 'share with this sector (restricted sharing); repeatable', collect)
    .option('--indicator <type:value>', 'an indicator such as ipv4:192.0.2.1; repeatable', collect)
    .option('--recipient-user <user>', 'a named recipient (needed for RED); repeatable', collect)
    .option('--draft', 'keep it as a draft')
    .option('--seal', "publish it as a sealed advisory: the organisation's e-seal (JAdES level T) attached as advisory.json + advisory.jades.json")
    .action(async (o: AsOptions & Record<string, any>) => {
      const h = await hubOf(ctx);
      const p = await actingUser(h, o);
      let fields: Record<string, unknown> = {};
      if (o.file) {
        try { fields = JSON.parse(readFileSync(o.file, 'utf8')); } catch (e) { throw usage(`--file ${o.file}: ${(e as Error).message}`); }
      }
      const flag = (k: string, v: unknown): void => { if (v !== undefined) fields[k] = v; };
      flag('sector', o.sector); flag('affectedService', o.service); flag('cause', o.cause); flag('severity', o.severity); flag('title', o.title);
      flag('description', o.description); flag('impact', o.impact); if (!o.file || o.tlp !== 'AMBER') flag('tlp', o.tlp); flag('route', o.route);
      if (o.shareSector?.length) fields.sharing = { scope: 'restricted', sectors: o.shareSector };
      if (o.indicator?.length) fields.indicators = (o.indicator as string[]).map((s) => { const i = s.indexOf(':'); if (i < 1) throw usage(`--indicator ${s}: use type:value`); return { type: s.slice(0, i), value: s.slice(i + 1) }; });
      if (o.recipientUser?.length) fields.recipients = { userIds: await Promise.all((o.recipientUser as string[]).map(async (u) => (await findUser(h, u)).id)) };
      fields.submit = !o.draft;
      if (o.seal && o.draft) throw usage('--seal publishes: it cannot be combined with --draft');
      const r = await createReport(h, p, localActor(p), fields);
      const sealed = o.seal ? await sealPublished(ctx, h, p, r.id, {}) : undefined;
      ctx.print({ ...r, sealed }, (x) => `report ${x.id} ${x.status}${x.status === 'submitted' ? ` to ${x.recipients.orgIds?.length ?? 0} organisation(s) via ${x.route}` : ''}${x.sealed ? `\n${sealedText(x.sealed)}` : ''}`);
    });
  withAs(report.command('send <id>')).description('submit a draft').action(async (id: string, o: AsOptions) => {
    const h = await hubOf(ctx);
    const p = await actingUser(h, o);
    ctx.print(await submitReport(h, p, localActor(p), id), (x) => `report ${x.id} submitted`);
  });
  withAs(report.command('list'))
    .description('the reports you may read, newest first')
    .option('--sector <sector>').option('--min-severity <n>').option('--status <status>').option('--q <text>', 'text search').option('--indicator <value>', 'indicator search')
    .option('--limit <n>', 'page size (max 200)', '50').option('--cursor <cursor>', 'from a previous page')
    .action(async (o: AsOptions & { sector?: string; minSeverity?: string; status?: string; q?: string; indicator?: string; limit: string; cursor?: string }) => {
      const h = await hubOf(ctx);
      const p = await actingUser(h, o);
      const q = parseFeedQuery({ sector: o.sector, minSeverity: o.minSeverity, status: o.status, q: o.q, indicator: o.indicator, limit: o.limit, cursor: o.cursor });
      const page = await listReports(h, p, localActor(p), q, o.q || o.indicator ? 'search' : 'feed');
      ctx.print(page, (pg) => `${table(pg.items.map(reportLine))}${pg.next ? `\n(more: --cursor ${pg.next})` : ''}`);
    });
  withAs(report.command('show <id>'))
    .description('one report with its comments (and receipts for the reporter)')
    .action(async (id: string, o: AsOptions) => {
      const h = await hubOf(ctx);
      const p = await actingUser(h, o);
      const r = await getReport(h, p, localActor(p), id);
      const comments = await listComments(h, p, localActor(p), id);
      const receipts = p.orgId === r.ownerOrgId ? await reportReceipts(h, p, localActor(p), id) : undefined;
      ctx.print({ report: r, comments, receipts }, (x) => [
        reportText(x.report),
        x.comments.length ? `\ncomments:\n${x.comments.map((cm) => `  [TLP:${cm.tlp}] ${new Date(cm.createdAt).toISOString()}  ${cm.body}`).join('\n')}` : '',
        x.receipts ? `\nreceived by:\n${table(x.receipts.map((rc) => ({ at: new Date(rc.at).toISOString(), organisation: rc.recipientOrgName, via: rc.via, delivered: rc.deliveredReportId, sha256: rc.contentSha256.slice(0, 16) })))}` : '',
      ].join('\n'));
    });
  withAs(report.command('relay <id>'))
    .description('relay a report onwards, anonymised (sector secretariat): review and edit the free text first')
    .option('--to-org <org>', 'recipient organisation (id or name); repeatable', collect)
    .option('--to-sector <sector>', 'recipient sector; repeatable', collect)
    .option('--title <title>').option('--description <text>').option('--impact <text>')
    .option('--tlp <tlp>', 'at least as strict as the original')
    .option('--keep-identity', 'do not anonymise (only with the reporter\'s consent)')
    .option('--reviewed', 'confirm the free text was reviewed for identifying details')
    .action(async (id: string, o: AsOptions & { toOrg?: string[]; toSector?: string[]; title?: string; description?: string; impact?: string; tlp?: string; keepIdentity?: boolean; reviewed?: boolean }) => {
      const h = await hubOf(ctx);
      const p = await actingUser(h, o);
      const orgIds = await Promise.all((o.toOrg ?? []).map(async (x) => (await findOrg(h, x)).id));
      const r = await relayReport(h, p, localActor(p), id, { reviewed: o.reviewed === true, title: o.title, description: o.description, impact: o.impact, tlp: o.tlp, anonymise: !o.keepIdentity, to: { orgIds, sectors: o.toSector ?? [] } });
      ctx.print(r, (x) => `relayed as ${x.relayed.id} (TLP:${x.relayed.tlp}${x.relayed.anonymised ? ', anonymised' : ''}); original now ${x.source.status}`);
    });
  withAs(report.command('seal <id>'))
    .description("seal a published advisory with the organisation's e-seal (admin or secretariat of the publishing organisation)")
    .option('--level <level>', 'B (seal only) or T (seal + RFC 3161 time stamp)', 'T')
    .option('--out <dir>', 'also write advisory.json and advisory.jades.json here')
    .action(async (id: string, o: AsOptions & { level: string; out?: string }) => {
      const h = await hubOf(ctx);
      ctx.print(await sealPublished(ctx, h, await actingUser(h, o), id, o), sealedText);
    });
  report.command('severity').description('the severity scale and its criteria').action(() => {
    ctx.print(SEVERITY_SCALE, (rows) => rows.map((s) => `${s.level} ${s.name} (${s.nameJa}): ${s.criteria}`).join('\n'));
  });

  // ----- audit -----
  const audit = hub.command('audit').description('the append-only, hash-chained audit log');
  audit.command('verify')
    .description('check every link of the chain and every checkpoint time stamp; exit 1 on any fault')
    .option('--no-stamp', 'do not time-stamp a checkpoint at the head first')
    .action(async (o: { stamp: boolean }) => {
      const platform = await ctx.platform();
      const hubCfg = (platform.config.hub ?? {}) as { audit?: { timeStamp?: boolean } };
      const trust = hubCfg.audit?.timeStamp === false ? null : openTrust({ config: platform.config, store: platform.store });
      const h = hubContext(platform, {
        stampCheckpoint: trust ? async (hash) => ({ kind: 'rfc3161', token: Buffer.from(await trust.stampDigest(Buffer.from(hash, 'hex'), 'sha256')).toString('base64') }) : undefined,
      });
      try {
        if (o.stamp) await checkpointNow(h).catch((e) => ctx.note(`checkpoint not time-stamped: ${(e as Error).message}`));
        const v = await verifyAudit(h, {
          verifyStamp: trust ? async (hash, kind, tok) => kind === 'rfc3161' && trust.verifyStampToken(Buffer.from(tok, 'base64'), { digest: { algorithm: 'sha256', value: Buffer.from(hash, 'hex') } }).valid : undefined,
        });
        ctx.print(v, (x) => x.ok
          ? `audit log intact: ${x.entries} entries, ${x.checkpoints} checkpoints (${x.stampedCheckpoints} time-stamped), head ${x.head?.hash.slice(0, 16) ?? '(empty)'}`
          : `AUDIT LOG BROKEN at entry ${x.fault!.seq}: ${x.fault!.reason}`);
        if (!v.ok) process.exitCode = 1;
      } finally {
        await trust?.close();
      }
    });

  // ----- paging -----
  const pageCmd = hub.command('page').description('pages of the coordinator\'s on-call list');
  withAs(pageCmd.command('list')).option('--status <status>', 'open | acked | exhausted').action(async (o: AsOptions & { status?: string }) => {
    const h = await hubOf(ctx);
    const p = await actingUser(h, o);
    ctx.print(await listPages(h, p, o.status), (rows) => table(rows.map((x) => ({ id: x.id, report: x.reportId, level: x.level, status: x.status, opened: new Date(x.openedAt).toISOString() }))));
  });
  withAs(pageCmd.command('ack <id>')).action(async (id: string, o: AsOptions) => {
    const h = await hubOf(ctx);
    const p = await actingUser(h, o);
    await ackPage(h, p, localActor(p), id);
    ctx.print({ id, status: 'acked' }, () => `page ${id} acknowledged`);
  });
}
