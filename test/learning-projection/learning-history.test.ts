// The learner's history over the read models (projections/training-set/learning-history.ts) reads a row again only
// when its revision changed and a genome only once: every row it returns must still equal the table as it is now,
// after new strategies, new events of known ones and a rebuild.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import type { LearningHistory } from '../../application/ports/learning-history.js';
import { learnerHistory } from '../../application/learning/cycle-loading.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { readModelLearningHistory } from '../../projections/training-set/learning-history.js';
import { trainingSetProjection } from '../../projections/training-set/projection.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { HistoryWriter, memoryLog } from '../projections/support.js';

/** The table as SQL gives it, in the shape of a history row: what every read must return. */
const tableRows = async (pool: DatabasePool) =>
  (
    await pool.any(sql.unsafe`
      SELECT strategy_id AS "strategyId", genome_fingerprint AS "genomeFingerprint", generation, origin, regime,
             in_sample_metrics IS NOT NULL AS "hasInSample", out_of_sample_metrics IS NOT NULL AS "hasOutOfSample",
             is_sharpe AS "isSharpe", is_return AS "isReturn", is_trades AS "isTrades", oos_sharpe AS "oosSharpe",
             oos_return AS "oosReturn", oos_max_drawdown AS "oosMaxDrawdown", oos_trades AS "oosTrades",
             oos_deflated_sharpe AS "oosDeflatedSharpe", filter_outcome AS "filterOutcome", revision
        FROM training_set WHERE backtested_at IS NOT NULL ORDER BY backtested_at DESC, strategy_id`)
  ).map((r) => ({ ...r }));

describe('the learning history reads what changed only, and always equals the table', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner;
  let w: HistoryWriter;
  let history: LearningHistory;
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const;

  before(async () => {
    db = await freshDatabase('learning_history');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    w = new HistoryWriter(store);
    runner = new ProjectionRunner({ pool, store, projections: [strategiesProjection, trainingSetProjection], log: memoryLog() });
    history = readModelLearningHistory(pool);
  });
  after(async () => {
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('first read: every backtested row (the generated-only one is left out)', async () => {
    for (const [i, id] of ids.entries()) await w.generate(id, i);
    await w.backtest(ids[0], 1.2);
    await w.backtest(ids[1], -0.4);
    await w.backtest(ids[2], 0.3);
    await runner.catchUp();
    const rows = await history.rows();
    expect(rows.map((r) => ({ ...r }))).to.deep.equal(await tableRows(pool));
    expect(rows.map((r) => r.strategyId)).to.have.members([ids[0], ids[1], ids[2]]);
  });

  it('a second read hands out the same row objects when nothing changed', async () => {
    const a = await history.rows();
    const b = await history.rows();
    expect(b).to.have.length(a.length);
    b.forEach((r, i) => expect(r).to.equal(a[i]));
  });

  it('a strategy with a new event is read again, a new one appears, the others stay the same objects', async () => {
    const before = new Map((await history.rows()).map((r) => [r.strategyId, r]));
    await w.filter(ids[0], 'passed');
    await w.backtest(ids[3], 2.5);
    await runner.catchUp();
    const rows = await history.rows();
    expect(rows.map((r) => ({ ...r }))).to.deep.equal(await tableRows(pool));
    const byId = new Map(rows.map((r) => [r.strategyId, r]));
    expect(byId.get(ids[0])!.filterOutcome).to.equal('passed');
    expect(byId.get(ids[0])).to.not.equal(before.get(ids[0]));
    expect(byId.get(ids[1])).to.equal(before.get(ids[1]));
    expect(byId.get(ids[3])!.isSharpe).to.equal(2.5);
  });

  it('after a rebuild of the training set the rows still equal the table', async () => {
    await rebuildProjection({ pool, store, projection: trainingSetProjection, log: memoryLog() });
    expect((await history.rows()).map((r) => ({ ...r }))).to.deep.equal(await tableRows(pool));
  });

  it("the learner's records follow: the filtered strategy counts as passed, genomes are read once and stay", async () => {
    const first = await learnerHistory(history, new Set());
    expect(first.unreadable).to.equal(0);
    expect(first.records.find((r) => r.id === ids[0])!.passed).to.equal(true);
    await w.filter(ids[1], 'rejected');
    await runner.catchUp();
    const second = await learnerHistory(history, new Set());
    expect(second.records.find((r) => r.id === ids[1])!.passed).to.equal(false);
    // Unchanged rows give the very same record; the changed one a new record over the same genome.
    expect(second.records.find((r) => r.id === ids[2])).to.equal(first.records.find((r) => r.id === ids[2]));
    expect(second.records.find((r) => r.id === ids[1])!.genome).to.equal(first.records.find((r) => r.id === ids[1])!.genome);
    const genomes = await history.genomes([ids[0], ids[3], randomUUID()]);
    expect([...genomes.keys()]).to.deep.equal([ids[0], ids[3]]);
    const stored = await pool.oneFirst(sql.unsafe`SELECT genome FROM strategies WHERE id = ${ids[3]}`);
    expect(genomes.get(ids[3])).to.deep.equal(stored);
  });
});
