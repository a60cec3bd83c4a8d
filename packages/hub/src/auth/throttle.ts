/**
 * Login throttling per source network, beside the per-account lockout: a password spray
 * tries one or two passwords on many accounts and never trips any account's lockout, so
 * failures are also counted per source — an IPv4 address, or an IPv6 /64 (one subscriber's
 * allocation, which an attacker can otherwise walk through). The counters live in the
 * database, so every server of a cluster counts the same failures.
 */
import { sql } from 'kysely';
import { MamoriError, formatIp, parseIp } from '@mamori/core';
import { audited, type Actor } from '../audit/log.js';
import type { HubContext } from '../context.js';

const LOW_64 = (1n << 64n) - 1n;

/** The counter key of a client address: the IPv4 address, or the IPv6 /64 it lies in. */
export function loginSource(ip: string | null): string {
  if (!ip) return 'unknown';
  let addr;
  try {
    addr = parseIp(ip.replace(/%.*$/, ''));
  } catch {
    return `other:${ip.slice(0, 64)}`;
  }
  if (addr.family === 4) return formatIp(addr);
  // ::ffff:a.b.c.d is how a dual-stack listener reports an IPv4 client.
  if (addr.value >> 32n === 0xffffn) return formatIp({ family: 4, value: Number(addr.value & 0xffffffffn) });
  return `${formatIp({ family: 6, value: addr.value & ~LOW_64 })}/64`;
}

/** Refuses (429) a source that is blocked; called before any password work is spent on it. */
export async function assertSourceAllowed(hub: HubContext, source: string): Promise<void> {
  const row = await hub.db.selectFrom('hub_login_throttle').select('blocked_until').where('source', '=', source).executeTakeFirst();
  if (row?.blocked_until != null && Number(row.blocked_until) > hub.now()) {
    throw new MamoriError('MAMORI_HUB_LOGIN_THROTTLED', { until: new Date(Number(row.blocked_until)).toISOString() });
  }
}

/**
 * Counts one failed login from `source` in one atomic upsert, so servers racing on the same
 * source lose no count. A count past the window, or a block that has run out, starts over.
 * The failure that reaches the limit blocks the source (audited); it and every later one
 * answer 429, including attempts that were already in flight when the block began.
 */
export async function recordSourceFailure(hub: HubContext, actor: Actor, source: string): Promise<void> {
  const now = hub.now();
  const { sourceMaxFailures, sourceWindowMs, sourceBlockMs } = hub.config.login;
  const restart = sql<boolean>`(hub_login_throttle.window_start <= ${now - sourceWindowMs} or (hub_login_throttle.blocked_until is not null and hub_login_throttle.blocked_until <= ${now}))`;
  const row = await hub.db.insertInto('hub_login_throttle')
    .values({ source, window_start: now, failures: 1, blocked_until: null })
    .onConflict((oc) => oc.column('source').doUpdateSet({
      failures: sql<number>`case when ${restart} then 1 else hub_login_throttle.failures + 1 end`,
      window_start: sql<number>`case when ${restart} then ${now} else hub_login_throttle.window_start end`,
      blocked_until: sql<number | null>`case when ${restart} then null else hub_login_throttle.blocked_until end`,
    }))
    .returning(['failures', 'blocked_until'])
    .executeTakeFirstOrThrow();
  const failures = Number(row.failures);
  if (failures < sourceMaxFailures) return;
  let until = row.blocked_until === null ? null : Number(row.blocked_until);
  if (failures === sourceMaxFailures) {
    until = now + sourceBlockMs;
    const blockedUntil = until;
    await audited(hub, actor, { action: 'login.source-blocked', objectType: 'login-source', objectId: source, detail: { failures, until } }, (trx) =>
      trx.updateTable('hub_login_throttle').set({ blocked_until: blockedUntil }).where('source', '=', source).execute());
  }
  throw new MamoriError('MAMORI_HUB_LOGIN_THROTTLED', { until: new Date(until ?? now + sourceBlockMs).toISOString() });
}
