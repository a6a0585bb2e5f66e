// The replay's statistics refresh (infrastructure/db/analyze-stale.ts): a table changed beyond autovacuum's analyze
// threshold (more rows than it had when last analyzed, 50 at least) is analyzed — the planner's estimate for a rare value then follows the
// data — and one changed by less is left.
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { analyzeStaleTables } from '../../infrastructure/db/analyze-stale.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

/** The planner's row estimate for the ranked rows. */
const estimate = async (pool: DatabasePool): Promise<number> => {
  const plan = await pool.oneFirst(sql.type(z.object({ p: z.unknown() }))`EXPLAIN (FORMAT JSON) SELECT * FROM board WHERE ranked`);
  return (plan as [{ Plan: { 'Plan Rows': number } }])[0].Plan['Plan Rows'];
};

/** pg_stat_user_tables follows the writes within about a second (PostgreSQL flushes its counters at most once a second). */
const modifiedSinceAnalyze = async (pool: DatabasePool, wanted: number): Promise<number> => {
  for (let i = 0; i < 100; i++) {
    const n = Number(await pool.oneFirst(sql.unsafe`SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'board'`));
    if (n >= wanted) return n;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('pg_stat_user_tables never showed the inserts');
};

describe('the replay refreshes stale planner statistics', () => {
  let db: TestDatabase;
  let pool: DatabasePool;
  before(async () => {
    db = await freshDatabase('analyze_stale');
    pool = await createReadModelPool(db.url);
    // Autovacuum (where the server runs it) must not analyze it behind the test's back.
    await pool.query(sql.unsafe`CREATE TABLE board (id int PRIMARY KEY, ranked boolean NOT NULL) WITH (autovacuum_enabled = false)`);
    // Analyzed while half the rows are ranked, then 20,000 more of which 10 are: the statistics say "half".
    await pool.query(sql.unsafe`INSERT INTO board SELECT g, g % 2 = 0 FROM generate_series(1, 200) g`);
    await pool.query(sql.unsafe`ANALYZE board`);
    await pool.query(sql.unsafe`INSERT INTO board SELECT g, g % 2000 = 0 FROM generate_series(201, 20200) g`);
    await modifiedSinceAnalyze(pool, 20_000);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('analyzes a table with more changed rows than it had when last analyzed, and the estimate follows the data', async () => {
    expect(await estimate(pool)).to.be.greaterThan(1000);
    const analyzed = await analyzeStaleTables(pool);
    expect(analyzed).to.deep.equal(['public.board']);
    // 100 of the first 200 rows and 10 of the next 20,000 are ranked.
    expect(await estimate(pool)).to.be.below(500);
  });

  it('leaves a table changed by fewer rows than it had when last analyzed', async () => {
    // Analyzed at 20,200 rows; 15,000 changed since: under 50 + 20,200.
    await pool.query(sql.unsafe`UPDATE board SET ranked = true WHERE id <= 15000`);
    await modifiedSinceAnalyze(pool, 15_000);
    expect(await analyzeStaleTables(pool)).to.deep.equal([]);
  });
});
