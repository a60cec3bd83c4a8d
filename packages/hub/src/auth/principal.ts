/**
 * Turning credentials into a `Principal`: bearer tokens (API tokens and dashboard sessions,
 * both stored only as SHA-256 hashes), password logins with lockout, and the CLI's local
 * operator. Every failure is a 401 that says which check failed, never which part of a
 * forged token was close.
 */
import { sql, type Kysely } from 'kysely';
import { MamoriError, PREPARED_STATEMENT } from '@mamori/core';
import type { HubTables } from '../model/tables.js';
import { can, TOKEN_SCOPES, type Principal, type TokenScope } from '../access/policy.js';
import { audited, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import type { OrgRole, SectorId, UserRole } from '../model/sectors.js';
import { findUser } from '../model/community.js';
import { fail, list, oneOf, text } from '../model/validate.js';
import { looksLikeToken, newTokenSecret, sha256Hex, verifyPassword } from './secrets.js';
import { assertSourceAllowed, loginSource, recordSourceFailure } from './throttle.js';

const unauthenticated = (reason: string): MamoriError => new MamoriError('MAMORI_HUB_UNAUTHENTICATED', { reason });

interface UserAndOrg { user_id: string; org_id: string; roles: string; disabled: number; sector: string | null; role: string; group_id: string | null }
interface TokenRow extends UserAndOrg { id: string; kind: string; scopes: string; revoked_at: number | null; expires_at: number | null; last_used_at: number | null }

/**
 * Rows of a user joined with its organisation and (left join) the organisation's sharing
 * groups, one row per group → the principal. One round trip: this runs on every request.
 */
function principalFrom(rows: UserAndOrg[], scopes: TokenScope[], via: Principal['via'], tokenId?: string): Principal {
  const row = rows[0];
  if (!row) throw unauthenticated('unknown user');
  if (row.disabled) throw unauthenticated('user disabled');
  return {
    userId: row.user_id, orgId: row.org_id, orgSector: row.sector as SectorId | null, orgRole: row.role as OrgRole,
    roles: JSON.parse(row.roles) as UserRole[], groupIds: rows.flatMap((r) => (r.group_id === null ? [] : [r.group_id])), scopes, via, tokenId,
  };
}

/** Loads the principal of a user (roles, organisation, sector, groups) with the given scopes. */
export async function principalOf(hub: HubContext, userId: string, scopes: TokenScope[], via: Principal['via'], tokenId?: string, db: Kysely<HubTables> = hub.db): Promise<Principal> {
  const rows = await db.selectFrom('hub_user as u').innerJoin('hub_org as o', 'o.id', 'u.org_id').leftJoin('hub_group_member as g', 'g.org_id', 'u.org_id')
    .select(['u.id as user_id', 'u.org_id', 'u.roles', 'u.disabled', 'o.sector', 'o.role', 'g.group_id']).where('u.id', '=', userId).orderBy('g.group_id').execute();
  return principalFrom(rows, scopes, via, tokenId);
}

/** The CLI's operator on the machine itself: a coordinator admin who reads nothing by TLP (no user id matches). */
export const LOCAL_OPERATOR: Principal = Object.freeze({
  userId: 'local', orgId: 'local', orgSector: null, orgRole: 'coordinator', roles: ['admin'], groupIds: [], scopes: ['admin', 'write'], via: 'local',
}) as Principal;

/** Parses `Authorization: Bearer <token>` and authenticates it. */
export async function authenticateBearer(hub: HubContext, authorization: string | string[] | undefined): Promise<Principal> {
  if (authorization === undefined) throw unauthenticated('send Authorization: Bearer <token>');
  if (Array.isArray(authorization) || authorization.length > 512) throw unauthenticated('malformed Authorization header');
  const m = /^Bearer ([^\s]+)$/i.exec(authorization.trim());
  if (!m) throw unauthenticated('Authorization must be "Bearer <token>"');
  return authenticateToken(hub, m[1]);
}

/** A token secret → its principal, or 401 (forged/unknown, expired, revoked, user disabled). */
export async function authenticateToken(hub: HubContext, secret: string): Promise<Principal> {
  if (!looksLikeToken(secret)) throw unauthenticated('not a mamori token');
  // The token with its user, organisation and groups in one round trip: this runs on every request.
  // Fixed text, prepared once per connection on PostgreSQL.
  const { rows } = await sql<TokenRow>`${sql.raw(PREPARED_STATEMENT)} select t.id, t.kind, t.scopes, t.revoked_at, t.expires_at, t.last_used_at, t.user_id,
      u.org_id, u.roles, u.disabled, o.sector, o.role, g.group_id
    from hub_token t join hub_user u on u.id = t.user_id join hub_org o on o.id = u.org_id left join hub_group_member g on g.org_id = u.org_id
    where t.hash = ${sha256Hex(secret)} order by g.group_id`.execute(hub.db);
  const row = rows[0];
  if (!row) throw unauthenticated('unknown token');
  const now = hub.now();
  if (row.revoked_at !== null) throw unauthenticated('token revoked');
  if (row.expires_at !== null && Number(row.expires_at) <= now) throw unauthenticated('token expired');
  // Touch last use at most once a minute: a write per request would dominate read latency.
  if (row.last_used_at === null || now - Number(row.last_used_at) > 60_000) {
    await hub.db.updateTable('hub_token').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return principalFrom(rows, JSON.parse(row.scopes) as TokenScope[], row.kind === 'session' ? 'session' : 'token', row.id);
}

export interface TokenInfo {
  id: string;
  userId: string;
  kind: 'api' | 'session';
  name: string;
  scopes: TokenScope[];
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const toTokenInfo = (r: { id: string; user_id: string; kind: string; name: string; scopes: string; created_at: number; expires_at: number | null; revoked_at: number | null; last_used_at: number | null }): TokenInfo => ({
  id: r.id, userId: r.user_id, kind: r.kind as 'api' | 'session', name: r.name, scopes: JSON.parse(r.scopes),
  createdAt: Number(r.created_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at), lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/**
 * Issues an API token for `user` (by id or name). The secret is returned once and never
 * stored. A user issues tokens for themself; admins for their organisation's users. A token
 * never carries more than its user's roles allow (the admin scope needs the admin role).
 */
export async function createToken(hub: HubContext, p: Principal, actor: Actor, input: { user: unknown; name?: unknown; scopes?: unknown; ttlMs?: unknown }): Promise<{ token: string; info: TokenInfo }> {
  const user = await findUser(hub, text(input.user, 'user', { min: 1, max: 200 }));
  if (user.id !== p.userId && !can(p, 'manage-users', { orgId: user.orgId })) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only an admin of the user\'s organisation issues tokens for others' });
  if (user.disabled) fail('user', 'user is disabled');
  const scopes = input.scopes === undefined ? (['read'] as TokenScope[]) : list(input.scopes, 'scopes', 3, (v, f) => oneOf(v, f, TOKEN_SCOPES));
  if (scopes.length === 0) fail('scopes', 'must name at least one scope');
  if (scopes.includes('admin') && !user.roles.includes('admin')) fail('scopes', 'the admin scope needs a user with the admin role');
  if (scopes.includes('write') && user.roles.every((r) => r === 'reader')) fail('scopes', 'a reader cannot hold a write scope');
  let ttl = hub.config.tokens.defaultTtlMs;
  if (input.ttlMs !== undefined) {
    if (typeof input.ttlMs !== 'number' || !Number.isInteger(input.ttlMs) || input.ttlMs < 0 || input.ttlMs > 10 * 365 * 86_400_000) fail('ttlMs', 'must be 0 (never) or a positive number of milliseconds up to 10 years');
    ttl = input.ttlMs;
  }
  const now = hub.now();
  const secret = newTokenSecret('api');
  const info: TokenInfo = {
    id: hub.newId(), userId: user.id, kind: 'api', name: input.name === undefined ? 'api' : text(input.name, 'name', { min: 1, max: 100 }),
    scopes: [...new Set(scopes)], createdAt: now, expiresAt: ttl === 0 ? null : now + ttl, revokedAt: null, lastUsedAt: null,
  };
  await audited(hub, actor, { action: 'token.create', objectType: 'token', objectId: info.id, detail: { userId: user.id, scopes: info.scopes, expiresAt: info.expiresAt } }, (trx) =>
    trx.insertInto('hub_token').values({
      id: info.id, user_id: user.id, kind: 'api', name: info.name, hash: sha256Hex(secret), scopes: JSON.stringify(info.scopes),
      created_at: now, expires_at: info.expiresAt, revoked_at: null, last_used_at: null,
    }).execute());
  return { token: secret, info };
}

export async function revokeToken(hub: HubContext, p: Principal, actor: Actor, tokenId: string): Promise<TokenInfo> {
  const row = await hub.db.selectFrom('hub_token').selectAll().where('id', '=', tokenId).executeTakeFirst();
  if (!row) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'token', id: tokenId });
  if (row.user_id !== p.userId) {
    const owner = await findUser(hub, row.user_id);
    if (!can(p, 'manage-users', { orgId: owner.orgId })) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'token', id: tokenId });
  }
  const now = hub.now();
  await audited(hub, actor, { action: 'token.revoke', objectType: 'token', objectId: tokenId }, (trx) =>
    trx.updateTable('hub_token').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null).execute());
  return toTokenInfo({ ...row, revoked_at: row.revoked_at ?? now });
}

