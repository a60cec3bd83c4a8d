/**
 * Alert subscriptions (a user's: by sector and minimum severity, to a webhook, an e-mail
 * address or the live stream) and the coordinator's on-call list.
 */
import { randomBytes } from 'node:crypto';
import { MamoriError } from '@mamori/core';
import { can, type Principal } from '../access/policy.js';
import { audited, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';
import { isSectorId, type SectorId } from '../model/sectors.js';
import { email, fail, int, list, oneOf, text } from '../model/validate.js';
import { ALLOW_INTERNAL_HINT, isInternalHostName } from './targets.js';

export const CHANNELS = ['webhook', 'email', 'sse'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Subscription {
  id: string;
  userId: string;
  channel: Channel;
  target: string;
  sectors: SectorId[];
  minSeverity: number;
  active: boolean;
  createdAt: number;
}

export function webhookUrl(value: unknown, field = 'target', allowInternal = false): string {
  const v = text(value, field, { min: 8, max: 2048 });
  let u: URL;
  try { u = new URL(v); } catch { fail(field, 'must be an http(s) URL'); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(field, 'must be an http(s) URL');
  if (u.username || u.password) fail(field, 'must not carry credentials; the hub signs its requests instead');
  if (!allowInternal) {
    // A name is checked again, resolved, at every delivery (see targets.ts).
    if (isInternalHostName(u.hostname)) fail(field, `points into a loopback or private network (${ALLOW_INTERNAL_HINT})`);
  }
  return u.href;
}

/** Subscribes the caller. A webhook gets a signing secret (returned once). */
export async function addSubscription(hub: HubContext, p: Principal, actor: Actor, input: { channel: unknown; target?: unknown; sectors?: unknown; minSeverity?: unknown }): Promise<{ subscription: Subscription; secret?: string }> {
  if (!p.scopes.includes('read')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'subscribing needs the read scope' });
  const channel = oneOf(input.channel, 'channel', CHANNELS);
  const target = channel === 'webhook' ? webhookUrl(input.target, 'target', hub.config.alerts.allowInternalTargets) : channel === 'email' ? email(input.target, 'target') : 'live';
  const sectors = list(input.sectors, 'sectors', 14, (s, f) => (isSectorId(s) ? s : fail(f, 'not a sector id')));
  const minSeverity = input.minSeverity === undefined ? 0 : int(input.minSeverity, 'minSeverity', 0, 5);
  const secret = channel === 'webhook' ? randomBytes(32).toString('base64url') : undefined;
  const s: Subscription = { id: hub.newId(), userId: p.userId, channel, target, sectors, minSeverity, active: true, createdAt: hub.now() };
  await audited(hub, actor, { action: 'subscription.add', objectType: 'subscription', objectId: s.id, detail: { channel, target, sectors, minSeverity } }, (trx) =>
    trx.insertInto('hub_subscription').values({ id: s.id, user_id: p.userId, channel, target, secret: secret ?? null, sectors: JSON.stringify(sectors), min_severity: minSeverity, active: 1, created_at: s.createdAt }).execute());
  return { subscription: s, secret };
}

export async function listSubscriptions(hub: HubContext, p: Principal): Promise<Subscription[]> {
  const rows = await hub.db.selectFrom('hub_subscription').selectAll().where('user_id', '=', p.userId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, channel: r.channel as Channel, target: r.target, sectors: JSON.parse(r.sectors), minSeverity: r.min_severity, active: r.active === 1, createdAt: Number(r.created_at) }));
}

export async function removeSubscription(hub: HubContext, p: Principal, actor: Actor, id: string): Promise<void> {
  const row = await hub.db.selectFrom('hub_subscription').select(['user_id']).where('id', '=', id).executeTakeFirst();
  if (!row || row.user_id !== p.userId) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'subscription', id });
  await audited(hub, actor, { action: 'subscription.remove', objectType: 'subscription', objectId: id }, (trx) =>
    trx.updateTable('hub_subscription').set({ active: 0 }).where('id', '=', id).execute());
}

export interface OnCallEntry {
  position: number;
  userId: string;
  channel: 'webhook' | 'email';
  target: string;
}

/** Replaces the coordinator's on-call list (in escalation order). Coordinator admins only. */
export async function setOnCall(hub: HubContext, p: Principal, actor: Actor, entries: unknown): Promise<OnCallEntry[]> {
  if (!can(p, 'manage-orgs')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only the coordinator\'s admins set the on-call list' });
  const parsed = list(entries, 'entries', 50, (e, f) => {
    if (typeof e !== 'object' || e === null) fail(f, 'must be { user, channel, target }');
    const o = e as Record<string, unknown>;
    const channel = oneOf(o.channel, `${f}.channel`, ['webhook', 'email'] as const);
    return { user: text(o.user, `${f}.user`, { min: 1, max: 200 }), channel, target: channel === 'webhook' ? webhookUrl(o.target, `${f}.target`, hub.config.alerts.allowInternalTargets) : email(o.target, `${f}.target`) };
  });
  const out: OnCallEntry[] = [];
  for (const [i, e] of parsed.entries()) {
    const u = await hub.db.selectFrom('hub_user as u').innerJoin('hub_org as o', 'o.id', 'u.org_id').select(['u.id', 'o.role']).where((eb) => eb.or([eb('u.id', '=', e.user), eb('u.username', '=', e.user)])).executeTakeFirst();
    if (!u) fail(`entries[${i}].user`, `no user ${e.user}`);
    if (u.role !== 'coordinator') fail(`entries[${i}].user`, 'on-call people belong to the coordinator');
    out.push({ position: i, userId: u.id, channel: e.channel, target: e.target });
  }
  await audited(hub, actor, { action: 'oncall.set', objectType: 'oncall', detail: { entries: out } }, async (trx) => {
    await trx.deleteFrom('hub_oncall').execute();
    if (out.length) await trx.insertInto('hub_oncall').values(out.map((e) => ({ position: e.position, user_id: e.userId, channel: e.channel, target: e.target }))).execute();
  });
  return out;
}

export async function listOnCall(hub: HubContext): Promise<OnCallEntry[]> {
  const rows = await hub.db.selectFrom('hub_oncall').selectAll().orderBy('position').execute();
  return rows.map((r) => ({ position: r.position, userId: r.user_id, channel: r.channel as 'webhook' | 'email', target: r.target }));
}
