/**
 * TAXII 2.1 (OASIS Standard, 2021) server logic, free of HTTP: each method takes the
 * authenticated caller and the request's parameters and returns the resource to send.
 * apps/server wires it to Fastify. Each objects/manifest/versions page costs one store
 * query, whatever its size (plus the collection lookup).
 */
import { MamoriError } from '@mamori/core';
import { redactGranular } from '../markings.js';
import type { AddResult, StixCollection, StixStore, StoredObject, StatusResource } from '../store/stix-store.js';
import { formatMicros, nowMicros } from '../timestamp.js';
import { validateObjectsYielding } from '../validate/validate.js';
import type { TaxiiAccess, TaxiiAuditEvent } from './access.js';
import { decodeCursor, encodeCursor, queryDigest } from './cursor.js';
import { STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE } from './media.js';
import { parseTaxiiQuery, type RawQuery, type TaxiiFilter } from './params.js';

export interface TaxiiServiceOptions {
  /** Name of the one API root, served at /taxii2/<name>/. */
  apiRoot: string;
  title: string;
  description?: string;
  contact?: string;
  /** Largest request body accepted, advertised as max_content_length. */
  maxContentLength: number;
  /** Envelopes with more objects than this are processed after the answer (status pending). */
  asyncThreshold: number;
  /** Most objects one envelope may hold. */
  maxObjects: number;
  cursorKey: Buffer;
  /**
   * How long (ms) a collection once found is reused without a statement; default 5,000.
   * Collections are never updated (there is no such path), so this only bounds how long one
   * removed by hand keeps answering. A page then costs the authentication and itself.
   */
  collectionCacheMs?: number;
}

export interface PageAnswer<T> {
  body: T;
  /** X-TAXII-Date-Added-First / -Last, when the page is not empty. */
  first?: string;
  last?: string;
}

export interface Envelope {
  more?: boolean;
  next?: string;
  objects?: Record<string, unknown>[];
}

export interface ManifestRecord {
  id: string;
  date_added: string;
  version: string;
  media_type: string;
}

function notFound(what: string): never {
  throw new MamoriError('MAMORI_HUB_TAXII_NOT_FOUND', { what });
}

/** The status resource just written by `createStatus` with these values (not read back). */
function statusResource(id: string, total: number, outcome: AddResult, requested: number): StatusResource {
  const pending = total - outcome.successes.length - outcome.failures.length;
  return {
    id, status: pending === 0 ? 'complete' : 'pending', request_timestamp: formatMicros(requested), total_count: total,
    success_count: outcome.successes.length, successes: outcome.successes, failure_count: outcome.failures.length, failures: outcome.failures,
    pending_count: pending, pendings: [],
  };
}

export class TaxiiService<P> {
  private readonly background = new Set<Promise<void>>();
  private readonly collectionCache = new Map<string, { c: StixCollection; at: number }>();

  constructor(readonly store: StixStore, readonly access: TaxiiAccess<P>, readonly options: TaxiiServiceOptions) {}

  discovery(baseUrl: string): Record<string, unknown> {
    const root = `${baseUrl}/taxii2/${this.options.apiRoot}/`;
    return {
      title: this.options.title,
      ...(this.options.description ? { description: this.options.description } : {}),
      ...(this.options.contact ? { contact: this.options.contact } : {}),
      default: root,
      api_roots: [root],
    };
  }

  apiRootInfo(): Record<string, unknown> {
    return {
      title: this.options.title,
      ...(this.options.description ? { description: this.options.description } : {}),
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: this.options.maxContentLength,
    };
  }

  private describe(c: StixCollection, rights: { canRead: boolean; canWrite: boolean }): Record<string, unknown> {
    return {
      id: c.id, title: c.title, ...(c.description ? { description: c.description } : {}),
      can_read: rights.canRead, can_write: rights.canWrite, media_types: [STIX_MEDIA_TYPE],
    };
  }

  async collections(principal: P): Promise<{ collections?: Record<string, unknown>[] }> {
    const all = await this.store.listCollections();
    const visible = all.map((c) => ({ c, r: this.access.collectionRights(principal, c) })).filter(({ r }) => r.canRead || r.canWrite);
    return visible.length ? { collections: visible.map(({ c, r }) => this.describe(c, r)) } : {};
  }

