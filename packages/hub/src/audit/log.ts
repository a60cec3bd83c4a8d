/**
 * The append-only, hash-chained audit log: every write, and every read of AMBER/RED
 * material (who, what, when, from where). Appends are serialised (a lock on the chain-head row
 * on PostgreSQL; SQLite's single writer) so two servers on one database extend one chain.
 */
import { sql, type Kysely } from 'kysely';
import { MamoriError, PREPARED_STATEMENT } from '@mamori/core';
import type { Principal } from '../access/policy.js';
import type { HubContext } from '../context.js';
import type { HubTables } from '../model/tables.js';
import { checkRun, entryHash, GENESIS_HASH, type AuditEntry } from './chain.js';

/** Who did it and from where. `ip` comes from the request (or `local` for the CLI). */
export interface Actor {
  userId: string | null;
  orgId: string | null;
  ip: string | null;
}

export function actorOf(p: Principal | null, ip?: string | null): Actor {
  return { userId: p?.userId ?? null, orgId: p?.orgId ?? null, ip: ip ?? null };
}

export interface AuditEvent {
  action: string;
  objectType: string;
  objectId?: string | null;
  tlp?: string | null;
  detail?: Record<string, unknown>;
}

/** Appends inside the caller's transaction so the write and its audit entry commit together. */
export async function appendAudit(hub: HubContext, trx: Kysely<HubTables>, actor: Actor, event: AuditEvent): Promise<number> {
  return (await appendAuditBatch(hub, trx, [{ actor, event }]))[0];
}

type ChainedEntry = AuditEntry & { hash: string };
interface Head { seq: number; hash: string }

/** The chain head as this process last left it with the fast path (PostgreSQL only). */
const knownHeads = new WeakMap<HubContext, Head>();

/**
 * Appends several entries in order with one chain lock, one read of the head and one insert
 * (a group commit pays per batch, not per entry). Returns their sequence numbers.
 */
export async function appendAuditBatch(hub: HubContext, trx: Kysely<HubTables>, entries: { actor: Actor; event: AuditEvent }[]): Promise<number[]> {
  if (entries.length === 0) return [];
  // This transaction moves the chain past any head the read-audit fast path remembers.
  knownHeads.delete(hub);
  // Locking the head row serialises appenders (SQLite has one writer anyway); a waiting
  // appender reads the head its predecessor left.
  const headQuery = trx.selectFrom('hub_audit_head').select(['seq', 'hash']).where('id', '=', 1);
  const last = await (hub.dialect === 'postgres' ? headQuery.forUpdate() : headQuery).executeTakeFirstOrThrow();
  const { rows, checkpoints } = chainEntries(hub, { seq: Number(last.seq), hash: last.hash }, entries);
  await trx.insertInto('hub_audit').values(rows as any).execute();
  if (checkpoints.length) await trx.insertInto('hub_audit_checkpoint').values(checkpoints).execute();
  return rows.map((r) => r.seq);
}


/** The entries linked onto `head`, and the checkpoints that fall among them. */
function chainEntries(hub: HubContext, from: Head, entries: { actor: Actor; event: AuditEvent }[]): { rows: ChainedEntry[]; checkpoints: { seq: number; hash: string; at: number; stamp: null; stamp_kind: null }[] } {
  let head = from;
  const at = hub.now();
  const rows: ChainedEntry[] = [];
  const checkpoints = [];
  for (const { actor, event } of entries) {
    const entry: AuditEntry = {
      seq: head.seq + 1,
      at,
      user_id: actor.userId,
      org_id: actor.orgId,
      ip: actor.ip,
      action: event.action,
      object_type: event.objectType,
      object_id: event.objectId ?? null,
      tlp: event.tlp ?? null,
      detail: JSON.stringify(event.detail ?? {}),
      prev_hash: head.hash,
    };
    const hash = entryHash(entry);
    rows.push({ ...entry, hash });
    if (entry.seq % hub.config.audit.checkpointEvery === 0) checkpoints.push({ seq: entry.seq, hash, at, stamp: null, stamp_kind: null });
    head = { seq: entry.seq, hash };
  }
  return { rows, checkpoints };
}


/**
 * PostgreSQL read-audit append in one autocommitted statement (one round trip and one commit,
 * instead of begin, lock, insert and commit): the rows are linked onto the head this process
 * expects, and inserted only if the head row, locked by the statement, is still that head.
 * Another server having appended meanwhile inserts nothing; then the head is re-read and the
 * batch re-linked. Returns false when the caller must use the transactional path (a batch that
 * reaches a checkpoint, or repeated contention).
 */
