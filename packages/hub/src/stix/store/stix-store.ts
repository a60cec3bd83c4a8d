/**
 * The STIX store: collections, object versions, the per-value index, TAXII status
 * resources and client sync positions, over Kysely (the same queries on SQLite and
 * PostgreSQL).
 *
 * Pages are read in one query each, whatever their size: the filter (collection, types,
 * ids, versions, spec versions, readable TLPs) and the position (date_added, id,
 * version_key) are all in SQL, and the page is fetched with `limit n + 1` to know whether
 * more follow.
 */
import { hash, randomUUID } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import { MamoriError, type Store } from '@mamori/core';
import { canonicalJson } from '../canonical-json.js';
import { effectiveTlp } from '../markings.js';
import { parseStixTimestamp, formatMicros, nowMicros } from '../timestamp.js';
import type { StixTlp } from '../tlp.js';
import { versionOf } from '../validate/validate.js';
import { bulkInsert, textList, type Columns } from './bulk.js';
import type { StixObjectRow, StixTables } from './tables.js';
import { extractValues } from './values.js';

export interface StixCollection {
  id: string;
  title: string;
  description: string | null;
  sharingGroupId: string | null;
  defaultTlp: StixTlp;
  created: number;
}

export interface NewCollection {
  id?: string;
  title: string;
  description?: string;
  sharingGroupId?: string | null;
  defaultTlp?: StixTlp;
}

/** Who adds objects: they own what they add (hub authorisation reads these). */
export interface AddContext {
  ownerOrgId?: string | null;
  authorUserId?: string | null;
  /**
   * Runs inside each chunk's transaction after its objects are written (the audit entry),
   * so the objects and their record commit together or not at all.
   */
  withinTransaction?: (trx: Kysely<StixTables>, stored: { id: string; tlp: StixTlp }[]) => Promise<void>;
}

export interface AddOutcome {
  id: string;
  version: string;
  message?: string;
  /** For objects newly stored: the TLP they were stored under. */
  tlp?: StixTlp;
}

export interface AddResult {
  successes: AddOutcome[];
  failures: AddOutcome[];
}

/** A position in the strict page order. */
export interface PagePosition {
  dateAdded: number;
  id: string;
  versionKey: string;
}

export interface VersionMatch {
  all?: boolean;
  first?: boolean;
  last?: boolean;
  /** Specific versions (STIX timestamps). */
  versions?: string[];
}

/** SQL narrowing by reader: rows of these TLPs, plus rows the reader's organisation or user owns. */
export interface ReadNarrowing {
  tlps: StixTlp[];
  ownerOrgId?: string;
  authorUserId?: string;
}

export interface ObjectQuery {
  collectionId: string;
  objectId?: string;
  after?: PagePosition;
  /** Exclusive, epoch microseconds. */
  addedAfter?: number;
  limit: number;
  ids?: string[];
  types?: string[];
  versions?: VersionMatch;
  specVersions?: string[];
  narrowing?: ReadNarrowing;
}

export interface StoredObject {
  id: string;
  version: string;
  versionKey: string;
  type: string;
  specVersion: string;
  dateAdded: number;
  tlp: StixTlp;
  ownerOrgId: string | null;
  authorUserId: string | null;
  /** The stored JSON text (canonical form): pages send it as it is, without re-serialising. */
  body: string;
  /** The object, parsed from `body` on first use. */
  object: Record<string, unknown>;
}

export interface ObjectPage {
  rows: StoredObject[];
  more: boolean;
}

export interface StatusResource {
  id: string;
  status: 'pending' | 'complete';
  request_timestamp: string;
  total_count: number;
  success_count: number;
  successes: AddOutcome[];
  failure_count: number;
  failures: AddOutcome[];
  pending_count: number;
  pendings: AddOutcome[];
}

const CHUNK = 1000;
/** Most types a page merges branch by branch (match[type] with more falls back to one filtered scan). */
const TYPE_BRANCHES = 16;

