/**
 * Organisations, sharing groups and users: the community's membership. Writes are audited;
 * listing members needs no TLP (membership is not shared material) but does need a principal.
 */
import { MamoriError } from '@mamori/core';
import { can, type Principal } from '../access/policy.js';
import { audited, type Actor } from '../audit/log.js';
import { hashPassword } from '../auth/secrets.js';
import type { HubContext } from '../context.js';
import { isSectorId, ORG_ROLES, USER_ROLES, type OrgRole, type SectorId, type UserRole } from './sectors.js';
import { email, fail, list, oneOf, text, username as checkUsername } from './validate.js';

export interface Organisation {
  id: string;
  name: string;
  sector: SectorId | null;
  role: OrgRole;
  createdAt: number;
}

export interface SharingGroup {
  id: string;
  name: string;
  kind: 'sector' | 'ceptoar' | 'orgs' | 'community';
  sector: SectorId | null;
  orgIds: string[];
}

export interface User {
  id: string;
  orgId: string;
  username: string;
  displayName: string;
  email: string | null;
  roles: UserRole[];
  disabled: boolean;
  createdAt: number;
}

function requireManage(p: Principal, action: 'manage-orgs' | 'manage-users', orgId?: string): void {
  if (!can(p, action, { orgId })) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: action === 'manage-orgs' ? 'only the coordinator\'s admins add organisations and groups' : 'only an admin of that organisation (or the coordinator) manages its users' });
}

function sector(value: unknown, field: string): SectorId {
  if (!isSectorId(value)) fail(field, 'must be one of the 14 sector ids (see `mamori hub sectors`)');
  return value;
}

function uniqueViolation(e: unknown): boolean {
  const m = String((e as Error)?.message ?? '');
  return /unique|duplicate key/i.test(m);
}

export async function addOrg(hub: HubContext, p: Principal, actor: Actor, input: { name: unknown; sector?: unknown; role: unknown }): Promise<Organisation> {
  requireManage(p, 'manage-orgs');
  const role = oneOf(input.role, 'role', ORG_ROLES);
  const org: Organisation = {
    id: hub.newId(),
    name: text(input.name, 'name', { min: 1, max: 200 }),
    sector: input.sector === undefined || input.sector === null ? null : sector(input.sector, 'sector'),
    role,
    createdAt: hub.now(),
  };
  if ((role === 'operator' || role === 'ceptoar-secretariat') && !org.sector) fail('sector', `an organisation with role ${role} belongs to a sector`);
  try {
    await audited(hub, actor, { action: 'org.add', objectType: 'org', objectId: org.id, detail: { name: org.name, sector: org.sector, role } }, (trx) =>
      trx.insertInto('hub_org').values({ id: org.id, name: org.name, sector: org.sector, role, created_at: org.createdAt }).execute());
  } catch (e) {
    if (uniqueViolation(e)) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `an organisation named ${org.name} exists` });
    throw e;
  }
  return org;
}

const toOrg = (r: { id: string; name: string; sector: string | null; role: string; created_at: number }): Organisation =>
  ({ id: r.id, name: r.name, sector: r.sector as SectorId | null, role: r.role as OrgRole, createdAt: Number(r.created_at) });

export async function listOrgs(hub: HubContext): Promise<Organisation[]> {
  return (await hub.db.selectFrom('hub_org').selectAll().orderBy('name').execute()).map(toOrg);
}

/** By id or exact name. */
export async function findOrg(hub: HubContext, idOrName: string): Promise<Organisation> {
  const row = await hub.db.selectFrom('hub_org').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'organisation', id: idOrName });
  return toOrg(row);
}

export async function listSectors(hub: HubContext): Promise<{ id: SectorId; nameJa: string; nameEn: string }[]> {
  const rows = await hub.db.selectFrom('hub_sector').selectAll().execute();
  return rows.map((r) => ({ id: r.id as SectorId, nameJa: r.name_ja, nameEn: r.name_en }));
}

