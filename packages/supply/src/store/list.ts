/**
 * The trusted list: criteria catalogues (versioned; the operator writes them) and the
 * products and services assessed against them. Every change to a product appends a
 * history row with a snapshot, so "what did the list say on date D" stays answerable.
 */
import type { Kysely } from 'kysely';
import { MamoriError, type Store } from '@mamori/core';
import type { SupplyTables } from './migrations.js';

export type ListStatus = 'listed' | 'suspended' | 'withdrawn';
export type ListKind = 'product' | 'service';

export interface Criterion {
  id: string;
  title: string;
  description?: string;
  /** A required criterion unmet fails a procurement check; an optional one cautions. */
  required: boolean;
}

export interface CriteriaCatalogue {
  version: string;
  title: string;
  publishedAt: number;
  criteria: Criterion[];
}

export interface ListedProduct {
  id: string;
  kind: ListKind;
  manufacturer: string;
  model: string;
  /** Versions the assessment covers (exact strings; `*` for all). */
  versions: string[];
  cpe?: string;
  assessor: string;
  criteriaVersion: string;
  criteriaMet: string[];
  assessedAt: number;
  expiresAt: number;
  status: ListStatus;
  statusReason?: string;
  /** Regular expressions (case-insensitive) a device banner may match, besides manufacturer + model. */
  fingerprints: string[];
  sbomId?: string;
  updatedAt: number;
}

export interface HistoryEntry {
  at: number;
  action: string;
  status: ListStatus;
  actor: string;
  reason?: string;
  snapshot: ListedProduct;
}

export interface NewProduct {
  kind?: ListKind;
  manufacturer: string;
  model: string;
  versions?: string[];
  cpe?: string;
  assessor: string;
  criteriaVersion: string;
  criteriaMet: string[];
  assessedAt: number;
  expiresAt: number;
  fingerprints?: string[];
  id?: string;
}

const slug = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');

const squash = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** How manufacturer + model are compared: case, spacing and punctuation do not matter ("AX-3000" = "ax 3000"). */
export function matchKey(manufacturer: string, model: string): string {
  return `${squash(manufacturer)}|${squash(model)}`;
}

function db(store: Store) {
  return store.as<SupplyTables>();
}

export async function putCriteria(store: Store, c: CriteriaCatalogue): Promise<void> {
  if (!/^[\w.-]{1,64}$/.test(c.version)) throw new MamoriError('MAMORI_SUPPLY_CRITERIA', { version: c.version, reason: 'version must be 1-64 letters, digits, ".", "_" or "-"' });
  const ids = new Set<string>();
  for (const [i, k] of c.criteria.entries()) {
    if (!k.id || !/^[\w.-]{1,64}$/.test(k.id)) throw new MamoriError('MAMORI_SUPPLY_CRITERIA', { version: c.version, field: `criteria[${i}].id`, reason: `criteria[${i}].id is not a valid identifier` });
    if (ids.has(k.id)) throw new MamoriError('MAMORI_SUPPLY_CRITERIA', { version: c.version, field: `criteria[${i}].id`, reason: `criterion ${k.id} defined twice` });
    ids.add(k.id);
  }
  const existing = await db(store).selectFrom('supply_criteria').select('version').where('version', '=', c.version).executeTakeFirst();
  // A published catalogue is immutable: assessments refer to it by version.
  if (existing) throw new MamoriError('MAMORI_SUPPLY_LIST_CONFLICT', { what: `criteria catalogue ${c.version}` });
  await db(store).insertInto('supply_criteria').values({ version: c.version, title: c.title, published_at: c.publishedAt, criteria: JSON.stringify(c.criteria) }).execute();
}

export async function getCriteria(store: Store, version: string): Promise<CriteriaCatalogue | undefined> {
  const r = await db(store).selectFrom('supply_criteria').selectAll().where('version', '=', version).executeTakeFirst();
  return r ? { version: r.version, title: r.title, publishedAt: Number(r.published_at), criteria: JSON.parse(r.criteria) as Criterion[] } : undefined;
}

