// The ranking read model from a hand-made history (figures worked out by hand below), projected in small batches
// by the runner, and rebuilt by replay into the same rows.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { rankingProjection } from '../../projections/ranking/projection.js';
import { listRanking } from '../../projections/ranking/queries.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { memoryLog } from '../projections/support.js';
import { catchUpAll, History } from './history.js';

describe('ranking read model (projections/ranking)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  const [s1, rejected, retired, other] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

  before(async () => {
    db = await freshDatabase('ranking');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const h = new History(store);
    await h.toPaper(s1, { sharpe: 1.8, oosSharpe: 1.44, maxDrawdown: -0.12, regime: 'trend_low_vol' });
    await h.toPaper(retired);
    await h.command('GenerateStrategy', rejected, { genome: (await import('../../domain/strategy/templates.js')).rsiMeanReversionGenome() });
    // Paper from 1000: 1010 (+1%), 990 (−1.9802%), 1029.6 (+4%).
    await h.day(s1, 'paper', '2026-03-01', { initialCapital: 1000, equity: 1010, dayReturn: 0.01, tradesTotal: 2 });
    await h.day(s1, 'paper', '2026-03-02', { initialCapital: 1000, equity: 990, dayReturn: 990 / 1010 - 1, tradesTotal: 3 });
    await h.day(s1, 'paper', '2026-03-03', { initialCapital: 1000, equity: 1029.6, dayReturn: 0.04, tradesTotal: 5 });
    await h.evaluate(s1, 'eligible');
    await h.command('PinStrategy', s1, { decidedBy: 'operator:alice', reason: 'keep it' });
    await h.command(
      'ActivateStrategy',
      s1,
      {
        decidedBy: 'system:activation-policy',
        reason: 'ranked 1',
        decision: {
          score: 0.5,
          scoreParts: { performance: 1 },
          weights: { performance: 0.5 },
          activations: [s1],
          deactivations: [],
          candidates: [{ strategyId: s1, score: 0.5 }],
          thresholds: {},
          maxActiveStrategies: 2,
          activeStrategies: 0,
          decidedAt: Date.parse('2026-03-04T01:00:00.000Z'),
        },
      },
      'system:activation-policy',
    );
    // Day 4 and 5, paper and live interleaved: paper 1040, 1050; live from 1000: 1005, 995.
    await h.day(s1, 'paper', '2026-03-04', { initialCapital: 1000, equity: 1040, dayReturn: 1040 / 1029.6 - 1, tradesTotal: 6 });
    await h.day(s1, 'live', '2026-03-04', { initialCapital: 1000, equity: 1005, dayReturn: 0.005, tradesTotal: 1 });
    await h.day(s1, 'live', '2026-03-05', { initialCapital: 1000, equity: 995, dayReturn: 995 / 1005 - 1, tradesTotal: 2 });
    await h.day(s1, 'paper', '2026-03-05', { initialCapital: 1000, equity: 1050, dayReturn: 1050 / 1040 - 1, tradesTotal: 7 });
    await h.killSwitch(`live-${s1}`, true, 'max_drawdown');
    await h.killSwitch(`live-${s1}`, true, 'manual');
    await h.killSwitch(`live-${s1}`, false, 'max_drawdown');
    await h.killSwitch(`paper-${other}`, true); // another account: not a strategy's live one
    await h.command('RetireStrategy', retired, { decidedBy: 'operator:alice', reason: 'enough' });

    const runner = new ProjectionRunner({ pool, store, projections: [rankingProjection], log: memoryLog(), batchSize: 3 });
    await catchUpAll(pool, store, runner);
  });

  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('lists every strategy that reached paper (retired kept with its state), not the others', async () => {
    const rows = await listRanking(pool);
    expect(rows.map((r) => [r.strategyId, r.state]).sort()).to.deep.equal(
      [
        [s1, 'Live'],
        [retired, 'Retired'],
      ].sort(),
    );
  });

  it('folds the strategy stream: pin, paper verdict, backtest Sharpe, held-out Sharpe, |max drawdown|, regime, last change', async () => {
    const r = (await listRanking(pool)).find((x) => x.strategyId === s1)!;
    expect(r).to.deep.include({ pinned: true, evaluation: 'eligible', regime: 'trend_low_vol', breachDeactivations: 0 });
    expect(r.backtest).to.deep.equal({ sharpe: 1.8, outOfSampleSharpe: 1.44, maxDrawdown: 0.12 });
    expect(r.lastChange).to.deep.include({ action: 'activated', at: Date.parse('2026-03-04T01:00:00.000Z'), decidedBy: 'system:activation-policy' });
  });

  it('folds paper days by hand: 5 days, 1050, +5%, Sharpe 9.0201, drawdown 1.9802% (1010 → 990), 7 trades', async () => {
    const p = (await listRanking(pool)).find((x) => x.strategyId === s1)!.paper!;
    expect(p).to.deep.include({ days: 5, initialCapital: 1000, equity: 1050, trades: 7, lastDay: '2026-03-05' });
    expect(p.totalReturn).to.be.closeTo(0.05, 1e-12);
    // returns .01, −.019802, .04, .010101, .0096154: mean .0099829, sample sd .0211442 → .47213 × √365
    expect(p.sharpe).to.be.closeTo(9.0201, 1e-3);
    expect(p.maxDrawdown).to.be.closeTo(20 / 1010, 1e-12);
    expect(p.recentReturns).to.have.length(5);
  });

  it('folds live days by hand: 2 days, 995, −0.5%, Sharpe −4.4731, drawdown 0.995% (1005 → 995)', async () => {
    const r = (await listRanking(pool)).find((x) => x.strategyId === s1)!;
    expect(r.live).to.deep.include({ days: 2, equity: 995, trades: 2, lastDay: '2026-03-05' });
    expect(r.live!.totalReturn).to.be.closeTo(-0.005, 1e-12);
    expect(r.live!.sharpe).to.be.closeTo(-4.4731, 1e-3);
    expect(r.live!.maxDrawdown).to.be.closeTo(10 / 1005, 1e-12);
    // Paper over the live days: from 1029.6 (the close before the first live day) to 1050 → +1.9814%.
    expect(r.paperReturnOverLive).to.be.closeTo(1050 / 1029.6 - 1, 1e-12);
  });

  it('keeps the live account’s kill switches engaged and not released; other accounts are ignored', async () => {
    const r = (await listRanking(pool)).find((x) => x.strategyId === s1)!;
    expect(r.killSwitch).to.deep.equal(['manual']);
  });

  it('rebuilds by replay into the same rows', async () => {
    const before = await pool.any(sql.unsafe`SELECT * FROM ranking ORDER BY strategy_id`);
    await pool.query(sql.unsafe`UPDATE ranking SET pinned = NOT pinned`);
    const rebuilt = await rebuildProjection({ pool, store, projection: rankingProjection, log: memoryLog(), batchSize: 2, windowSize: 2 });
    expect(rebuilt.events).to.be.greaterThan(20);
    expect(await pool.any(sql.unsafe`SELECT * FROM ranking ORDER BY strategy_id`)).to.deep.equal(before);
  });
});
