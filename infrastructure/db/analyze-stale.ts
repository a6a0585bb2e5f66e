// The planner's statistics kept up with a replay: a replay writes weeks of history in minutes, faster than
// autovacuum's analyze follows (and some servers run without autovacuum). A plan chosen on stale statistics can
// cost far more than the query: the ranking's `WHERE ranked` (54 of 30,000 rows) was planned for thousands of rows
// and ran as a parallel scan, ~40 ms every simulated hour (0.3 ms once analyzed). A table is analyzed once more rows
// changed since its last analyze than it had then (50 at least): a growing table is analyzed each time it doubles,
// a number of times that grows with the logarithm of its size, not with the days replayed (analyzing a table of
// 30,000 genomes takes about a second).
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** Rows changed since the last analyze that make a table's statistics stale: MIN_CHANGED + SCALE × its rows then. */
const MIN_CHANGED = 50;
const SCALE = 1;

/** Analyzes the tables of the database's own schemas whose statistics are stale; returns their names. */
export const analyzeStaleTables = async (pool: DatabasePool): Promise<readonly string[]> => {
  const stale = await pool.any(
    sql.type(z.object({ schema: z.string(), name: z.string() }))`
      SELECT s.schemaname AS schema, s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.n_mod_since_analyze > ${MIN_CHANGED}::float8 + ${SCALE}::float8 * greatest(c.reltuples, 0)
       ORDER BY s.schemaname, s.relname`,
  );
  for (const t of stale) await pool.query(sql.unsafe`ANALYZE ${sql.identifier([t.schema, t.name])}`);
  return stale.map((t) => `${t.schema}.${t.name}`);
};