export async function listCriteria(store: Store): Promise<CriteriaCatalogue[]> {
  const rows = await db(store).selectFrom('supply_criteria').selectAll().orderBy('published_at').execute();
  return rows.map((r) => ({ version: r.version, title: r.title, publishedAt: Number(r.published_at), criteria: JSON.parse(r.criteria) as Criterion[] }));
}

function fromRow(r: SupplyTables['supply_product']): ListedProduct {
  return {
    id: r.id, kind: r.kind as ListKind, manufacturer: r.manufacturer, model: r.model, versions: JSON.parse(r.versions) as string[],
    cpe: r.cpe ?? undefined, assessor: r.assessor, criteriaVersion: r.criteria_version, criteriaMet: JSON.parse(r.criteria_met) as string[],
    assessedAt: Number(r.assessed_at), expiresAt: Number(r.expires_at), status: r.status as ListStatus, statusReason: r.status_reason ?? undefined,
    fingerprints: JSON.parse(r.fingerprints) as string[], sbomId: r.sbom_id ?? undefined, updatedAt: Number(r.updated_at),
  };
}

function toRow(p: ListedProduct): SupplyTables['supply_product'] {
  return {
    id: p.id, kind: p.kind, manufacturer: p.manufacturer, model: p.model, match_key: matchKey(p.manufacturer, p.model),
    versions: JSON.stringify(p.versions), cpe: p.cpe ?? null, assessor: p.assessor, criteria_version: p.criteriaVersion,
    criteria_met: JSON.stringify(p.criteriaMet), assessed_at: p.assessedAt, expires_at: p.expiresAt, status: p.status,
    status_reason: p.statusReason ?? null, fingerprints: JSON.stringify(p.fingerprints), sbom_id: p.sbomId ?? null, updated_at: p.updatedAt,
  };
}

async function record(k: Kysely<SupplyTables>, p: ListedProduct, action: string, actor: string, reason?: string): Promise<void> {
  await k.insertInto('supply_product_history').values({
    product_id: p.id, at: p.updatedAt, action, status: p.status, actor, reason: reason ?? null, snapshot: JSON.stringify(p),
  }).execute();
}

export async function addProduct(store: Store, input: NewProduct, actor: string, now = Date.now()): Promise<ListedProduct> {
  const bad = (field: string, reason: string): MamoriError => new MamoriError('MAMORI_SUPPLY_INPUT', { field, reason });
  if (!input.manufacturer.trim()) throw bad('manufacturer', 'manufacturer is required');
  if (!input.model.trim()) throw bad('model', 'model is required');
  if (!input.assessor.trim()) throw bad('assessor', 'assessor is required');
  if (!(input.expiresAt > input.assessedAt)) throw bad('expiresAt', 'expiry must be after the assessment date');
  const catalogue = await getCriteria(store, input.criteriaVersion);
  if (!catalogue) throw bad('criteriaVersion', `criteria catalogue ${input.criteriaVersion} does not exist`);
  const known = new Set(catalogue.criteria.map((c) => c.id));
  const unknown = input.criteriaMet.filter((c) => !known.has(c));
  if (unknown.length) throw bad('criteriaMet', `criteria not in catalogue ${catalogue.version}: ${unknown.join(', ')}`);
  for (const f of input.fingerprints ?? []) {
    try { new RegExp(f, 'i'); } catch { throw bad('fingerprints', `not a regular expression: ${f}`); }
  }
  const p: ListedProduct = {
    id: input.id ?? slug(`${input.manufacturer} ${input.model}`), kind: input.kind ?? 'product', manufacturer: input.manufacturer.trim(), model: input.model.trim(),
    versions: input.versions?.length ? input.versions : ['*'], cpe: input.cpe, assessor: input.assessor, criteriaVersion: input.criteriaVersion,
    criteriaMet: [...new Set(input.criteriaMet)], assessedAt: input.assessedAt, expiresAt: input.expiresAt, status: 'listed',
    fingerprints: input.fingerprints ?? [], updatedAt: now,
  };
  const clash = await db(store).selectFrom('supply_product').select('id')
    .where((eb) => eb.or([eb('id', '=', p.id), eb('match_key', '=', matchKey(p.manufacturer, p.model))])).executeTakeFirst();
  if (clash) throw new MamoriError('MAMORI_SUPPLY_LIST_CONFLICT', { what: `product ${clash.id}` });
  await db(store).transaction().execute(async (tx) => {
    await tx.insertInto('supply_product').values(toRow(p)).execute();
    await record(tx, p, 'added', actor);
  });
  return p;
}

