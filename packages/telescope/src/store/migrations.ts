/** The telescope's schema: the same migration on SQLite and PostgreSQL (portable types only). */
import { autoId, type MigrationSet } from '@mamori/core';

export const telescopeMigrations: MigrationSet = {
  part: 'telescope',
  migrations: {
    '0001_init': {
      async up(db, dialect) {
        await db.schema.createTable('telescope_intervals')
          .addColumn('bucket_ms', 'bigint', (c) => c.primaryKey())
          .addColumn('bucket_size_ms', 'bigint', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('sources', 'bigint', (c) => c.notNull())
          .addColumn('by_class', 'text', (c) => c.notNull())
          .addColumn('amplification', 'bigint', (c) => c.notNull())
          .addColumn('fingerprinted', 'text', (c) => c.notNull())
          .execute();

        await db.schema.createTable('telescope_port_rollups')
          .addColumn('bucket_ms', 'bigint', (c) => c.notNull())
          .addColumn('proto', 'varchar(8)', (c) => c.notNull())
          .addColumn('port', 'integer', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('sources', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('telescope_port_rollups_pk', ['bucket_ms', 'proto', 'port'])
          .execute();
        await db.schema.createIndex('telescope_port_rollups_port').on('telescope_port_rollups').columns(['proto', 'port', 'bucket_ms']).execute();

        await db.schema.createTable('telescope_source_rollups')
          .addColumn('bucket_ms', 'bigint', (c) => c.notNull())
          .addColumn('src', 'varchar(45)', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('syn_scan', 'bigint', (c) => c.notNull())
          .addColumn('tcp_other', 'bigint', (c) => c.notNull())
          .addColumn('udp_probe', 'bigint', (c) => c.notNull())
          .addColumn('icmp_probe', 'bigint', (c) => c.notNull())
          .addColumn('backscatter', 'bigint', (c) => c.notNull())
          .addColumn('ports', 'bigint', (c) => c.notNull())
          .addColumn('fingerprint', 'varchar(16)')
          .addColumn('first_ms', 'bigint', (c) => c.notNull())
          .addColumn('last_ms', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('telescope_source_rollups_pk', ['bucket_ms', 'src'])
          .execute();
        await db.schema.createIndex('telescope_source_rollups_src').on('telescope_source_rollups').columns(['src', 'bucket_ms']).execute();

        await db.schema.createTable('telescope_victims')
          .addColumn('victim', 'varchar(45)', (c) => c.notNull())
          .addColumn('first_ms', 'bigint', (c) => c.notNull())
          .addColumn('last_ms', 'bigint', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('ports', 'text', (c) => c.notNull())
          .addColumn('max_ppm', 'bigint', (c) => c.notNull())
          .addColumn('observed_pps', 'double precision', (c) => c.notNull())
          .addColumn('estimated_pps', 'double precision')
          .addPrimaryKeyConstraint('telescope_victims_pk', ['victim', 'first_ms'])
          .execute();
        await db.schema.createIndex('telescope_victims_last').on('telescope_victims').column('last_ms').execute();

        await autoId(db.schema.createTable('telescope_alerts'), dialect)
          .addColumn('bucket_ms', 'bigint', (c) => c.notNull())
          .addColumn('proto', 'varchar(8)', (c) => c.notNull())
          .addColumn('port', 'integer', (c) => c.notNull())
          .addColumn('sources', 'bigint', (c) => c.notNull())
          .addColumn('baseline_mean', 'double precision', (c) => c.notNull())
          .addColumn('baseline_stddev', 'double precision', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('telescope_alerts_unique', ['bucket_ms', 'proto', 'port'])
          .execute();

        await db.schema.createTable('telescope_infected')
          .addColumn('address', 'varchar(45)', (c) => c.primaryKey())
          .addColumn('fingerprint', 'varchar(16)', (c) => c.notNull())
          .addColumn('first_ms', 'bigint', (c) => c.notNull())
          .addColumn('last_ms', 'bigint', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('ports', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('telescope_infected_last').on('telescope_infected').column('last_ms').execute();

        await autoId(db.schema.createTable('telescope_ingests'), dialect)
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('started_ms', 'bigint', (c) => c.notNull())
          .addColumn('finished_ms', 'bigint', (c) => c.notNull())
          .addColumn('frames', 'bigint', (c) => c.notNull())
          .addColumn('packets', 'bigint', (c) => c.notNull())
          .addColumn('bytes', 'bigint', (c) => c.notNull())
          .addColumn('first_ms', 'bigint')
          .addColumn('last_ms', 'bigint')
          .execute();
      },
    },
    '0002_applied': {
      async up(db) {
        // Batches the analyzer has merged, written in the same transaction as the merge:
        // a redelivered batch finds its row and is acknowledged without effect.
        await db.schema.createTable('telescope_applied')
          .addColumn('sensor', 'varchar(128)', (c) => c.notNull())
          .addColumn('batch', 'varchar(128)', (c) => c.notNull())
          .addColumn('applied_ms', 'bigint', (c) => c.notNull())
          .addColumn('rows', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('telescope_applied_pk', ['sensor', 'batch'])
          .execute();
      },
    },
    '0003_files': {
      async up(db) {
        // Pruning old markers scans by age.
        await db.schema.createIndex('telescope_applied_age').on('telescope_applied').column('applied_ms').execute();
        // Capture files counted, by content digest: `telescope ingest` of the same bytes
        // again is recognised (report: the first ingest's figures, JSON).
        await db.schema.createTable('telescope_files')
          .addColumn('digest', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('ingested_ms', 'bigint', (c) => c.notNull())
          .addColumn('report', 'text', (c) => c.notNull())
          .execute();
      },
    },
  },
};
