import type { MigrationSet } from '@mamori/core';
import { autoId } from '@mamori/core';

/** The supply part's tables; the same migration runs on SQLite and PostgreSQL. */
export const supplyMigrations: MigrationSet = {
  part: 'supply',
  migrations: {
    '0001_init': {
      async up(db, dialect) {
        await db.schema.createTable('supply_criteria')
          .addColumn('version', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('published_at', 'bigint', (c) => c.notNull())
          .addColumn('criteria', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('supply_product')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('manufacturer', 'text', (c) => c.notNull())
          .addColumn('model', 'text', (c) => c.notNull())
          .addColumn('match_key', 'text', (c) => c.notNull().unique())
          .addColumn('versions', 'text', (c) => c.notNull())
          .addColumn('cpe', 'text')
          .addColumn('assessor', 'text', (c) => c.notNull())
          .addColumn('criteria_version', 'text', (c) => c.notNull())
          .addColumn('criteria_met', 'text', (c) => c.notNull())
          .addColumn('assessed_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_reason', 'text')
          .addColumn('fingerprints', 'text', (c) => c.notNull())
          .addColumn('sbom_id', 'text')
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
        await autoId(db.schema.createTable('supply_product_history'), dialect)
          .addColumn('product_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('snapshot', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('supply_product_history_product').on('supply_product_history').columns(['product_id', 'at']).execute();
        await db.schema.createTable('supply_sbom')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('imported_at', 'bigint', (c) => c.notNull())
          .addColumn('format', 'text', (c) => c.notNull())
          .addColumn('spec_version', 'text', (c) => c.notNull())
          .addColumn('name', 'text')
          .addColumn('root', 'text')
          .addColumn('component_count', 'integer', (c) => c.notNull())
          .addColumn('components', 'text', (c) => c.notNull())
          .addColumn('dependencies', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('supply_vuln')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('modified', 'text', (c) => c.notNull())
          .addColumn('record', 'text', (c) => c.notNull())
          .execute();
        // One row per (package or CPE product, record): what makes "records about this package" a lookup.
        await db.schema.createTable('supply_vuln_key')
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('vuln_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('supply_vuln_key_pk', ['key', 'vuln_id'])
          .execute();
        await db.schema.createIndex('supply_vuln_key_vuln').on('supply_vuln_key').column('vuln_id').execute();
        await db.schema.createTable('supply_advisory_sent')
          .addColumn('product_id', 'text', (c) => c.notNull())
          .addColumn('vuln_id', 'text', (c) => c.notNull())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('supply_advisory_sent_pk', ['product_id', 'vuln_id'])
          .execute();
      },
    },
  },
};

export interface SupplyTables {
  supply_criteria: { version: string; title: string; published_at: number; criteria: string };
  supply_product: {
    id: string; kind: string; manufacturer: string; model: string; match_key: string; versions: string; cpe: string | null;
    assessor: string; criteria_version: string; criteria_met: string; assessed_at: number; expires_at: number;
    status: string; status_reason: string | null; fingerprints: string; sbom_id: string | null; updated_at: number;
  };
  supply_product_history: { id?: number; product_id: string; at: number; action: string; status: string; actor: string; reason: string | null; snapshot: string };
  supply_sbom: { id: string; imported_at: number; format: string; spec_version: string; name: string | null; root: string | null; component_count: number; components: string; dependencies: string };
  supply_vuln: { id: string; source: string; modified: string; record: string };
  supply_vuln_key: { key: string; vuln_id: string };
  supply_advisory_sent: { product_id: string; vuln_id: string; at: number };
}
