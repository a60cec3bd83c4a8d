/**
 * THE authorisation rules of the hub. Every read path (item views, lists, search, exports,
 * notifications, SSE, dashboard queries, TAXII) asks `canRead`; every write asks `canWrite`
 * or `can`. Nothing else decides who sees what.
 *
 * List queries narrow candidates in SQL through the item's audience keys (`audienceKeys`,
 * stored beside each item) and then pass every row through `canRead` again: SQL narrows,
 * `canRead` decides. A property test holds the two to the same answer.
 */
import { MamoriError } from '@mamori/core';
import type { OrgRole, SectorId, UserRole } from '../model/sectors.js';
import { tlpRank, type Tlp } from './tlp.js';

/** What a token or session may do at most, whatever the user's roles allow. */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The authenticated caller. */
export interface Principal {
  userId: string;
  orgId: string;
  /** The organisation's sector; null for cross-sector bodies (coordinator, ministries). */
  orgSector: SectorId | null;
  orgRole: OrgRole;
  roles: UserRole[];
  /** Sharing groups the caller's organisation belongs to. */
  groupIds: string[];
  /** The token's scopes (sessions carry all three). */
  scopes: TokenScope[];
  /** How the caller authenticated; `tokenId` identifies the token or session. */
  via: 'token' | 'session' | 'local';
  tokenId?: string;
}

/**
 * With whom an item may be shared beyond its owner. `community` is everyone in the hub;
 * `restricted` is the union of the listed sectors, organisations and sharing groups.
 */
export interface Sharing {
  scope: 'community' | 'restricted';
  sectors?: SectorId[];
  orgIds?: string[];
  groupIds?: string[];
}

/** Who an item was addressed to by name (routing, relay). RED goes to `userIds` only. */
export interface Recipients {
  orgIds?: string[];
  userIds?: string[];
}

/** What the rules need to know about an item (report, comment, attachment, STIX object). */
export interface Protected {
  tlp: Tlp;
  sharing: Sharing;
  ownerOrgId: string;
  authorUserId?: string;
  recipients?: Recipients;
  /** Not yet submitted: only its author (and, below RED, the author's organisation). */
  draft?: boolean;
}

export const COMMUNITY: Sharing = { scope: 'community' };

const has = <T>(list: readonly T[] | undefined, v: T | null | undefined): boolean => v != null && !!list && list.includes(v);

function inListed(p: Principal, s: Sharing, onlyOrgs: boolean): boolean {
  if (s.scope !== 'restricted') return false;
  if (has(s.orgIds, p.orgId)) return true;
  if (onlyOrgs) return false;
  return has(s.sectors, p.orgSector) || (s.groupIds ?? []).some((g) => p.groupIds.includes(g));
}

/**
 * May `p` see `item`?
 * - CLEAR: every authenticated member of the hub.
 * - GREEN: the owner, named recipients and the sharing scope (whole community or listed).
 * - AMBER: the owner, named recipient organisations, and listed sectors/organisations/groups;
 *   never the whole community (a community scope keeps AMBER to owner and recipients).
 * - AMBER+STRICT: the owner organisation and organisations named one by one (recipients or
 *   the sharing list); sectors and groups do not widen it.
 * - RED: the author and the users named as recipients; nobody else, whatever their role.
 */
export function canRead(p: Principal, item: Protected): boolean {
  if (!p.scopes.includes('read')) return false;
  const author = item.authorUserId !== undefined && p.userId === item.authorUserId;
  if (item.tlp === 'RED') return author || has(item.recipients?.userIds, p.userId);
  if (item.draft) return author || p.orgId === item.ownerOrgId;
  if (p.orgId === item.ownerOrgId || author) return true;
  if (has(item.recipients?.orgIds, p.orgId)) return true;
  switch (item.tlp) {
    case 'CLEAR': return true;
    case 'GREEN': return item.sharing.scope === 'community' || inListed(p, item.sharing, false);
    case 'AMBER': return inListed(p, item.sharing, false);
    case 'AMBER+STRICT': return inListed(p, item.sharing, true);
  }
  return false;
}

/** The keys of everyone `canRead` admits, stored with each item so lists narrow in SQL. */
export function audienceKeys(item: Protected): string[] {
  const keys = new Set<string>();
  const author = item.authorUserId ? `user:${item.authorUserId}` : undefined;
  if (author) keys.add(author);
  if (item.tlp === 'RED') {
    for (const u of item.recipients?.userIds ?? []) keys.add(`user:${u}`);
    return [...keys];
  }
  keys.add(`org:${item.ownerOrgId}`);
  if (item.draft) return [...keys];
  for (const o of item.recipients?.orgIds ?? []) keys.add(`org:${o}`);
  const s = item.sharing;
  if (item.tlp === 'CLEAR' || (item.tlp === 'GREEN' && s.scope === 'community')) keys.add('all');
  else if (s.scope === 'restricted') {
    for (const o of s.orgIds ?? []) keys.add(`org:${o}`);
    if (item.tlp !== 'AMBER+STRICT') {
      for (const sec of s.sectors ?? []) keys.add(`sector:${sec}`);
      for (const g of s.groupIds ?? []) keys.add(`group:${g}`);
    }
  }
  return [...keys];
}

