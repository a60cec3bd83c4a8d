/**
 * Works the outbox and the pages: delivers due alerts (webhook or e-mail), retries failures
 * with exponential backoff until `maxAttempts`, then moves them to the dead letters; notifies
 * on-call people and escalates unacknowledged pages down the list. Rows are claimed with a
 * lease, so several servers can run dispatchers on one database.
 */
import { MamoriError } from '@mamori/core';
import { can, canRead, type Principal } from '../access/policy.js';
import { audited, auditReads, actorOf, type Actor } from '../audit/log.js';
import { principalOf } from '../auth/principal.js';
import type { HubContext } from '../context.js';
import { reportProtection } from '../reports/model.js';
import { loadReport } from '../reports/repo.js';
import { reportView } from '../reports/lifecycle.js';
import { alertEmail, alertPayload, pageText } from './messages.js';
import { postWebhook, smtpMailer, type Mailer } from './transports.js';
import type { HostResolver } from './targets.js';

export interface DispatchStats {
  delivered: number;
  retried: number;
  dead: number;
  dropped: number;
  paged: number;
  exhausted: number;
}

export interface DispatcherOptions {
  mailer?: Mailer;
  /** Resolves webhook host names (tests give names that resolve to loopback). */
  resolveHost?: HostResolver;
  leaseMs?: number;
  batch?: number;
}

export class AlertDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<DispatchStats> | null = null;
  private mailer: Mailer | null;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly resolveHost: HostResolver | undefined;

  constructor(private readonly hub: HubContext, options: DispatcherOptions = {}) {
    this.mailer = options.mailer ?? null;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.batch = options.batch ?? 50;
    this.resolveHost = options.resolveHost;
  }

  private mail(): Mailer {
    this.mailer ??= smtpMailer(this.hub.config.alerts.smtp);
    return this.mailer;
  }

  /** Polls every `intervalMs` until `stop()`. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.kick(); }, intervalMs);
    this.timer.unref();
  }

  /** Runs one pass now unless one is running. */
  kick(): Promise<DispatchStats> {
    this.running ??= this.runOnce().catch((e) => {
      this.hub.log.error({ err: e }, 'hub: alert dispatch failed');
      return { delivered: 0, retried: 0, dead: 0, dropped: 0, paged: 0, exhausted: 0 };
    }).finally(() => { this.running = null; });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    this.mailer?.close();
  }

  /** One pass over due deliveries and due page escalations. */
  async runOnce(): Promise<DispatchStats> {
    const stats: DispatchStats = { delivered: 0, retried: 0, dead: 0, dropped: 0, paged: 0, exhausted: 0 };
    await this.deliveries(stats);
    await this.pages(stats);
    return stats;
  }

  private webhookOptions(): { now: number; timeoutMs: number; allowInternal: boolean; resolve?: HostResolver } {
    const { webhookTimeoutMs, allowInternalTargets } = this.hub.config.alerts;
    return { now: this.hub.now(), timeoutMs: webhookTimeoutMs, allowInternal: allowInternalTargets, resolve: this.resolveHost };
  }

  private async claim(table: 'hub_outbox' | 'hub_page', id: number | string): Promise<boolean> {
    const now = this.hub.now();
    const r = await this.hub.db.updateTable(table).set({ lease_until: now + this.leaseMs }).where('id', '=', id as never).where('lease_until', '<=', now).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async deliveries(stats: DispatchStats): Promise<void> {
    const { db } = this.hub;
    const now = this.hub.now();
    const due = await db.selectFrom('hub_outbox').selectAll().where('status', '=', 'pending').where('next_at', '<=', now).where('lease_until', '<=', now).orderBy('id').limit(this.batch).execute();
    for (const row of due) {
      if (!(await this.claim('hub_outbox', row.id))) continue;
      const sub = await db.selectFrom('hub_subscription').selectAll().where('id', '=', row.subscription_id).executeTakeFirst();
      // Re-check at delivery time: the subscriber may have left, or the report may have become stricter.
      const p = sub && sub.active === 1 ? await principalOf(this.hub, sub.user_id, ['read'], 'token').catch(() => null) : null;
      const report = await loadReport(db, row.report_id).then((x) => x.report, () => null);
      if (!sub || !p || !report || !canRead(p, reportProtection(report))) {
        await db.updateTable('hub_outbox').set({ status: 'dropped', last_error: 'no longer readable by the subscriber', lease_until: 0 }).where('id', '=', row.id).execute();
        stats.dropped++;
        continue;
      }
      const view = reportView(p, report);
      try {
        if (sub.channel === 'webhook') {
          await postWebhook(sub.target, JSON.stringify(alertPayload(String(row.id), view)), { ...this.webhookOptions(), secret: sub.secret, deliveryId: String(row.id) });
        } else {
          await this.mail().send({ to: sub.target, ...alertEmail(view) });
        }
        await auditReads(this.hub, actorOf(p, null), 'report', [view], sub.channel);
        await db.updateTable('hub_outbox').set({ status: 'delivered', attempts: row.attempts + 1, delivered_at: this.hub.now(), lease_until: 0, last_error: null }).where('id', '=', row.id).execute();
        stats.delivered++;
      } catch (e) {
        const attempts = row.attempts + 1;
        const reason = e instanceof MamoriError ? e.message : String(e);
        const dead = attempts >= this.hub.config.alerts.maxAttempts;
        const next = this.hub.now() + this.hub.config.alerts.backoffMs * 2 ** (attempts - 1);
        await db.updateTable('hub_outbox').set({ status: dead ? 'dead' : 'pending', attempts, next_at: next, lease_until: 0, last_error: reason.slice(0, 1000) }).where('id', '=', row.id).execute();
        if (dead) stats.dead++; else stats.retried++;
      }
    }
  }

  private async pages(stats: DispatchStats): Promise<void> {
    const { db } = this.hub;
    const now = this.hub.now();
    const due = await db.selectFrom('hub_page').selectAll().where('status', '=', 'open').where('next_escalation_at', '<=', now).where('lease_until', '<=', now).limit(this.batch).execute();
    if (due.length === 0) return;
    const oncall = await db.selectFrom('hub_oncall').selectAll().orderBy('position').execute();
    for (const page of due) {
      if (!(await this.claim('hub_page', page.id))) continue;
      const level = page.level + 1;
      if (level >= oncall.length) {
        await db.updateTable('hub_page').set({ status: 'exhausted', lease_until: 0 }).where('id', '=', page.id).execute();
        stats.exhausted++;
        continue;
      }
      const entry = oncall[level];
      const report = await loadReport(db, page.report_id).then((x) => x.report, () => null);
      const p = await principalOf(this.hub, entry.user_id, ['read'], 'token').catch(() => null);
      const readable = report && p && canRead(p, reportProtection(report)) ? reportView(p, report) : null;
      const msg = pageText(page.id, readable);
      try {
        if (entry.channel === 'email') await this.mail().send({ to: entry.target, ...msg });
        else await postWebhook(entry.target, JSON.stringify({ event: 'page', pageId: page.id, level, ...msg, report: readable }), { ...this.webhookOptions(), deliveryId: `page-${page.id}-${level}` });
        if (readable && p) await auditReads(this.hub, actorOf(p, null), 'report', [readable], `page-${entry.channel}`);
      } catch (e) {
        // A failed notification escalates like an unanswered one.
        this.hub.log.warn({ err: e, page: page.id, level }, 'hub: page notification failed');
      }
      await db.updateTable('hub_page').set({ level, next_escalation_at: this.hub.now() + this.hub.config.paging.ackTimeoutMs, lease_until: 0 }).where('id', '=', page.id).execute();
      stats.paged++;
    }
  }
}

