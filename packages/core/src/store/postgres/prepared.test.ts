import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_DATABASE_URL, uniqueName } from '../../testing.js';
import type { Store } from '../store.js';
import { openPostgresStore } from './postgres-store.js';
import { PREPARED_STATEMENT } from './prepared.js';

// One pooled connection, so every statement below runs in the same session.
let store: Store;
const schema = uniqueName('prepared').toLowerCase().replace(/[^a-z0-9_]/g, '_');
beforeAll(async () => {
  store = await openPostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 1 });
  await sql`create table t (a integer, b text)`.execute(store.db);
  await sql`insert into t values (1, 'one'), (2, 'two'), (3, 'three')`.execute(store.db);
});
afterAll(async () => {
  await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
  await store.close();
});

const marked = (min: number) => sql<{ a: number; b: string }>`${sql.raw(PREPARED_STATEMENT)} select a, b from t where a >= ${min} order by a`;
const preparedInSession = async (): Promise<string[]> =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements order by name`.execute(store.db)).rows.map((r) => r.statement);

it('prepares a marked statement once per connection and binds new values each time', async () => {
  expect(await preparedInSession()).toEqual([]);
  expect((await marked(2).execute(store.db)).rows).toEqual([{ a: 2, b: 'two' }, { a: 3, b: 'three' }]);
  expect((await marked(3).execute(store.db)).rows).toEqual([{ a: 3, b: 'three' }]);
  await sql`insert into t values (4, 'four')`.execute(store.db);
  expect((await marked(4).execute(store.db)).rows).toEqual([{ a: 4, b: 'four' }]);
  const statements = await preparedInSession();
  expect(statements).toHaveLength(1);
  expect(statements[0].startsWith(PREPARED_STATEMENT)).toBe(true);
});

it('leaves unmarked statements unnamed, and works inside transactions', async () => {
  await sql`select a from t where a = ${1}`.execute(store.db);
  const rows = await store.db.transaction().execute(async (trx) => {
    await sql`insert into t values (5, 'five')`.execute(trx);
    return (await marked(5).execute(trx)).rows;
  });
  expect(rows).toEqual([{ a: 5, b: 'five' }]);
  expect(await preparedInSession()).toHaveLength(1);
});
