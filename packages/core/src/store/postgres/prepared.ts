/**
 * Named (server-side prepared) statements for hot queries on PostgreSQL. Kysely sends every
 * statement unnamed, so PostgreSQL parses and plans it on every execution; for a statement run
 * on every request (the hub's feed, its read-audit append) that is a measurable share of the
 * database's CPU. A statement whose text begins with PREPARED_STATEMENT is instead prepared
 * once per connection under a name derived from its text, and later executions only bind.
 *
 * Opt-in, because a prepared `select *` fails ("cached plan must not change result type")
 * once another process adds a column: marked statements name their columns.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Put first in a statement's text (`sql\`${PREPARED_STATEMENT} select ...\``) to prepare it once per connection. */
export const PREPARED_STATEMENT = '/* mamori:prepared */';

/** Distinct marked texts named at most; past it they run unnamed (a bound on server memory per connection). */
const MAX_NAMED = 64;

export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) names.set(text, (name = `mamori_${names.size + 1}`));
    return name;
  };
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((textOrCursor: unknown, values?: unknown[]) => {
      if (typeof textOrCursor === 'string' && textOrCursor.startsWith(PREPARED_STATEMENT)) {
        const name = nameOf(textOrCursor);
        if (name) return client.query({ name, text: textOrCursor, values });
      }
      return client.query(textOrCursor as string, values);
    }) as unknown as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    // One wrapper per pooled connection, so Kysely's per-connection state stays keyed to it.
    connect: async () => {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) wrapped.set(client, (w = wrap(client)));
      return w;
    },
    end: () => pool.end(),
  };
}