const OBJECT_COLUMNS: Columns = [
  ['collection_id', 'text'], ['id', 'text'], ['version', 'text'], ['version_key', 'text'], ['type', 'text'], ['spec_version', 'text'],
  ['date_added', 'bigint'], ['tlp', 'text'], ['owner_org_id', 'text'], ['author_user_id', 'text'], ['is_latest', 'integer'],
  ['is_first', 'integer'], ['digest', 'text'], ['body', 'text'],
];
const VALUE_COLUMNS: Columns = [['collection_id', 'text'], ['kind', 'text'], ['value', 'text'], ['object_id', 'text'], ['version_key', 'text']];

function rowToStored(r: StixObjectRow): StoredObject {
  let parsed: Record<string, unknown> | undefined;
  return {
    id: r.id, version: r.version, versionKey: r.version_key, type: r.type, specVersion: r.spec_version, dateAdded: Number(r.date_added),
    tlp: r.tlp as StixTlp, ownerOrgId: r.owner_org_id, authorUserId: r.author_user_id, body: r.body,
    get object() {
      parsed ??= JSON.parse(r.body) as Record<string, unknown>;
      return parsed;
    },
  };
}

function toCollection(r: StixTables['stix_collection']): StixCollection {
  return { id: r.id, title: r.title, description: r.description, sharingGroupId: r.sharing_group_id, defaultTlp: r.default_tlp as StixTlp, created: Number(r.created) };
}

export class StixStore {
  readonly db: Kysely<StixTables>;
  private lastDateAdded = 0;

  constructor(private readonly store: Store) {
    this.db = store.as<StixTables>();
  }

  // ---- collections -------------------------------------------------------------------

  async createCollection(c: NewCollection): Promise<StixCollection> {
    const row = {
      id: c.id ?? randomUUID(), title: c.title, description: c.description ?? null, sharing_group_id: c.sharingGroupId ?? null,
      default_tlp: c.defaultTlp ?? 'AMBER', created: Date.now(),
    };
    await this.db.insertInto('stix_collection').values(row).execute();
    return toCollection(row);
  }

  async getCollection(id: string): Promise<StixCollection | undefined> {
    const r = await this.db.selectFrom('stix_collection').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toCollection(r) : undefined;
  }

  async listCollections(): Promise<StixCollection[]> {
    return (await this.db.selectFrom('stix_collection').selectAll().orderBy('created').orderBy('id').execute()).map(toCollection);
  }

  // ---- objects -----------------------------------------------------------------------

  /**
   * A date_added strictly after every one already in the collection (µs resolution), taken
   * while holding the collection's write lock. Several servers add to one database: if each
   * used only its own clock, an object could commit with a date_added below one a reader has
   * already paged past (a clock behind, or a slow commit) and a `next` cursor would skip it.
   */
  private async nextDateAdded(trx: Kysely<StixTables>, collectionId: string): Promise<number> {
    const top = await trx.selectFrom('stix_object').select((eb) => eb.fn.max('date_added').as('m')).where('collection_id', '=', collectionId).executeTakeFirst();
    this.lastDateAdded = Math.max(nowMicros(), this.lastDateAdded + 1, Number(top?.m ?? 0) + 1);
    return this.lastDateAdded;
  }

  /**
   * Adds validated objects to a collection. A version already present with the same
   * content succeeds without change; the same id and version with different content fails
   * for that object only. Each chunk is one transaction, so nothing is half-written.
   */
  async add(target: string | StixCollection, objects: Record<string, unknown>[], ctx: AddContext = {}): Promise<AddResult> {
    // A caller that has just looked the collection up passes it, saving the round trip.
    const collection = typeof target === 'string' ? await this.getCollection(target) : target;
    if (!collection) throw new MamoriError('MAMORI_HUB_TAXII_NOT_FOUND', { what: `collection ${String(target)}` });
    const result: AddResult = { successes: [], failures: [] };
    for (let i = 0; i < objects.length; i += CHUNK) {
      const part = await this.addChunk(collection, objects.slice(i, i + CHUNK), ctx);
      result.successes.push(...part.successes);
      result.failures.push(...part.failures);
    }
    return result;
  }

