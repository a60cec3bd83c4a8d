/**
 * TSA serial numbers: unique and monotonic across restarts and across TSA processes sharing
 * one store. Each process reserves a block of numbers with one atomic UPDATE ... RETURNING
 * (SQLite and PostgreSQL alike) and hands them out from memory; a restart reserves a fresh
 * block above the persisted high-water mark, so numbers never repeat or go backwards.
 */
import type { Kysely } from 'kysely';
import { MamoriError, type MigrationSet, type Store } from '@mamori/core';

export interface SerialSource {
  next(): bigint | Promise<bigint>;
}

interface TrustTables {
  trust_tsa_serials: { name: string; next_serial: number | bigint; updated_at: number | bigint };
}

export const trustMigrations: MigrationSet = {
  part: 'trust',
  migrations: {
    '0001_tsa_serials': {
      async up(db) {
        await db.schema
          .createTable('trust_tsa_serials')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('next_serial', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute();
      },
    },
  },
};

/** Serials from the store, reserved `blockSize` at a time. */
export class StoreSerialSource implements SerialSource {
  private nextValue = 0n;
  private limit = 0n;
  private pending: Promise<void> | null = null;
  private readonly db: Kysely<TrustTables>;

  constructor(store: Store, private readonly name = 'tsa', private readonly blockSize = 1000) {
    this.db = store.as<TrustTables>();
  }

  next(): bigint | Promise<bigint> {
    if (this.nextValue < this.limit) return this.nextValue++;
    return this.refill().then(() => this.next());
  }

  private refill(): Promise<void> {
    this.pending ??= this.reserve()
      .then(([from, to]) => {
        this.nextValue = from;
        this.limit = to;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }

  /** Reserves [from, to): the counter row holds the first number nobody has reserved. */
  private async reserve(): Promise<[bigint, bigint]> {
    try {
      await this.db
        .insertInto('trust_tsa_serials')
        .values({ name: this.name, next_serial: 1, updated_at: Date.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await this.db
        .updateTable('trust_tsa_serials')
        .set((eb) => ({ next_serial: eb('next_serial', '+', this.blockSize), updated_at: Date.now() }))
        .where('name', '=', this.name)
        .returning('next_serial')
        .executeTakeFirstOrThrow();
      const to = BigInt(row.next_serial);
      return [to - BigInt(this.blockSize), to];
    } catch (e) {
      throw new MamoriError('MAMORI_TRUST_TSA_UNAVAILABLE', { reason: `cannot reserve serial numbers: ${(e as Error).message}` }, { cause: e });
    }
  }
}

/** An in-memory counter (tests, one-shot CLI use). Not persistent. */
export class CounterSerialSource implements SerialSource {
  constructor(private value = 1n) {}
  next(): bigint {
    return this.value++;
  }
}
