/**
 * Bulk inserts that skip Kysely's per-value query building: a 1,000-object chunk is 14,000
 * values, and compiling them into a query tree and back to SQL cost more than the engine's
 * own work. The SQL text is made directly and run as a compiled query on the caller's
 * transaction.
 *
 * - SQLite (in-process, no planning cost): multi-row `values (?,…),(…)` statements, the
 *   fastest form better-sqlite3 binds (within SQLite's 32,766-parameter limit).
 * - PostgreSQL: the rows travel as ONE jsonb parameter unpacked by `jsonb_array_elements`,
 *   so the statement has one parameter whatever the row count; a 14,000-parameter statement
 *   would be parsed and planned anew for every chunk.
 */
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { StoreDialect } from '@mamori/core';

export type ColumnType = 'text' | 'bigint' | 'integer';

/** Column names and portable types of a bulk-inserted table, in row order. */
export type Columns = readonly (readonly [string, ColumnType])[];

const SQLITE_MAX_PARAMETERS = 32_000;

function sqliteInsert(table: string, columns: Columns, count: number): string {
  const row = `(${'?,'.repeat(columns.length - 1)}?)`;
  return `insert into "${table}" (${columns.map(([n]) => n).join(', ')}) values ${`${row},`.repeat(count - 1)}${row}`;
}

function postgresInsert(table: string, columns: Columns): string {
  const values = columns.map(([, type], i) => (type === 'text' ? `(value ->> ${i})` : `(value ->> ${i})::${type}`));
  return `insert into "${table}" (${columns.map(([n]) => n).join(', ')}) select ${values.join(', ')} from jsonb_array_elements($1::jsonb) as rows(value)`;
}

/** Inserts `rows` (arrays in column order) into `table` on `db` (a transaction, usually). */
export async function bulkInsert(db: Kysely<any>, dialect: StoreDialect, table: string, columns: Columns, rows: readonly unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  if (dialect === 'postgres') {
    await db.executeQuery(CompiledQuery.raw(postgresInsert(table, columns), [JSON.stringify(rows)]));
    return;
  }
  const per = Math.floor(SQLITE_MAX_PARAMETERS / columns.length);
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    await db.executeQuery(CompiledQuery.raw(sqliteInsert(table, columns, part.length), part.flat()));
  }
}

/** A parenthesised subquery yielding the given strings, for `where x in <list>`. */
export function textList(dialect: StoreDialect, values: readonly string[]): RawBuilder<string> {
  const json = JSON.stringify(values);
  return dialect === 'sqlite'
    ? sql<string>`(select value from json_each(${json}))`
    : sql<string>`(select jsonb_array_elements_text(${json}::jsonb))`;
}
