/**
 * The SQLite connection as Kysely sees it, made cheaper per query:
 * - prepared statements are kept by SQL text (least recently used dropped first): Kysely
 *   prepares every query anew, and on a feed page preparing cost more CPU than running it;
 * - rows are read as arrays and turned into objects by a function made for the statement's
 *   columns: better-sqlite3 builds each row object property by property, which cost three
 *   times the query itself for a 50-row page of 25 columns.
 * Reusing a statement is safe: Kysely runs one query at a time on this connection (a
 * streamed query holds it until done). After any schema change (`schema_version` moves)
 * SQLite re-prepares a statement by itself, and its row maker is made again here.
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

function readerStatement(stmt: Database.Statement, schemaVersion: () => number): KyselyStatement {
  const raw = stmt.raw(true);
  let madeAt = -1;
  let width = -1;
  let make: RowMaker = () => ({});
  const remake = (): void => {
    const columns = raw.columns().map((c) => c.name);
    make = rowMaker(columns);
    width = columns.length;
  };
  const maker = (): RowMaker => {
    const version = schemaVersion();
    if (version !== madeAt) {
      remake();
      madeAt = version;
    }
    return make;
  };
  return {
    reader: true,
    all(parameters) {
      let m = maker();
      const rows = raw.all(parameters as unknown[]) as unknown[][];
      // Another process changed the schema between the version check and the query.
      if (rows.length && rows[0].length !== width) { remake(); m = make; }
      const out = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = m(rows[i]);
      return out;
    },
    run: (parameters) => raw.run(parameters as unknown[]),
    *iterate(parameters) {
      const m = maker();
      for (const r of raw.iterate(parameters as unknown[])) yield m(r as unknown[]);
    },
  };
}

export function cachedStatements(sqlite: Database.Database): KyselyDatabase {
  const cache = new Map<string, KyselyStatement>();
  const versionStmt = sqlite.prepare('pragma schema_version').pluck();
  const schemaVersion = (): number => versionStmt.get() as number;
  return {
    prepare(text) {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        const prepared = sqlite.prepare(text);
        stmt = prepared.reader ? readerStatement(prepared, schemaVersion) : (prepared as unknown as KyselyStatement);
        if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      }
      cache.set(text, stmt);
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}
