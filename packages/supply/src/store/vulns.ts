/**
 * Vulnerability records in the store, with one key row per package (`npm|lodash`) or CPE
 * product (`cpe|busybox:busybox`) they affect. Matching an SBOM loads only the records whose
 * keys its components have: an index built for the question, not the whole database.
 */
import type { Store } from '@mamori/core';
import { parseCpe } from '../sbom/cpe.js';
import type { SbomComponent } from '../sbom/model.js';
import { normalisePypiName, parsePurl } from '../sbom/purl.js';
import type { VulnRecord } from '../vulns/model.js';
import { VulnIndex } from '../vulns/vuln-index.js';
import type { SupplyTables } from './migrations.js';

/** Store key of a package: text without NUL (PostgreSQL refuses NUL in text). */
export function storeKey(ecosystem: string, name: string): string {
  const eco = ecosystem.split(':')[0];
  const n = eco === 'PyPI' ? normalisePypiName(name) : eco === 'npm' || eco === 'Go' || eco === 'Maven' ? name : name.toLowerCase();
  return `${eco}|${n}`;
}

function recordKeys(r: VulnRecord): string[] {
  const keys = new Set<string>();
  for (const a of r.affected) keys.add(storeKey(a.ecosystem, a.name));
  for (const c of r.cpes) keys.add(`cpe|${c.vendor}:${c.product}`);
  return [...keys];
}

export function componentKeys(c: Pick<SbomComponent, 'purl' | 'cpe'>): string[] {
  const keys: string[] = [];
  if (c.purl) { try { const p = parsePurl(c.purl); keys.push(storeKey(p.ecosystem, p.name)); } catch { /* no key */ } }
  if (c.cpe) { try { const p = parseCpe(c.cpe); keys.push(`cpe|${p.vendor}:${p.product}`); } catch { /* no key */ } }
  return keys;
}

export interface VulnImportResult {
  added: number;
  updated: number;
  unchanged: number;
}

/** Upserts records in batches; a record replaces a stored one only if its `modified` is newer. */
export async function saveVulns(store: Store, records: AsyncIterable<VulnRecord> | Iterable<VulnRecord>, onBatch?: (n: number) => void): Promise<VulnImportResult> {
  const result: VulnImportResult = { added: 0, updated: 0, unchanged: 0 };
  const k = store.as<SupplyTables>();
  let batch: VulnRecord[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const mine = batch;
    batch = [];
    await k.transaction().execute(async (tx) => {
      const ids = mine.map((r) => r.id);
      const existing = new Map((await tx.selectFrom('supply_vuln').select(['id', 'modified']).where('id', 'in', ids).execute()).map((r) => [r.id, r.modified]));
      const seen = new Set<string>();
      for (const r of mine) {
        if (seen.has(r.id)) continue;
        seen.add(r.id);
        const old = existing.get(r.id);
        if (old !== undefined && old >= r.modified) { result.unchanged++; continue; }
        if (old !== undefined) {
          await tx.updateTable('supply_vuln').set({ modified: r.modified, record: JSON.stringify(r), source: r.source }).where('id', '=', r.id).execute();
          await tx.deleteFrom('supply_vuln_key').where('vuln_id', '=', r.id).execute();
          result.updated++;
        } else {
          await tx.insertInto('supply_vuln').values({ id: r.id, source: r.source, modified: r.modified, record: JSON.stringify(r) }).execute();
          result.added++;
        }
        const keys = recordKeys(r);
        if (keys.length) await tx.insertInto('supply_vuln_key').values(keys.map((key) => ({ key, vuln_id: r.id }))).execute();
      }
    });
    onBatch?.(mine.length);
  };
  for await (const r of records as AsyncIterable<VulnRecord>) {
    batch.push(r);
    if (batch.length >= 500) await flush();
  }
  await flush();
  return result;
}

/** An index holding every stored record that concerns any of the given components. */
export async function loadIndexFor(store: Store, components: Pick<SbomComponent, 'purl' | 'cpe'>[]): Promise<VulnIndex> {
  const keys = [...new Set(components.flatMap(componentKeys))];
  const index = new VulnIndex();
  const k = store.as<SupplyTables>();
  const loaded = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await k.selectFrom('supply_vuln_key').innerJoin('supply_vuln', 'supply_vuln.id', 'supply_vuln_key.vuln_id')
      .select(['supply_vuln.id', 'supply_vuln.record']).where('supply_vuln_key.key', 'in', keys.slice(i, i + 500)).execute();
    for (const r of rows) {
      if (loaded.has(r.id)) continue;
      loaded.add(r.id);
      index.add(JSON.parse(r.record) as VulnRecord);
    }
  }
  return index;
}

export async function countVulns(store: Store): Promise<number> {
  const r = await store.as<SupplyTables>().selectFrom('supply_vuln').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function getVuln(store: Store, id: string): Promise<VulnRecord | undefined> {
  const r = await store.as<SupplyTables>().selectFrom('supply_vuln').select('record').where('id', '=', id).executeTakeFirst();
  return r ? (JSON.parse(r.record) as VulnRecord) : undefined;
}