  private async addChunk(collection: StixCollection, objects: Record<string, unknown>[], ctx: AddContext): Promise<AddResult> {
    const canonical = objects.map((o) => {
      const canon = canonicalJson(o);
      return { o, canon, digest: hash('sha256', canon, 'hex'), explicit: versionOf(o) };
    });
    const ids = [...new Set(objects.map((o) => o.id as string))];
    const dialect = this.store.dialect;
    return this.db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') {
        // One writer per collection at a time: latest/first flags and date_added stay consistent.
        await sql`select pg_advisory_xact_lock(hashtext(${`stix:${collection.id}`}))`.execute(trx);
      }
      const dateAdded = await this.nextDateAdded(trx, collection.id);
      const prepared = canonical.map((c) => {
        const version = c.explicit ?? formatMicros(dateAdded);
        return { ...c, version, versionKey: parseStixTimestamp(version)!.key, versionless: c.explicit === undefined };
      });
      const existing = await trx.selectFrom('stix_object')
        .select(['id', 'version_key', 'digest', 'is_latest', 'is_first'])
        .where('collection_id', '=', collection.id).where('id', 'in', textList(dialect, ids))
        .execute();
      const versions = new Map<string, { key: string; digest: string }[]>();
      for (const e of existing) {
        const list = versions.get(e.id) ?? [];
        list.push({ key: e.version_key, digest: e.digest });
        versions.set(e.id, list);
      }
      const result: AddResult = { successes: [], failures: [] };
      const fresh: { p: (typeof prepared)[number]; tlp: StixTlp }[] = [];
      const seen = new Set<string>();
      for (const p of prepared) {
        const id = p.o.id as string;
        const list = versions.get(id) ?? [];
        // Objects without a version (SCOs): identical content is the same object.
        const same = p.versionless ? list.find((v) => v.digest === p.digest) : list.find((v) => v.key === p.versionKey);
        if (same) {
          if (same.digest === p.digest) result.successes.push({ id, version: p.version, message: 'already present' });
          else result.failures.push({ id, version: p.version, message: 'this version exists with different content' });
          continue;
        }
        const k = `${id}|${p.versionKey}`;
        if (seen.has(k)) { result.successes.push({ id, version: p.version, message: 'already present' }); continue; }
        seen.add(k);
        list.push({ key: p.versionKey, digest: p.digest });
        versions.set(id, list);
        const tlp = effectiveTlp(p.o, collection.defaultTlp);
        fresh.push({ p, tlp });
        result.successes.push({ id, version: p.version, tlp });
      }
      if (fresh.length === 0) return result;