/** The keys a principal matches; an item is readable when the two sets meet (and scope has read). */
export function principalKeys(p: Principal): string[] {
  const keys = ['all', `org:${p.orgId}`, `user:${p.userId}`];
  if (p.orgSector) keys.push(`sector:${p.orgSector}`);
  for (const g of p.groupIds) keys.push(`group:${g}`);
  return keys;
}

const WRITERS: readonly UserRole[] = ['admin', 'secretariat', 'analyst', 'member'];
const hasRole = (p: Principal, ...roles: UserRole[]): boolean => roles.some((r) => p.roles.includes(r));

/**
 * May `p` create an item (no `item`) or change `item`? Readers never write; a token needs
 * the `write` scope; an existing item is changed by its author, or by an analyst, secretariat
 * or admin of the owner organisation.
 */
export function canWrite(p: Principal, item?: Protected): boolean {
  if (!p.scopes.includes('write') || !hasRole(p, ...WRITERS)) return false;
  if (!item) return true;
  if (!canRead(p, item)) return false;
  if (item.authorUserId !== undefined && item.authorUserId === p.userId) return true;
  return p.orgId === item.ownerOrgId && hasRole(p, 'admin', 'secretariat', 'analyst');
}

/** Actions beyond plain read/write, each with its rule. */
export type HubAction =
  | 'comment'            // add a comment to a readable item
  | 'relay'              // relay a report onwards (its sector's CEPTOAR secretariat, or the coordinator)
  | 'triage'             // move a received report to analysis or closed
  | 'loosen-tlp'         // lower an item's TLP: only the originator
  | 'manage-orgs'        // add organisations and sharing groups
  | 'manage-users'       // add users / tokens for others in `orgId`
  | 'page-ack';          // acknowledge a page

export interface ActionTarget extends Partial<Protected> {
  sector?: SectorId | null;
  /** For manage-users: the organisation concerned. */
  orgId?: string;
}

const isCoordinatorAdmin = (p: Principal): boolean => p.orgRole === 'coordinator' && hasRole(p, 'admin') && p.scopes.includes('admin');

export function can(p: Principal, action: HubAction, target: ActionTarget = {}): boolean {
  const item = target.tlp ? (target as Protected) : undefined;
  switch (action) {
    case 'comment':
      return !!item && canRead(p, item) && p.scopes.includes('write') && hasRole(p, ...WRITERS);
    case 'relay':
      return !!item && canRead(p, item) && p.scopes.includes('write') && hasRole(p, 'secretariat', 'admin') &&
        ((p.orgRole === 'ceptoar-secretariat' && target.sector != null && p.orgSector === target.sector) || p.orgRole === 'coordinator');
    case 'triage':
      return !!item && canRead(p, item) && p.scopes.includes('write') && hasRole(p, 'analyst', 'secretariat', 'admin') &&
        (p.orgId === item.ownerOrgId || has(item.recipients?.orgIds, p.orgId) || p.orgRole === 'coordinator');
    case 'loosen-tlp':
      return !!item && canWrite(p, item) && p.orgId === item.ownerOrgId;
    case 'manage-orgs':
      return isCoordinatorAdmin(p);
    case 'manage-users':
      return isCoordinatorAdmin(p) || (hasRole(p, 'admin') && p.scopes.includes('admin') && target.orgId === p.orgId);
    case 'page-ack':
      return p.orgRole === 'coordinator' && p.scopes.includes('write') && hasRole(p, ...WRITERS);
  }
  return false;
}

/** Throws 403 (or 404 for an unreadable item, so its existence does not leak) unless `can`. */
export function assertCan(p: Principal, action: HubAction, target: ActionTarget = {}, what = 'item', id = ''): void {
  if (can(p, action, target)) return;
  if (target.tlp && !canRead(p, target as Protected)) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what, id });
  throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: `${action} on ${what} ${id}`.trim() });
}

/** Throws 404 when `p` may not read `item` (existence is not revealed). */
export function assertCanRead(p: Principal, item: Protected, what: string, id: string): void {
  if (!canRead(p, item)) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what, id });
}

/** Throws unless `p` may create (no item) or change `item`: 404 if unreadable, else 403. */
export function assertCanWrite(p: Principal, item: Protected | undefined, what: string, id = ''): void {
  if (canWrite(p, item)) return;
  if (item && !canRead(p, item)) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what, id });
  const reason = !p.scopes.includes('write') ? 'this token has no write scope'
    : !hasRole(p, ...WRITERS) ? `role ${p.roles.join(',') || '(none)'} may not write`
    : `only the author or the owner organisation's analysts may change this ${what}`;
  throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason });
}

/**
 * An item derived from others (a comment on a report, a relayed copy) is at least as strict
 * as what it came from; only the originator may loosen a marking.
 */
export function inheritTlp(own: Tlp, parent: Tlp): Tlp {
  return tlpRank(own) >= tlpRank(parent) ? own : parent;
}
