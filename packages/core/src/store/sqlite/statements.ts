/**
 * The SQLite connection as Kysely sees it, made cheaper per query:
 * - prepared statements are kept by SQL text (least recently used dropped first): Kysely
 *   prepares every query anew, and on a feed page preparing cost more CPU than running it;
 * - rows are read as arrays and turned into objects by a function made for the statement's
 *   columns: better-sqlite3 builds each row object property by property, which cost three
 *   times the query itself for a 50-row page of 25 columns.
 * Reusing a statement is safe: Kysely runs one query at a time on this connection (a
 * streamed query holds it until done). After a schema change SQLite re-prepares a statement
 * by itself; its row maker is made again after DDL on this connection, or when a row's width
 * differs from it (DDL by another process). Asking SQLite for `schema_version` before each
 * query would cost more than the row building saves.
 */
import type Database from 'better-sqlite3';

const CACHED_STATEMENTS = 256;

/** What Kysely's SqliteDialect calls on a statement. */
export interface KyselyStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): Database.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

export interface KyselyDatabase {
  prepare(sql: string): KyselyStatement;
  close(): void;
}

type RowMaker = (values: unknown[]) => Record<string, unknown>;

/** A function building `{col0: v[0], ...}`; duplicate names keep the last value, as better-sqlite3 does. */
function rowMaker(columns: string[]): RowMaker {
  if (columns.includes('__proto__')) {
    // Assignment, as better-sqlite3 does (an object literal would treat this name differently).
    return (v) => {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) o[columns[i]] = v[i];
      return o;
    };
  }
  const props = columns.map((c, i) => `${JSON.stringify(c)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${props} };`) as RowMaker;
}

function readerStatement(stmt: Database.Statement, ddl: { count: number }): KyselyStatement {
  const raw = stmt.raw(true);
  let madeAt = -1;
  let width = -1;
  let make: RowMaker = () => ({});
  const remake = (): RowMaker => {
    const columns = raw.columns().map((c) => c.name);
    make = rowMaker(columns);
    width = columns.length;
    madeAt = ddl.count;
    return make;
  };
  // Asked after the statement has run: only then has SQLite re-prepared it for a new schema.
  const maker = (row: unknown[]): RowMaker => (madeAt === ddl.count && row.length === width ? make : remake());
  return {
    reader: true,
    all(parameters) {
      const rows = raw.all(parameters as unknown[]) as unknown[][];
      if (rows.length === 0) return rows;
      const m = maker(rows[0]);
      const out = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = m(rows[i]);
      return out;
    },
    run: (parameters) => raw.run(parameters as unknown[]),
    *iterate(parameters) {
      for (const r of raw.iterate(parameters as unknown[]) as IterableIterator<unknown[]>) yield maker(r)(r);
    },
  };
}

const DDL = /^\s*(create|alter|drop)\b/i;

/**
 * Kysely opens every transaction with a deferred `begin`: it takes a read snapshot, and its
 * first write must then upgrade to the write lock. When another process (a second server on
 * the same file) has committed since that snapshot, SQLite cannot upgrade and fails at once
 * with "database is locked", without waiting. Taking the write lock at `begin` makes the second
 * transaction wait its turn (busy_timeout) instead; within one process the single connection
 * already runs transactions one at a time, so nothing changes there.
 */
const BEGIN = 'begin immediate';

export function cachedStatements(sqlite: Database.Database): KyselyDatabase {
  const cache = new Map<string, KyselyStatement>();
  const ddl = { count: 0 };
  return {
    prepare(text) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        const prepared = sqlite.prepare(text === 'begin' ? BEGIN : text);
        stmt = prepared.reader ? readerStatement(prepared, ddl) : (prepared as unknown as KyselyStatement);
        if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      if (!stmt.reader && DDL.test(text)) ddl.count++;
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
