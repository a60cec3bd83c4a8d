/** Imported SBOMs, kept in their normalised form (components and edges), keyed by content hash. */
import { createHash } from 'node:crypto';
import { MamoriError, type Store } from '@mamori/core';
import type { Sbom, SbomComponent } from '../sbom/model.js';
import type { SupplyTables } from './migrations.js';

export interface StoredSbomSummary {
  id: string;
  importedAt: number;
  format: string;
  specVersion: string;
  name?: string;
  components: number;
}

/** Stores an SBOM; the same content imported twice is one row. Returns its id. */
export async function saveSbom(store: Store, sbom: Sbom, now = Date.now()): Promise<StoredSbomSummary> {
  const components = JSON.stringify(sbom.components);
  const dependencies = JSON.stringify([...sbom.dependencies]);
  const id = `sbom-${createHash('sha256').update(sbom.format).update(sbom.root ?? '').update(components).update(dependencies).digest('hex').slice(0, 24)}`;
  const k = store.as<SupplyTables>();
  await k.insertInto('supply_sbom').values({
    id, imported_at: now, format: sbom.format, spec_version: sbom.specVersion, name: sbom.name ?? null, root: sbom.root ?? null,
    component_count: sbom.components.length, components, dependencies,
  }).onConflict((oc) => oc.column('id').doNothing()).execute();
  return { id, importedAt: now, format: sbom.format, specVersion: sbom.specVersion, name: sbom.name, components: sbom.components.length };
}

export async function loadSbom(store: Store, id: string): Promise<Sbom> {
  const r = await store.as<SupplyTables>().selectFrom('supply_sbom').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new MamoriError('MAMORI_NOT_FOUND', { what: `SBOM ${id}` });
  return {
    format: r.format as Sbom['format'], encoding: 'json', specVersion: r.spec_version, name: r.name ?? undefined, root: r.root ?? undefined,
    components: JSON.parse(r.components) as SbomComponent[], dependencies: new Map(JSON.parse(r.dependencies) as [string, string[]][]), issues: [],
  };
}

export async function listSboms(store: Store): Promise<StoredSbomSummary[]> {
  const rows = await store.as<SupplyTables>().selectFrom('supply_sbom')
    .select(['id', 'imported_at', 'format', 'spec_version', 'name', 'component_count']).orderBy('imported_at', 'desc').execute();
  return rows.map((r) => ({ id: r.id, importedAt: Number(r.imported_at), format: r.format, specVersion: r.spec_version, name: r.name ?? undefined, components: Number(r.component_count) }));
}