export async function addGroup(hub: HubContext, p: Principal, actor: Actor, input: { name: unknown; kind: unknown; sector?: unknown; orgIds?: unknown }): Promise<SharingGroup> {
  requireManage(p, 'manage-orgs');
  const kind = oneOf(input.kind, 'kind', ['sector', 'ceptoar', 'orgs', 'community'] as const);
  const name = text(input.name, 'name', { min: 1, max: 200 });
  const sec = kind === 'sector' || kind === 'ceptoar' ? sector(input.sector, 'sector') : null;
  let orgIds = list(input.orgIds, 'orgIds', 10_000, (v, f) => text(v, f, { min: 1, max: 64 }));
  // A sector or CEPTOAR group is its sector's organisations (plus any named); the community is everyone.
  if (kind === 'community') orgIds = (await listOrgs(hub)).map((o) => o.id);
  if (sec) orgIds = [...new Set([...orgIds, ...(await hub.db.selectFrom('hub_org').select('id').where('sector', '=', sec).execute()).map((r) => r.id)])];
  const known = new Set((await hub.db.selectFrom('hub_org').select('id').execute()).map((r) => r.id));
  orgIds.forEach((o, i) => { if (!known.has(o)) fail(`orgIds[${i}]`, `no organisation ${o}`); });
  const group: SharingGroup = { id: hub.newId(), name, kind, sector: sec, orgIds };
  try {
    await audited(hub, actor, { action: 'group.add', objectType: 'group', objectId: group.id, detail: { name, kind, sector: sec, orgIds } }, async (trx) => {
      await trx.insertInto('hub_group').values({ id: group.id, name, kind, sector: sec, created_at: hub.now() }).execute();
      if (orgIds.length) await trx.insertInto('hub_group_member').values(orgIds.map((o) => ({ group_id: group.id, org_id: o }))).execute();
    });
  } catch (e) {
    if (uniqueViolation(e)) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `a sharing group named ${name} exists` });
    throw e;
  }
  return group;
}

export async function addGroupMember(hub: HubContext, p: Principal, actor: Actor, groupId: string, orgId: string): Promise<void> {
  requireManage(p, 'manage-orgs');
  await findOrg(hub, orgId);
  await audited(hub, actor, { action: 'group.member.add', objectType: 'group', objectId: groupId, detail: { orgId } }, (trx) =>
    trx.insertInto('hub_group_member').values({ group_id: groupId, org_id: orgId }).onConflict((oc) => oc.doNothing()).execute());
}

export async function listGroups(hub: HubContext): Promise<SharingGroup[]> {
  const groups = await hub.db.selectFrom('hub_group').selectAll().orderBy('name').execute();
  const members = await hub.db.selectFrom('hub_group_member').selectAll().execute();
  return groups.map((g) => ({ id: g.id, name: g.name, kind: g.kind as SharingGroup['kind'], sector: g.sector as SectorId | null, orgIds: members.filter((m) => m.group_id === g.id).map((m) => m.org_id) }));
}

export interface NewUser {
  orgId: unknown;
  username: unknown;
  displayName?: unknown;
  email?: unknown;
  roles: unknown;
  password?: unknown;
}

export async function addUser(hub: HubContext, p: Principal, actor: Actor, input: NewUser): Promise<User> {
  const org = await findOrg(hub, text(input.orgId, 'orgId', { min: 1, max: 200 }));
  requireManage(p, 'manage-users', org.id);
  const roles = list(input.roles, 'roles', USER_ROLES.length, (v, f) => oneOf(v, f, USER_ROLES));
  if (roles.length === 0) fail('roles', 'must name at least one role');
  const name = checkUsername(input.username);
  let passwordHash: string | null = null;
  if (input.password !== undefined) {
    const pw = text(input.password, 'password', { min: 12, max: 1024 });
    passwordHash = await hashPassword(pw, { N: hub.config.login.scryptN, r: 8, p: 1 });
  }
  const user: User = {
    id: hub.newId(),
    orgId: org.id,
    username: name,
    displayName: input.displayName === undefined ? name : text(input.displayName, 'displayName', { min: 1, max: 200 }),
    email: input.email === undefined || input.email === null ? null : email(input.email),
    roles: [...new Set(roles)],
    disabled: false,
    createdAt: hub.now(),
  };
  try {
    await audited(hub, actor, { action: 'user.add', objectType: 'user', objectId: user.id, detail: { orgId: org.id, username: name, roles: user.roles } }, (trx) =>
      trx.insertInto('hub_user').values({
        id: user.id, org_id: org.id, username: name, display_name: user.displayName, email: user.email,
        roles: JSON.stringify(user.roles), password_hash: passwordHash, failed_logins: 0, locked_until: null, disabled: 0, created_at: user.createdAt,
      }).execute());
  } catch (e) {
    if (uniqueViolation(e)) throw new MamoriError('MAMORI_HUB_CONFLICT', { reason: `user name ${name} is taken` });
    throw e;
  }
  return user;
}

export function toUser(r: { id: string; org_id: string; username: string; display_name: string; email: string | null; roles: string; disabled: number; created_at: number }): User {
  return { id: r.id, orgId: r.org_id, username: r.username, displayName: r.display_name, email: r.email, roles: JSON.parse(r.roles), disabled: r.disabled === 1, createdAt: Number(r.created_at) };
}

/** By id or user name. */
export async function findUser(hub: HubContext, idOrName: string): Promise<User> {
  const row = await hub.db.selectFrom('hub_user').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('username', '=', idOrName)])).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'user', id: idOrName });
  return toUser(row);
}

export async function listUsers(hub: HubContext, orgId?: string): Promise<User[]> {
  let q = hub.db.selectFrom('hub_user').selectAll().orderBy('username');
  if (orgId) q = q.where('org_id', '=', orgId);
  return (await q.execute()).map(toUser);
}