export interface Page {
  id: string;
  reportId: string;
  level: number;
  status: 'open' | 'acked' | 'exhausted';
  openedAt: number;
  nextEscalationAt: number;
  ackedBy: string | null;
  ackedAt: number | null;
}

export async function listPages(hub: HubContext, p: Principal, status?: string): Promise<Page[]> {
  if (!can(p, 'page-ack')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'pages are the coordinator\'s' });
  let q = hub.db.selectFrom('hub_page').selectAll().orderBy('opened_at', 'desc').limit(200);
  if (status) q = q.where('status', '=', status);
  return (await q.execute()).map((r) => ({ id: r.id, reportId: r.report_id, level: r.level, status: r.status as Page['status'], openedAt: Number(r.opened_at), nextEscalationAt: Number(r.next_escalation_at), ackedBy: r.acked_by, ackedAt: r.acked_at === null ? null : Number(r.acked_at) }));
}

/** Stops a page's escalation. */
export async function ackPage(hub: HubContext, p: Principal, actor: Actor, pageId: string): Promise<void> {
  if (!can(p, 'page-ack')) throw new MamoriError('MAMORI_HUB_FORBIDDEN', { reason: 'only the coordinator acknowledges pages' });
  const page = await hub.db.selectFrom('hub_page').select(['status']).where('id', '=', pageId).executeTakeFirst();
  if (!page) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'page', id: pageId });
  if (page.status === 'acked') return;
  await audited(hub, actor, { action: 'page.ack', objectType: 'page', objectId: pageId }, (trx) =>
    trx.updateTable('hub_page').set({ status: 'acked', acked_by: p.userId, acked_at: hub.now() }).where('id', '=', pageId).execute());
}

export interface DeadLetter {
  id: number;
  subscriptionId: string;
  reportId: string;
  attempts: number;
  lastError: string | null;
}

/** Deliveries that gave up, for operators to inspect and retry. */
export async function listDeadLetters(hub: HubContext, p: Principal): Promise<DeadLetter[]> {
  const rows = await hub.db.selectFrom('hub_outbox as o').innerJoin('hub_subscription as s', 's.id', 'o.subscription_id')
    .select(['o.id', 'o.subscription_id', 'o.report_id', 'o.attempts', 'o.last_error', 's.user_id']).where('o.status', '=', 'dead').orderBy('o.id').limit(500).execute();
  return rows.filter((r) => r.user_id === p.userId || can(p, 'manage-orgs')).map((r) => ({ id: Number(r.id), subscriptionId: r.subscription_id, reportId: r.report_id, attempts: r.attempts, lastError: r.last_error }));
}

/** Puts a dead letter back in the queue. */
export async function retryDeadLetter(hub: HubContext, p: Principal, actor: Actor, id: number): Promise<void> {
  const mine = (await listDeadLetters(hub, p)).some((d) => d.id === id);
  if (!mine) throw new MamoriError('MAMORI_HUB_NOT_FOUND', { what: 'dead letter', id });
  await audited(hub, actor, { action: 'outbox.retry', objectType: 'outbox', objectId: String(id) }, (trx) =>
    trx.updateTable('hub_outbox').set({ status: 'pending', attempts: 0, next_at: hub.now(), lease_until: 0 }).where('id', '=', id).execute());
}