  /** The collection if the caller may see it; 404 otherwise, so existence does not leak. */
  private async lookup(id: string): Promise<StixCollection | undefined> {
    const ttl = this.options.collectionCacheMs ?? 5000;
    const hit = this.collectionCache.get(id);
    if (hit && Date.now() - hit.at < ttl) return hit.c;
    const c = await this.store.getCollection(id);
    // Only collections that exist: one created just after a 404 is found at once.
    if (c && ttl > 0) {
      if (this.collectionCache.size >= 1000) this.collectionCache.clear();
      this.collectionCache.set(id, { c, at: Date.now() });
    }
    return c;
  }

  private async visible(principal: P, id: string, need?: 'read' | 'write'): Promise<StixCollection> {
    const c = await this.lookup(id);
    if (!c) notFound(`collection ${id}`);
    const r = this.access.collectionRights(principal, c);
    if (!r.canRead && !r.canWrite) notFound(`collection ${id}`);
    if (need === 'read' && !r.canRead) throw new MamoriError('MAMORI_HUB_TAXII_FORBIDDEN', { reason: `no read access to collection ${id}` });
    if (need === 'write' && !r.canWrite) throw new MamoriError('MAMORI_HUB_TAXII_FORBIDDEN', { reason: `no write access to collection ${id}` });
    return c;
  }

  async collection(principal: P, id: string): Promise<Record<string, unknown>> {
    const c = await this.visible(principal, id);
    return this.describe(c, this.access.collectionRights(principal, c));
  }

  /** One page of rows the caller may read, with the cursor for the next. */
  private async readPage(principal: P, c: StixCollection, endpoint: string, f: TaxiiFilter, objectId?: string) {
    const digest = queryDigest({
      endpoint, collection: c.id, objectId, ids: f.ids, types: f.types, versions: f.versions, spec: f.specVersions, addedAfter: f.addedAfter,
    });
    const after = f.next !== undefined ? decodeCursor(this.options.cursorKey, f.next, digest) : undefined;
    const page = await this.store.page({
      collectionId: c.id, objectId, after, addedAfter: f.addedAfter, limit: f.limit, ids: f.ids, types: f.types,
      versions: f.versions, specVersions: f.specVersions, narrowing: this.access.narrowing(principal, c),
    });
    // SQL narrowed; the authorisation function decides. The cursor still advances past
    // any row it drops, so a page may be short but never wrong.
    const rows = page.rows.filter((r) => this.access.canReadObject(principal, c, r));
    const lastRow = page.rows[page.rows.length - 1];
    const next = page.more && lastRow ? encodeCursor(this.options.cursorKey, { dateAdded: lastRow.dateAdded, id: lastRow.id, versionKey: lastRow.versionKey }, digest) : undefined;
    const first = rows.length ? formatMicros(Math.min(...rows.map((r) => r.dateAdded))) : undefined;
    const last = rows.length ? formatMicros(Math.max(...rows.map((r) => r.dateAdded))) : undefined;
    return { rows, more: page.more, next, first, last };
  }

  private view(principal: P, c: StixCollection, r: StoredObject): Record<string, unknown> {
    return redactGranular(r.object, (level) => this.access.canReadLevel(principal, c, level, r));
  }

  /** The rows of an objects page (or of one object's versions) the caller may read, audited. */
  private async objectsPage(principal: P, collectionId: string, query: RawQuery, objectId?: string) {
    const c = await this.visible(principal, collectionId, 'read');
    const f = parseTaxiiQuery(query);
    if (objectId !== undefined && (f.ids || f.types)) {
      throw new MamoriError('MAMORI_HUB_TAXII_BAD_REQUEST', { field: 'match', reason: 'match[id] and match[type] do not apply to one object' });
    }
    const p = await this.readPage(principal, c, objectId === undefined ? 'objects' : 'object', f, objectId);
    if (objectId !== undefined && p.rows.length === 0 && f.next === undefined) notFound(`object ${objectId}`);
    await this.auditRead(principal, c, p.rows);
    return { c, p };
  }

  async getObjects(principal: P, collectionId: string, query: RawQuery, objectId?: string): Promise<PageAnswer<Envelope>> {
    const { c, p } = await this.objectsPage(principal, collectionId, query, objectId);
    return { body: this.envelope(p.more, p.next, p.rows.map((r) => this.view(principal, c, r))), first: p.first, last: p.last };
  }

  async getObject(principal: P, collectionId: string, objectId: string, query: RawQuery): Promise<PageAnswer<Envelope>> {
    return this.getObjects(principal, collectionId, query, objectId);
  }