export async function getProduct(store: Store, id: string): Promise<ListedProduct | undefined> {
  const r = await db(store).selectFrom('supply_product').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function findProduct(store: Store, manufacturer: string, model: string): Promise<ListedProduct | undefined> {
  const r = await db(store).selectFrom('supply_product').selectAll().where('match_key', '=', matchKey(manufacturer, model)).executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

export async function listProducts(store: Store, filter: { status?: ListStatus; kind?: ListKind } = {}): Promise<ListedProduct[]> {
  let q = db(store).selectFrom('supply_product').selectAll().orderBy('manufacturer').orderBy('model');
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  return (await q.execute()).map(fromRow);
}

export async function productHistory(store: Store, id: string): Promise<HistoryEntry[]> {
  const rows = await db(store).selectFrom('supply_product_history').selectAll().where('product_id', '=', id).orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({ at: Number(r.at), action: r.action, status: r.status as ListStatus, actor: r.actor, reason: r.reason ?? undefined, snapshot: JSON.parse(r.snapshot) as ListedProduct }));
}

/** The allowed moves: listed ⇄ suspended, either → withdrawn; withdrawn is final. */
const MOVES: Record<ListStatus, ListStatus[]> = { listed: ['suspended', 'withdrawn'], suspended: ['listed', 'withdrawn'], withdrawn: [] };
const ACTION: Record<ListStatus, string> = { listed: 'reinstated', suspended: 'suspended', withdrawn: 'withdrawn' };

export async function setStatus(store: Store, id: string, status: ListStatus, actor: string, reason: string, now = Date.now()): Promise<ListedProduct> {
  const p = await getProduct(store, id);
  if (!p) throw new MamoriError('MAMORI_NOT_FOUND', { what: `product ${id}` });
  if (!MOVES[p.status].includes(status)) throw new MamoriError('MAMORI_SUPPLY_LIST_STATE', { id, status: p.status, action: ACTION[status] === 'reinstated' ? 'reinstate' : status.replace(/ed$/, '').replace(/withdrawn/, 'withdraw') });
  if (!reason.trim()) throw new MamoriError('MAMORI_SUPPLY_INPUT', { field: 'reason', reason: 'a reason is required to change a listing' });
  const next: ListedProduct = { ...p, status, statusReason: reason, updatedAt: Math.max(now, p.updatedAt) };
  await db(store).transaction().execute(async (tx) => {
    await tx.updateTable('supply_product').set({ status, status_reason: reason, updated_at: next.updatedAt }).where('id', '=', id).execute();
    await record(tx, next, ACTION[status], actor, reason);
  });
  return next;
}

export async function attachSbom(store: Store, id: string, sbomId: string, actor: string, now = Date.now()): Promise<ListedProduct> {
  const p = await getProduct(store, id);
  if (!p) throw new MamoriError('MAMORI_NOT_FOUND', { what: `product ${id}` });
  const next: ListedProduct = { ...p, sbomId, updatedAt: Math.max(now, p.updatedAt) };
  await db(store).transaction().execute(async (tx) => {
    await tx.updateTable('supply_product').set({ sbom_id: sbomId, updated_at: next.updatedAt }).where('id', '=', id).execute();
    await record(tx, next, 'sbom', actor, `SBOM ${sbomId}`);
  });
  return next;
}