      // Latest/first flags: decide in memory from all known versions, then clear the old
      // holders of ids whose latest or first changed (two statements, whatever the count).
      const newLatest = new Map<string, string>(), newFirst = new Map<string, string>();
      for (const [id, list] of versions) {
        newLatest.set(id, list.reduce((a, b) => (b.key > a ? b.key : a), list[0].key));
        newFirst.set(id, list.reduce((a, b) => (b.key < a ? b.key : a), list[0].key));
      }
      const lostLatest = existing.filter((e) => e.is_latest === 1 && newLatest.get(e.id) !== e.version_key).map((e) => e.id);
      const lostFirst = existing.filter((e) => e.is_first === 1 && newFirst.get(e.id) !== e.version_key).map((e) => e.id);
      if (lostLatest.length) {
        await trx.updateTable('stix_object').set({ is_latest: 0 }).where('collection_id', '=', collection.id).where('id', 'in', textList(dialect, lostLatest)).where('is_latest', '=', 1).execute();
      }
      if (lostFirst.length) {
        await trx.updateTable('stix_object').set({ is_first: 0 }).where('collection_id', '=', collection.id).where('id', 'in', textList(dialect, lostFirst)).where('is_first', '=', 1).execute();
      }
      const rows = fresh.map(({ p, tlp }) => {
        const id = p.o.id as string;
        return [
          collection.id, id, p.version, p.versionKey, String(p.o.type), typeof p.o.spec_version === 'string' ? p.o.spec_version : '2.1', dateAdded,
          tlp, ctx.ownerOrgId ?? null, ctx.authorUserId ?? null, newLatest.get(id) === p.versionKey ? 1 : 0, newFirst.get(id) === p.versionKey ? 1 : 0,
          p.digest, p.canon,
        ];
      });
      await bulkInsert(trx, dialect, 'stix_object', OBJECT_COLUMNS, rows);
      const values = fresh.flatMap(({ p }) => extractValues(p.o).map((v) => [collection.id, v.kind, v.value, p.o.id, p.versionKey]));
      await bulkInsert(trx, dialect, 'stix_value', VALUE_COLUMNS, values);
      await ctx.withinTransaction?.(trx, fresh.map(({ p, tlp }) => ({ id: p.o.id as string, tlp })));
      return result;
    });
  }

  /** One page of objects (or of one object's versions) in the strict order (date_added, id, version_key). */
  async page(q: ObjectQuery): Promise<ObjectPage> {
    const limit = Math.max(1, Math.min(q.limit, 10_000));
    const byId = q.objectId !== undefined || !!q.ids?.length;
    const types = q.types?.length ? [...new Set(q.types)] : undefined;
    let rows: StixObjectRow[];
    if (!byId && types && types.length > 1 && types.length <= TYPE_BRANCHES) {
      // Several types: one branch per type, each an ordered range of the (type, date_added, …)
      // index cut at limit + 1, merged. With `type in (…)` the engine walks the page index and
      // filters: rare types in a large collection cost a scan of all of it (5.5 s at 1M rows).
      const branches = types.map((t) => this.db.selectFrom(this.ordered(this.filtered(q, [t]), false, limit).as('b')).selectAll());
      const union = branches.slice(1).reduce((u, b) => u.unionAll(b), branches[0]);
      rows = await this.db.selectFrom(union.as('u')).selectAll().orderBy('date_added').orderBy('id').orderBy('version_key').limit(limit + 1).execute();
    } else {
      rows = await this.ordered(this.filtered(q, types), byId, limit).execute();
    }
    return { rows: rows.slice(0, limit).map(rowToStored), more: rows.length > limit };
  }

  /**
   * The page order, cut at limit + 1. Filtered by id (one object, match[id]), the order is
   * `date_added + 0`: an expression no index provides, so the engine looks the ids up by the
   * primary key and sorts their few versions. With the plain column SQLite prefers the page
   * index for its order and scans the whole collection for them (256 ms at 1M rows, 2 ms by key).
   */
  private ordered<Q extends SelectQueryBuilder<StixTables, 'stix_object', StixObjectRow>>(query: Q, byId: boolean, limit: number) {
    return query.orderBy(byId ? sql`date_added + 0` : sql.ref('date_added')).orderBy('id').orderBy('version_key').limit(limit + 1);
  }

  /** The page's filters (all in SQL: collection, ids, types, versions, spec versions, readable TLPs, position). */
  private filtered(q: ObjectQuery, types: string[] | undefined) {
    let query = this.db.selectFrom('stix_object').selectAll().where('collection_id', '=', q.collectionId);
    if (q.objectId !== undefined) query = query.where('id', '=', q.objectId);
    if (q.ids?.length) query = query.where('id', 'in', q.ids);
    if (types) query = query.where('type', 'in', types);
    if (q.specVersions?.length) query = query.where('spec_version', 'in', q.specVersions);
    // A cursor's position already lies past added_after (it is a row of the same filters), and
    // both bounds on date_added make SQLite start the index range at added_after and walk
    // every row up to the cursor: a collection paged from its start cost O(n²). The cursor
    // alone is the tighter bound.
    const cursorBounds = q.after !== undefined && (q.addedAfter === undefined || q.after.dateAdded > q.addedAfter);
    if (q.addedAfter !== undefined && !cursorBounds) query = query.where('date_added', '>', q.addedAfter);
    const v = q.versions ?? { last: true };
    if (!v.all) {
      const keys = (v.versions ?? []).map((t) => parseStixTimestamp(t)?.key).filter((k): k is string => !!k);
      query = query.where((eb: ExpressionBuilder<StixTables, 'stix_object'>) => {
        const ors = [];
        if (v.last) ors.push(eb('is_latest', '=', 1));
        if (v.first) ors.push(eb('is_first', '=', 1));
        if (keys.length) ors.push(eb('version_key', 'in', keys));
        return ors.length ? eb.or(ors) : sql<boolean>`1 = 0`;
      });
    }
    if (q.narrowing) {
      const n = q.narrowing;
      query = query.where((eb: ExpressionBuilder<StixTables, 'stix_object'>) => {
        const ors = [];
        if (n.tlps.length) ors.push(eb('tlp', 'in', n.tlps));
        // Owners read their own below RED; RED is for its author (and named recipients).
        if (n.ownerOrgId) ors.push(eb.and([eb('owner_org_id', '=', n.ownerOrgId), eb('tlp', '!=', 'RED')]));
        if (n.authorUserId) ors.push(eb('author_user_id', '=', n.authorUserId));
        return ors.length ? eb.or(ors) : sql<boolean>`1 = 0`;
      });
    }
    if (q.after) {
      const a = q.after;
      query = query.where((eb) => eb(eb.refTuple('date_added', 'id', 'version_key'), '>', eb.tuple(a.dateAdded, a.id, a.versionKey)));
    }
    return query;
  }

  /** Objects (in any collection) that carry `value`, through the per-value index. */
  async findByValue(value: string, kind?: string): Promise<{ collectionId: string; objectId: string; kind: string; versionKey: string }[]> {
    let q = this.db.selectFrom('stix_value').select(['collection_id', 'object_id', 'kind', 'version_key']).where('value', '=', value);
    if (kind) q = q.where('kind', '=', kind);
    const rows = await q.limit(10_000).execute();
    return rows.map((r) => ({ collectionId: r.collection_id, objectId: r.object_id, kind: r.kind, versionKey: r.version_key }));
  }

  /** Deletes versions of an object; `withinTransaction` (the audit entry) commits with the delete. */
  async deleteObject(collectionId: string, objectId: string, versionKeys?: string[], withinTransaction?: (trx: Kysely<StixTables>) => Promise<void>): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // The value rows are found through the values the doomed versions were indexed under
      // (stix_value has no index by object: that would cost every add a random index write).
      let doomed = trx.selectFrom('stix_object').select(['version_key', 'body']).where('collection_id', '=', collectionId).where('id', '=', objectId);
      if (versionKeys) doomed = doomed.where('version_key', 'in', versionKeys);
      const gone = await doomed.execute();
      if (gone.length === 0) return 0;
      const r = await trx.deleteFrom('stix_object').where('collection_id', '=', collectionId).where('id', '=', objectId)
        .where('version_key', 'in', gone.map((g) => g.version_key)).executeTakeFirst();
      const values = [...new Set(gone.flatMap((g) => extractValues(JSON.parse(g.body) as Record<string, unknown>).map((v) => v.value)))];
      if (values.length) {
        await trx.deleteFrom('stix_value').where('value', 'in', values).where('collection_id', '=', collectionId).where('object_id', '=', objectId)
          .where('version_key', 'in', gone.map((g) => g.version_key)).execute();
      }
      // Re-elect latest and first among what is left.
      const left = await trx.selectFrom('stix_object').select('version_key').where('collection_id', '=', collectionId).where('id', '=', objectId).orderBy('version_key').execute();
      if (left.length) {
        await trx.updateTable('stix_object').set({ is_latest: 0, is_first: 0 }).where('collection_id', '=', collectionId).where('id', '=', objectId).execute();
        await trx.updateTable('stix_object').set({ is_first: 1 }).where('collection_id', '=', collectionId).where('id', '=', objectId).where('version_key', '=', left[0].version_key).execute();
        await trx.updateTable('stix_object').set({ is_latest: 1 }).where('collection_id', '=', collectionId).where('id', '=', objectId).where('version_key', '=', left[left.length - 1].version_key).execute();
      }
      await withinTransaction?.(trx);
      return Number(r.numDeletedRows);
    });
  }

  // ---- TAXII status resources ----------------------------------------------------------

  /** A status resource; complete at once when `pre` already accounts for every object. */
  async createStatus(collectionId: string, total: number, ownerUserId: string | null, pre: AddResult = { successes: [], failures: [] }, requestTimestamp = nowMicros()): Promise<string> {
    const id = randomUUID();
    const pending = total - pre.successes.length - pre.failures.length;
    await this.db.insertInto('stix_status').values({
      id, collection_id: collectionId, status: pending === 0 ? 'complete' : 'pending', request_timestamp: requestTimestamp, total_count: total,
      success_count: pre.successes.length, failure_count: pre.failures.length, pending_count: pending,
      successes: JSON.stringify(pre.successes), failures: JSON.stringify(pre.failures), owner_user_id: ownerUserId,
    }).execute();
    return id;
  }

  /** Adds outcomes to a status; it becomes complete when nothing is pending any more. */
  async recordStatus(id: string, outcome: AddResult): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const r = await trx.selectFrom('stix_status').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const successes = [...(JSON.parse(r.successes) as AddOutcome[]), ...outcome.successes];
      const failures = [...(JSON.parse(r.failures) as AddOutcome[]), ...outcome.failures];
      const pending = Math.max(0, r.total_count - successes.length - failures.length);
      await trx.updateTable('stix_status').set({
        successes: JSON.stringify(successes), failures: JSON.stringify(failures), success_count: successes.length,
        failure_count: failures.length, pending_count: pending, status: pending === 0 ? 'complete' : 'pending',
      }).where('id', '=', id).execute();
    });
  }

  async getStatus(id: string): Promise<(StatusResource & { collectionId: string; ownerUserId: string | null }) | undefined> {
    const r = await this.db.selectFrom('stix_status').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const successes = JSON.parse(r.successes) as AddOutcome[];
    const failures = JSON.parse(r.failures) as AddOutcome[];
    return {
      id: r.id, status: r.status as 'pending' | 'complete', request_timestamp: formatMicros(Number(r.request_timestamp)),
      total_count: Number(r.total_count), success_count: successes.length, successes, failure_count: failures.length, failures,
      pending_count: Number(r.pending_count), pendings: [], collectionId: r.collection_id, ownerUserId: r.owner_user_id,
    };
  }

  // ---- client sync positions ---------------------------------------------------------

  async getSyncPosition<T>(key: string): Promise<T | undefined> {
    const r = await this.db.selectFrom('stix_sync').select('position').where('key', '=', key).executeTakeFirst();
    return r ? (JSON.parse(r.position) as T) : undefined;
  }

  async setSyncPosition(key: string, position: unknown): Promise<void> {
    const row = { key, position: JSON.stringify(position), updated: Date.now() };
    await this.db.insertInto('stix_sync').values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ position: row.position, updated: row.updated }))
      .execute();
  }
}