async function appendReadsAutocommit(hub: HubContext, batch: { actor: Actor; event: AuditEvent }[]): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let head = knownHeads.get(hub);
    if (!head) {
      const row = await hub.db.selectFrom('hub_audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      head = { seq: Number(row.seq), hash: row.hash };
    }
    const { rows, checkpoints } = chainEntries(hub, head, batch);
    if (checkpoints.length) return false;
    const col = <K extends keyof ChainedEntry>(k: K): ChainedEntry[K][] => rows.map((r) => r[k]);
    const result = await sql`${sql.raw(PREPARED_STATEMENT)} insert into hub_audit (seq, at, user_id, org_id, ip, action, object_type, object_id, tlp, detail, prev_hash, hash)
      select * from unnest(${col('seq')}::bigint[], ${col('at')}::bigint[], ${col('user_id')}::text[], ${col('org_id')}::text[], ${col('ip')}::text[],
        ${col('action')}::text[], ${col('object_type')}::text[], ${col('object_id')}::text[], ${col('tlp')}::text[], ${col('detail')}::text[],
        ${col('prev_hash')}::text[], ${col('hash')}::text[])
      where exists (select 1 from hub_audit_head h where h.id = 1 and h.seq = ${head.seq} and h.hash = ${head.hash} for update)`.execute(hub.db);
    if (Number(result.numAffectedRows ?? 0) === rows.length) {
      const last = rows[rows.length - 1];
      knownHeads.set(hub, { seq: last.seq, hash: last.hash });
      return true;
    }
    knownHeads.delete(hub);
  }
  return false;
}

/** Runs `write` and its audit entry in one transaction. */
export async function audited<T>(hub: HubContext, actor: Actor, event: AuditEvent | ((result: T) => AuditEvent), write: (trx: Kysely<HubTables>) => Promise<T>): Promise<T> {
  const result = await hub.db.transaction().execute(async (trx) => {
    const r = await write(trx);
    await appendAudit(hub, trx, actor, typeof event === 'function' ? event(r) : event);
    return r;
  });
  await stampPending(hub).catch((e) => hub.log.warn({ err: e }, 'audit checkpoint stamping failed; will retry'));
  return result;
}

/**
 * Records reads of AMBER / RED material (one entry per request, naming every item). The
 * caller waits until its entry is committed, so nothing is shown unlogged; entries from
 * concurrent requests share one transaction (group commit), so a busy feed pays one chain
 * lock and one commit per batch rather than per request.
 */
export async function auditReads(hub: HubContext, actor: Actor, objectType: string, items: { id: string; tlp: string }[], via: string): Promise<void> {
  const sensitive = items.filter((i) => i.tlp !== 'CLEAR' && i.tlp !== 'GREEN');
  if (sensitive.length === 0) return;
  const strictest = sensitive.some((i) => i.tlp === 'RED') ? 'RED' : sensitive.some((i) => i.tlp === 'AMBER+STRICT') ? 'AMBER+STRICT' : 'AMBER';
  await groupCommit(hub, actor, {
    action: 'read', objectType, objectId: sensitive.length === 1 ? sensitive[0].id : null, tlp: strictest,
    detail: { via, ids: sensitive.map((i) => i.id) },
  });
}

interface Pending { actor: Actor; event: AuditEvent; done(err?: unknown): void }
interface ReadQueue { pending: Pending[]; flushing: boolean }
const readQueues = new WeakMap<HubContext, ReadQueue>();
const MAX_GROUP = 200;

function groupCommit(hub: HubContext, actor: Actor, event: AuditEvent): Promise<void> {
  let q = readQueues.get(hub);
  if (!q) readQueues.set(hub, (q = { pending: [], flushing: false }));
  const queue = q;
  return new Promise<void>((resolve, reject) => {
    queue.pending.push({ actor, event, done: (err) => (err ? reject(err) : resolve()) });
    if (!queue.flushing) {
      // The flush starts after this turn of the event loop, so the requests whose reads finish
      // in the same turn (with SQLite, every request served from one batch of socket reads)
      // share its transaction instead of the first one committing alone.
      queue.flushing = true;
      setImmediate(() => void flush(hub, queue));
    }
  });
}

async function flush(hub: HubContext, queue: ReadQueue): Promise<void> {
  try {
    while (queue.pending.length) {
      const batch = queue.pending.splice(0, MAX_GROUP);
      try {
        if (!(hub.dialect === 'postgres' && (await appendReadsAutocommit(hub, batch)))) {
          await hub.db.transaction().execute((trx) => appendAuditBatch(hub, trx, batch));
        }
        for (const p of batch) p.done();
      } catch (e) {
        for (const p of batch) p.done(e);
      }
    }
  } finally {
    queue.flushing = false;
  }
}

const stampRetryAt = new WeakMap<HubContext, number>();

/**
 * Stamps checkpoints that have no time stamp yet, when a stamper is configured. After a
 * failure (TSA down, keys missing) it waits a minute before trying again, so writes do not
 * each pay for an unreachable TSA.
 */
