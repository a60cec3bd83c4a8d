/**
 * A Store whose executed statements are counted: the query-count tests assert with it that a
 * page costs the same number of statements whatever its size, and the TAXII bench prints it.
 * Counted where results come back, so statements run as precompiled SQL (bulk inserts) count
 * too.
 */
import type { Kysely, KyselyPlugin } from 'kysely';
import type { Store } from '@mamori/core';

export interface CountingStore {
  store: Store;
  count(): number;
  reset(): void;
}

export function countingStore(inner: Store): CountingStore {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => { n++; return args.result; },
  };
  const db = inner.db.withPlugin(plugin);
  const store: Store = {
    dialect: inner.dialect, db, as: <DB>() => db as never as Kysely<DB>,
    migrate: (sets) => inner.migrate(sets), info: () => inner.info(), close: () => inner.close(),
  };
  return { store, count: () => n, reset: () => { n = 0; } };
}
