// A digest of a read model: one hash per table over all its rows, independent of their physical order, so a
// rebuilt read model can be compared with the one the live projector built (`npm run replay -- --all --check`).
//
// Per table: md5 of each row's jsonb text (jsonb's text is canonical: keys sorted, one spelling per number),
// the row hashes sorted and hashed again. Hashing rows first keeps the aggregate small (32 bytes a row) where
// a string_agg of the rows themselves would pass PostgreSQL's 1 GB text limit on a large read model.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Projection } from './projection.js';

/**
 * Columns whose value depends on when the rows were written, not on the log: left out of the digest.
 * Found by comparing a live-built read model with its rebuild (test/projections/replay-all.test.ts);
 * every other column of every table must come out the same.
 */
export const DIGEST_EXCLUDED_COLUMNS: Readonly<Record<string, readonly string[]>> = {};

export interface TableDigest {
  readonly table: string;
  readonly rows: number;
  readonly digest: string;
}

export interface ReadModelDigest {
  readonly projection: string;
  readonly tables: readonly TableDigest[];
  /** md5 over the tables' digests, in the projection's table order. */
  readonly digest: string;
}

const DigestRow = z.object({ rows: z.number(), digest: z.string() });

export const tableDigest = async (db: CommonQueryMethods, table: string): Promise<TableDigest> => {
  const excluded = DIGEST_EXCLUDED_COLUMNS[table] ?? [];
  const row = sql.fragment`(to_jsonb(t) - ${sql.array([...excluded], 'text')})::text`;
  const r = await db.one(sql.type(DigestRow)`
    SELECT count(*)::int AS rows, md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS digest
      FROM (SELECT md5(${row}) AS h FROM ${sql.identifier(table.split('.'))} t) rows`);
  return { table, rows: r.rows, digest: r.digest };
};

export const readModelDigest = async (db: CommonQueryMethods, projection: Projection): Promise<ReadModelDigest> => {
  const tables: TableDigest[] = [];
  for (const table of projection.tables) tables.push(await tableDigest(db, table));
  const summary = tables.map((t) => `${t.table}:${t.rows}:${t.digest}`).join('\n');
  const digest = await db.oneFirst(sql.type(z.object({ digest: z.string() }))`SELECT md5(${summary}) AS digest`);
  return { projection: projection.name, tables, digest };
};

/** The tables whose digest differs between two digests of the same projections. */
export const differingTables = (
  before: readonly ReadModelDigest[],
  after: readonly ReadModelDigest[],
): { table: string; before?: TableDigest; after?: TableDigest }[] => {
  const index = (ds: readonly ReadModelDigest[]) => new Map(ds.flatMap((d) => d.tables.map((t) => [t.table, t] as const)));
  const b = index(before);
  const a = index(after);
  const out: { table: string; before?: TableDigest; after?: TableDigest }[] = [];
  for (const table of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(table);
    const y = a.get(table);
    if (x?.digest !== y?.digest || x?.rows !== y?.rows) out.push({ table, ...(x ? { before: x } : {}), ...(y ? { after: y } : {}) });
  }
  return out;
};