export async function stampPending(hub: HubContext, options: { force?: boolean; limit?: number } = {}): Promise<number> {
  if (!hub.stampCheckpoint) return 0;
  if (!options.force && (stampRetryAt.get(hub) ?? 0) > hub.now()) return 0;
  const pending = await hub.db.selectFrom('hub_audit_checkpoint').select(['seq', 'hash']).where('stamp', 'is', null).orderBy('seq').limit(options.limit ?? 10).execute();
  try {
    for (const cp of pending) {
      const { kind, token } = await hub.stampCheckpoint(cp.hash);
      await hub.db.updateTable('hub_audit_checkpoint').set({ stamp: token, stamp_kind: kind }).where('seq', '=', cp.seq).where('stamp', 'is', null).execute();
    }
  } catch (e) {
    stampRetryAt.set(hub, hub.now() + 60_000);
    throw e;
  }
  return pending.length;
}

/** Writes a checkpoint at the current head now (e.g. before an export or at shutdown). */
export async function checkpointNow(hub: HubContext): Promise<{ seq: number; hash: string } | null> {
  const head = await hub.db.selectFrom('hub_audit').select(['seq', 'hash', 'at']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!head) return null;
  const existing = await hub.db.selectFrom('hub_audit_checkpoint').select('seq').where('seq', '=', head.seq).executeTakeFirst();
  if (!existing) await hub.db.insertInto('hub_audit_checkpoint').values({ seq: head.seq, hash: head.hash, at: hub.now(), stamp: null, stamp_kind: null }).execute();
  await stampPending(hub, { force: true, limit: 10_000 });
  return { seq: head.seq, hash: head.hash };
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  stampedCheckpoints: number;
  head: { seq: number; hash: string } | null;
  fault?: { seq: number; reason: string };
}

/**
 * Walks the whole chain in order and checks every link and every checkpoint. A deleted,
 * reordered, altered or truncated entry is reported with the first sequence number at fault.
 */
export async function verifyAudit(hub: HubContext, options: { batch?: number; verifyStamp?: (hashHex: string, kind: string, token: string) => Promise<boolean> } = {}): Promise<AuditVerification> {
  const batch = options.batch ?? 5000;
  const checkpoints = await hub.db.selectFrom('hub_audit_checkpoint').selectAll().orderBy('seq').execute();
  const cpBySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let last = { seq: 0, hash: GENESIS_HASH };
  let entries = 0;
  let fault: AuditVerification['fault'];
  for (;;) {
    const rows = await hub.db.selectFrom('hub_audit').selectAll().where('seq', '>', last.seq).orderBy('seq').limit(batch).execute();
    if (rows.length === 0) break;
    const run = checkRun(last, rows as any);
    entries += run.fault ? run.last.seq - last.seq : rows.length;
    for (const r of rows) {
      if (r.seq > run.last.seq) break;
      const cp = cpBySeq.get(r.seq);
      if (cp && cp.hash !== r.hash) { fault = { seq: r.seq, reason: 'differs from its checkpoint' }; break; }
    }
    last = run.last;
    if (fault) break;
    if (run.fault) { fault = run.fault; break; }
  }
  if (!fault) {
    const beyond = checkpoints.find((c) => c.seq > last.seq);
    if (beyond) fault = { seq: last.seq + 1, reason: `log truncated: checkpoint ${beyond.seq} is past the last entry` };
  }
  if (!fault) {
    // The head row is advanced by the database on every insert: a tail cut off after the last checkpoint shows here.
    const head = await hub.db.selectFrom('hub_audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    const headSeq = Number(head?.seq ?? 0);
    if (headSeq > last.seq) fault = { seq: last.seq + 1, reason: `log truncated: the chain head is entry ${headSeq}` };
    else if (head && (headSeq !== last.seq || head.hash !== last.hash)) fault = { seq: headSeq || 1, reason: `the chain head (entry ${headSeq}) does not match the last entry (${last.seq})` };
  }
  let stamped = 0;
  for (const cp of checkpoints) {
    if (!cp.stamp || !cp.stamp_kind) continue;
    if (options.verifyStamp && !(await options.verifyStamp(cp.hash, cp.stamp_kind, cp.stamp))) {
      fault ??= { seq: cp.seq, reason: 'checkpoint time stamp does not verify' };
    } else stamped++;
  }
  return { ok: !fault, entries, checkpoints: checkpoints.length, stampedCheckpoints: stamped, head: entries ? last : null, fault };
}

/** Throws MAMORI_HUB_AUDIT_BROKEN when verification fails. */
export async function assertAuditIntact(hub: HubContext): Promise<AuditVerification> {
  const v = await verifyAudit(hub);
  if (!v.ok) throw new MamoriError('MAMORI_HUB_AUDIT_BROKEN', { seq: v.fault!.seq, reason: v.fault!.reason });
  return v;
}