export async function listTokens(hub: HubContext, p: Principal, userIdOrName?: string): Promise<TokenInfo[]> {
  const user = userIdOrName ? await findUser(hub, userIdOrName) : { id: p.userId, orgId: p.orgId };
  if (user.id !== p.userId && !can(p, 'manage-users', { orgId: user.orgId })) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only admins list other users\' tokens' });
  return (await hub.db.selectFrom('hub_token').selectAll().where('user_id', '=', user.id).orderBy('created_at').execute()).map(toTokenInfo);
}

/**
 * Password login for the dashboard. After `maxFailures` wrong passwords in a row the account
 * is locked for `lockMs` (429, even for the right password); after `sourceMaxFailures`
 * failures from one source network, whatever the accounts, that source is refused for
 * `sourceBlockMs` (429, before any password is checked). Success returns a session token.
 */
export async function login(hub: HubContext, actor: Actor, input: { username: unknown; password: unknown }): Promise<{ token: string; expiresAt: number; principal: Principal }> {
  const name = typeof input.username === 'string' ? input.username : fail('username', 'must be a string');
  const password = typeof input.password === 'string' && input.password.length <= 1024 ? input.password : fail('password', 'must be a string of at most 1024 characters');
  const source = loginSource(actor.ip);
  await assertSourceAllowed(hub, source);
  const row = await hub.db.selectFrom('hub_user').selectAll().where('username', '=', name).executeTakeFirst();
  const now = hub.now();
  const { maxFailures, lockMs, sessionMs } = hub.config.login;
  if (!row || !row.password_hash || row.disabled) {
    // Spend the same work as a real check so timing does not reveal which names exist.
    await verifyPassword(password, `scrypt$${hub.config.login.scryptN}$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    await recordSourceFailure(hub, actor, source);
    throw new MamoriError('MAMORI_HUB_LOGIN_FAILED');
  }
  if (row.locked_until !== null && Number(row.locked_until) > now) {
    await recordSourceFailure(hub, actor, source);
    throw new MamoriError('MAMORI_HUB_LOCKED', { until: new Date(Number(row.locked_until)).toISOString() });
  }
  const ok = await verifyPassword(password, row.password_hash);
  const who: Actor = { ...actor, userId: row.id, orgId: row.org_id };
  if (!ok) {
    const failures = row.failed_logins + 1;
    const lock = failures >= maxFailures ? now + lockMs : null;
    await audited(hub, who, { action: lock ? 'login.locked' : 'login.failed', objectType: 'user', objectId: row.id, detail: { failures } }, (trx) =>
      trx.updateTable('hub_user').set({ failed_logins: lock ? 0 : failures, locked_until: lock }).where('id', '=', row.id).execute());
    await recordSourceFailure(hub, who, source);
    if (lock) throw new MamoriError('MAMORI_HUB_LOCKED', { until: new Date(lock).toISOString() });
    throw new MamoriError('MAMORI_HUB_LOGIN_FAILED');
  }
  const secret = newTokenSecret('session');
  const sessionId = hub.newId();
  const scopes: TokenScope[] = JSON.parse(row.roles).includes('admin') ? ['read', 'write', 'admin'] : ['read', 'write'];
  await audited(hub, who, { action: 'login', objectType: 'user', objectId: row.id, detail: { session: sessionId } }, async (trx) => {
    await trx.updateTable('hub_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', row.id).execute();
    await trx.insertInto('hub_token').values({
      id: sessionId, user_id: row.id, kind: 'session', name: 'dashboard session', hash: sha256Hex(secret), scopes: JSON.stringify(scopes),
      created_at: now, expires_at: now + sessionMs, revoked_at: null, last_used_at: now,
    }).execute();
  });
  return { token: secret, expiresAt: now + sessionMs, principal: await principalOf(hub, row.id, scopes, 'session', sessionId) };
}

/** Ends a dashboard session (revokes its token). */
export async function logout(hub: HubContext, p: Principal, actor: Actor): Promise<void> {
  if (p.via !== 'session' || !p.tokenId) fail('session', 'not a dashboard session');
  await audited(hub, actor, { action: 'logout', objectType: 'token', objectId: p.tokenId }, (trx) =>
    trx.updateTable('hub_token').set({ revoked_at: hub.now() }).where('id', '=', p.tokenId!).execute());
}
