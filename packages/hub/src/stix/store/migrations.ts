/**
 * Schema of the STIX store. Objects are kept per collection and version; the page order
 * (date_added, id, version_key) is a unique, indexed key, so a cursor can always say where
 * it stands. Correlation goes through stix_value (one row per value and object version),
 * not through a pairwise table.
 */
import type { MigrationSet } from '@mamori/core';

export const stixMigrations: MigrationSet = {
  part: 'hub-stix',
  migrations: {
    '0001_init': {
      async up(db) {
        await db.schema.createTable('stix_collection')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('sharing_group_id', 'text')
          .addColumn('default_tlp', 'text', (c) => c.notNull())
          .addColumn('created', 'bigint', (c) => c.notNull())
          .execute();

        await db.schema.createTable('stix_object')
          .addColumn('collection_id', 'text', (c) => c.notNull().references('stix_collection.id').onDelete('cascade'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('version_key', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('spec_version', 'text', (c) => c.notNull())
          .addColumn('date_added', 'bigint', (c) => c.notNull())
          .addColumn('tlp', 'text', (c) => c.notNull())
          .addColumn('owner_org_id', 'text')
          .addColumn('author_user_id', 'text')
          .addColumn('is_latest', 'integer', (c) => c.notNull())
          .addColumn('is_first', 'integer', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('stix_object_pk', ['collection_id', 'id', 'version_key'])
          .execute();
        // The page order, and the same order within one type (match[type]).
        await db.schema.createIndex('stix_object_page').on('stix_object').columns(['collection_id', 'date_added', 'id', 'version_key']).unique().execute();
        await db.schema.createIndex('stix_object_type_page').on('stix_object').columns(['collection_id', 'type', 'date_added', 'id', 'version_key']).execute();

        await db.schema.createTable('stix_value')
          .addColumn('collection_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('object_id', 'text', (c) => c.notNull())
          .addColumn('version_key', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('stix_value_lookup').on('stix_value').columns(['value', 'kind']).execute();
        await db.schema.createIndex('stix_value_object').on('stix_value').columns(['collection_id', 'object_id']).execute();

        await db.schema.createTable('stix_status')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('collection_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('request_timestamp', 'bigint', (c) => c.notNull())
          .addColumn('total_count', 'integer', (c) => c.notNull())
          .addColumn('success_count', 'integer', (c) => c.notNull())
          .addColumn('failure_count', 'integer', (c) => c.notNull())
          .addColumn('pending_count', 'integer', (c) => c.notNull())
          .addColumn('successes', 'text', (c) => c.notNull())
          .addColumn('failures', 'text', (c) => c.notNull())
          .addColumn('owner_user_id', 'text')
          .execute();

        await db.schema.createTable('stix_sync')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('position', 'text', (c) => c.notNull())
          .addColumn('updated', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
    // Every add wrote one random-key entry per value into (collection_id, object_id), an index
    // only deletes used; deletes now find their value rows by the values themselves.
    '0002_drop_value_object_index': {
      async up(db) {
        await db.schema.dropIndex('stix_value_object').ifExists().execute();
      },
    },
  },
};