  /**
   * The same envelope as `getObjects`, as JSON text for the wire: each object is its stored
   * text unless a granular marking may withhold part of it from this reader, so a page is
   * neither parsed nor re-serialised object by object.
   */
  async getObjectsText(principal: P, collectionId: string, query: RawQuery, objectId?: string): Promise<PageAnswer<string>> {
    const { c, p } = await this.objectsPage(principal, collectionId, query, objectId);
    const objects = p.rows.map((r) => (r.body.includes('"granular_markings"') ? JSON.stringify(this.view(principal, c, r)) : r.body));
    const head = JSON.stringify(this.envelope(p.more, p.next, [])).slice(0, -1);
    return { body: objects.length ? `${head},"objects":[${objects.join(',')}]}` : `${head}}`, first: p.first, last: p.last };
  }

  async manifest(principal: P, collectionId: string, query: RawQuery): Promise<PageAnswer<{ more?: boolean; next?: string; objects?: ManifestRecord[] }>> {
    const c = await this.visible(principal, collectionId, 'read');
    const f = parseTaxiiQuery(query);
    const p = await this.readPage(principal, c, 'manifest', f);
    const objects = p.rows.map((r) => ({ id: r.id, date_added: formatMicros(r.dateAdded), version: r.version, media_type: STIX_MEDIA_TYPE }));
    return { body: { more: p.more, ...(p.next ? { next: p.next } : {}), ...(objects.length ? { objects } : {}) }, first: p.first, last: p.last };
  }

  async versions(principal: P, collectionId: string, objectId: string, query: RawQuery): Promise<PageAnswer<{ more?: boolean; next?: string; versions?: string[] }>> {
    const c = await this.visible(principal, collectionId, 'read');
    const f = parseTaxiiQuery(query, { allowVersion: false, defaultVersion: 'all' });
    if (f.ids || f.types) throw new MamoriError('MAMORI_HUB_TAXII_BAD_REQUEST', { field: 'match', reason: 'only match[spec_version] applies to versions' });
    const p = await this.readPage(principal, c, 'versions', f, objectId);
    if (p.rows.length === 0 && f.next === undefined) notFound(`object ${objectId}`);
    const versions = p.rows.map((r) => r.version);
    return { body: { more: p.more, ...(p.next ? { next: p.next } : {}), ...(versions.length ? { versions } : {}) }, first: p.first, last: p.last };
  }

  private async auditRead(principal: P, c: StixCollection, rows: StoredObject[]): Promise<void> {
    if (rows.length) await this.access.audit?.(principal, { action: 'read', collectionId: c.id, items: rows.map((r) => ({ id: r.id, tlp: r.tlp })) });
  }

  /** Stores objects; each chunk's audit entry is written in the chunk's own transaction. */
  private storeAndAudit(principal: P, c: StixCollection, objects: Record<string, unknown>[], owner: ReturnType<TaxiiAccess<P>['owner']>): Promise<AddResult> {
    const audit = this.access.audit?.bind(this.access);
    return this.store.add(c, objects, {
      ...owner,
      ...(audit ? { withinTransaction: (trx, stored) => audit(principal, { action: 'add', collectionId: c.id, items: stored }, trx) } : {}),
    });
  }

  private envelope(more: boolean, next: string | undefined, objects: Record<string, unknown>[]): Envelope {
    return { more, ...(next ? { next } : {}), ...(objects.length ? { objects } : {}) };
  }

  async deleteObject(principal: P, collectionId: string, objectId: string, query: RawQuery): Promise<void> {
    const c = await this.visible(principal, collectionId, 'write');
    const f = parseTaxiiQuery(query, { defaultVersion: 'all' });
    const p = await this.store.page({ collectionId: c.id, objectId, limit: 10_000, versions: f.versions, specVersions: f.specVersions, narrowing: this.access.narrowing(principal, c) });
    const rows = p.rows.filter((r) => this.access.canReadObject(principal, c, r));
    if (rows.length === 0) notFound(`object ${objectId}`);
    if (!rows.every((r) => this.access.canDeleteObject(principal, c, r))) {
      throw new MamoriError('MAMORI_HUB_TAXII_FORBIDDEN', { reason: `only the organisation that added ${objectId} may delete it` });
    }
    const event: TaxiiAuditEvent = { action: 'delete', collectionId: c.id, items: rows.map((r) => ({ id: r.id, tlp: r.tlp })), detail: { versions: rows.map((r) => r.version) } };
    await this.store.deleteObject(c.id, objectId, rows.map((r) => r.versionKey), async (trx) => { await this.access.audit?.(principal, event, trx); });
  }

