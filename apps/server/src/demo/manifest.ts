/**
 * The demo's manifest: one row per thing `mamori demo` made (a hub organisation, a survey
 * run, a telescope time window …). It is the demo marker the UI banner reads and the exact
 * list `mamori demo --remove` deletes, so removal never guesses from names.
 */
import type { Kysely } from 'kysely';
import type { MigrationSet, Store } from '@mamori/core';

export const DEMO_KINDS = [
  'telescope-window', 'telescope-ingest', 'survey-run', 'survey-finding', 'survey-batch', 'flows-window', 'flows-run',
  'hub-org', 'hub-user', 'hub-report', 'trust-keys', 'supply-criteria', 'supply-vuln', 'supply-product', 'supply-sbom',
] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

export interface DemoObject {
  kind: DemoKind;
  /** The object's id (or, for a window, `start..end` in epoch ms). */
  ref: string;
}

interface DemoTables {
  demo_object: { kind: string; ref: string; created_at: number };
}

export const demoMigrations: MigrationSet = {
  part: 'demo',
  migrations: {
    '0001_init': {
      async up(db) {
        await db.schema.createTable('demo_object')
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('ref', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('demo_object_pk', ['kind', 'ref'])
          .execute();
      },
    },
  },
};

const db = (store: Store): Kysely<DemoTables> => store.as<DemoTables>();

export async function recordDemo(store: Store, objects: DemoObject[], now = Date.now()): Promise<void> {
  if (objects.length) await db(store).insertInto('demo_object').values(objects.map((o) => ({ kind: o.kind, ref: o.ref, created_at: now }))).execute();
}

export async function demoObjects(store: Store): Promise<DemoObject[]> {
  const rows = await db(store).selectFrom('demo_object').select(['kind', 'ref']).orderBy('kind').orderBy('ref').execute();
  return rows.map((r) => ({ kind: r.kind as DemoKind, ref: r.ref }));
}

export async function forgetDemo(store: Store, objects: DemoObject[]): Promise<void> {
  for (const o of objects) await db(store).deleteFrom('demo_object').where('kind', '=', o.kind).where('ref', '=', o.ref).execute();
}

/** What the dashboard banner shows: whether demo data is present, since when, and how much. */
export async function demoStatus(store: Store): Promise<{ present: boolean; createdAt: number | null; counts: Record<string, number> }> {
  const rows = await db(store).selectFrom('demo_object').select(['kind', 'created_at']).execute();
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.kind] = (counts[r.kind] ?? 0) + 1;
  const created = rows.map((r) => Number(r.created_at));
  return { present: rows.length > 0, createdAt: created.length ? Math.min(...created) : null, counts };
}

/** A window `start..end` (epoch ms, inclusive) as stored in `ref`. */
export const windowRef = (start: number, end: number): string => `${start}..${end}`;
export function parseWindow(ref: string): { start: number; end: number } {
  const [start, end] = ref.split('..').map(Number);
  return { start, end };
}
