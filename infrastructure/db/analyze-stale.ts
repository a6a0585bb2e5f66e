// The planner's statistics kept up with a replay: a replay writes weeks of history in minutes, faster than
// autovacuum's analyze follows (and some servers run without autovacuum), and a plan chosen on stale statistics
// can read a whole table where an index finds a few rows (the ranking's `WHERE ranked` scanned 30,000 rows each
// simulated hour). This applies autovacuum's own rule — rows changed since the last analyze above 50 + 10% of
// the table — and analyzes those tables.
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** autovacuum_analyze_threshold and autovacuum_analyze_scale_factor at their defaults. */
const THRESHOLD = 50;
const SCALE = 0.1;

/** Analyzes the tables of the database's own schemas whose statistics are stale; returns their names. */
export const analyzeStaleTables = async (pool: DatabasePool): Promise<readonly string[]> => {
  const stale = await pool.any(
    sql.type(z.object({ schema: z.string(), name: z.string() }))`
      SELECT schemaname AS schema, relname AS name FROM pg_stat_user_tables
       WHERE n_mod_since_analyze > ${THRESHOLD}::float8 + ${SCALE}::float8 * n_live_tup
       ORDER BY schemaname, relname`,
  );
  for (const t of stale) await pool.query(sql.unsafe`ANALYZE ${sql.identifier([t.schema, t.name])}`);
  return stale.map((t) => `${t.schema}.${t.name}`);
};