  /**
   * Adds an envelope's objects. Invalid objects are failures in the status resource (each
   * names its property); the valid ones are stored. Small envelopes are stored before the
   * answer (status complete); large ones after it (status pending, then complete).
   */
  async addObjects(principal: P, collectionId: string, body: unknown): Promise<StatusResource> {
    const c = await this.visible(principal, collectionId, 'write');
    if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as { objects?: unknown }).objects)) {
      throw new MamoriError('MAMORI_HUB_TAXII_BAD_REQUEST', { field: 'objects', reason: 'the body must be an envelope: {"objects": [...]}' });
    }
    const objects = (body as { objects: unknown[] }).objects;
    if (objects.length > this.options.maxObjects) {
      throw new MamoriError('MAMORI_HUB_TAXII_TOO_LARGE', { size: `${objects.length} objects`, max: `${this.options.maxObjects} objects` });
    }
    const { valid, problems } = await validateObjectsYielding(objects);
    const failed = new Map<number, string[]>();
    for (const p of problems) failed.set(p.index, [...(failed.get(p.index) ?? []), `${p.property || '(object)'}: ${p.message}`]);
    const pre: AddResult = {
      successes: [],
      failures: [...failed].map(([index, messages]) => {
        const o = objects[index] as Record<string, unknown> | null;
        const id = o && typeof o === 'object' && typeof o.id === 'string' ? o.id.slice(0, 300) : `objects[${index}]`;
        const version = o && typeof o === 'object' ? String(o.modified ?? o.created ?? '').slice(0, 40) : '';
        return { id, version, message: `objects[${index}] ${messages.join('; ')}`.slice(0, 1000) };
      }),
    };
    const owner = this.access.owner(principal);
    const toAdd = valid.map((v) => v.object);
    const ownerUser = owner.authorUserId ?? null;
    if (toAdd.length <= this.options.asyncThreshold) {
      // Stored first, then the status written once, complete: no status row to update.
      const requested = nowMicros();
      const stored = await this.storeAndAudit(principal, c, toAdd, owner);
      const outcome = { successes: stored.successes, failures: [...pre.failures, ...stored.failures] };
      const statusId = await this.store.createStatus(c.id, objects.length, ownerUser, outcome, requested);
      return this.publicStatus(statusResource(statusId, objects.length, outcome, requested));
    }
    const requested = nowMicros();
    const statusId = await this.store.createStatus(c.id, objects.length, ownerUser, pre, requested);
    const answer = this.publicStatus(statusResource(statusId, objects.length, pre, requested));
    const work = (async () => {
      for (let i = 0; i < toAdd.length; i += 2000) {
        try {
          await this.store.recordStatus(statusId, await this.storeAndAudit(principal, c, toAdd.slice(i, i + 2000), owner));
        } catch (e) {
          const message = `not stored: ${(e as Error).message}`.slice(0, 500);
          await this.store.recordStatus(statusId, { successes: [], failures: toAdd.slice(i, i + 2000).map((o) => ({ id: String(o.id), version: String(o.modified ?? o.created ?? ''), message })) });
        }
      }
    })();
    const tracked = work.finally(() => this.background.delete(tracked));
    this.background.add(tracked);
    return answer;
  }

  async status(principal: P, statusId: string): Promise<StatusResource> {
    const s = await this.store.getStatus(statusId);
    if (!s) notFound(`status ${statusId}`);
    // A status names the objects of one request: only the caller who made it sees it.
    const owner = this.access.owner(principal);
    if (s.ownerUserId === null || owner.authorUserId !== s.ownerUserId) notFound(`status ${statusId}`);
    return this.publicStatus(s);
  }

  private publicStatus(s: StatusResource): StatusResource {
    const { id, status, request_timestamp, total_count, success_count, successes, failure_count, failures, pending_count } = s;
    return {
      id, status, request_timestamp, total_count, success_count, failure_count, pending_count,
      successes: successes.map(({ id: oid, version, message }) => ({ id: oid, version, ...(message ? { message } : {}) })),
      failures: failures.map(({ id: oid, version, message }) => ({ id: oid, version, ...(message ? { message } : {}) })),
      pendings: [],
    };
  }

  /** Waits for envelopes still being processed (server shutdown, tests). */
  async drain(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
  }
}
