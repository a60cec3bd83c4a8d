/**
 * Multi-row upserts without a query builder per batch. Building a 400-row INSERT through
 * Kysely (one object per row, an operation tree, a compile) cost more CPU than the
 * database spent running it; the SQL of an n-row upsert only depends on n and the dialect,
 * so it is compiled once from a template and then run with a flat parameter list (the
 * stores keep the prepared statement per SQL text).
 */
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';

/** SQL of the n-row statement, by n and the SQL of its one-row form (which names the dialect); least recently used first. */
const compiled = new Map<string, string>();
const CACHED_STATEMENTS = 64;
/**
 * Rows per statement at most, as the callers batch them (under SQLite's and PostgreSQL's
 * bound-parameter limits). A shorter tail runs as power-of-two pieces, so each statement
 * has at most a dozen row counts to compile, not one per tail length.
 */
export const FULL_BATCH = 400;

export type BulkRow = Record<string, unknown>;

export class BulkUpsert<D> {
  private readonly sample: BulkRow;

  /**
   * `build(db, rows)` makes the statement for some rows; `run` takes the values of each
   * row in `columns` order (checked once per statement: the template binds exactly those).
   */
  constructor(
    private readonly columns: readonly string[],
    private readonly build: (db: Kysely<D>, rows: BulkRow[]) => Compilable,
  ) {
    this.sample = Object.fromEntries(columns.map((c, i) => [c, i]));
  }

  private sqlFor(db: Kysely<D>, n: number): string {
    // The one-row form is cheap to build and tells the dialect (and any change to the statement).
    const one = this.build(db, [this.sample]).compile();
    const key = `${n}\u0000${one.sql}`;
    let text = compiled.get(key);
    if (text !== undefined) {
      compiled.delete(key); // most recently used goes last
      compiled.set(key, text);
    } else {
      if (one.parameters.length !== this.columns.length || one.parameters.some((v, i) => v !== i)) {
        throw new Error(`bulk upsert binds ${JSON.stringify(one.parameters)}, not its columns in order`);
      }
      const q = this.build(db, Array.from({ length: n }, () => this.sample)).compile();
      if (q.parameters.length !== n * this.columns.length) throw new Error(`bulk upsert of ${n} rows binds ${q.parameters.length} values`);
      text = q.sql;
      if (compiled.size >= CACHED_STATEMENTS) compiled.delete(compiled.keys().next().value!);
      compiled.set(key, text);
    }
    return text;
  }

  /**
   * Runs the statement for the rows whose values `values` holds, row after row in `columns`
   * order: full batches as they are, a shorter tail in power-of-two pieces.
   */
  async run(db: Kysely<D>, values: unknown[]): Promise<void> {
    const width = this.columns.length;
    let row = 0;
    let left = values.length / width;
    while (left > 0) {
      let n = FULL_BATCH;
      if (left < FULL_BATCH) for (n = 1; n * 2 <= left; n *= 2);
      const piece = row === 0 && n === left ? values : values.slice(row * width, (row + n) * width);
      await db.executeQuery(CompiledQuery.raw(this.sqlFor(db, n), piece));
      row += n;
      left -= n;
    }
  }
}
