import { expect } from 'chai';
import type { DatabasePool } from 'slonik';
import { genomeSummary } from '../../domain/strategy/genome.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { listActivationAudit } from '../../projections/activation-audit/queries.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { countStrategies, getStrategy, listStrategies, strategyReadModel } from '../../projections/strategies/queries.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { activationDecision, backtestResult, HistoryWriter, memoryLog, T0, writeHistory, type History } from './support.js';

const h = (hours: number) => new Date(T0.getTime() + hours * 3_600_000).toISOString();

describe('read models: strategies and activation audit from a real history', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let history: History;

  before(async () => {
    db = await freshDatabase('projection_read_models');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    // Small batches, so events of one strategy land in several batches (insert, then updates).
    const runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog(), batchSize: 4 });
    try {
      await runner.catchUp(); // creates the checkpoints (an empty build), so the history goes through live batches
      history = await writeHistory(new HistoryWriter(store));
      await runner.catchUp();
    } finally {
      await runner.stop();
    }
  });
  after(async () => {
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('the strategy that went through the whole lifecycle is Retired, with every state it entered and its latest backtest', async () => {
    const row = await getStrategy(pool, history.full);
    const genome = smaCrossoverGenome(5, 30);
    expect(row).to.deep.equal({
      id: history.full,
      state: 'Retired',
      filterOutcome: 'passed',
      strategyType: 'momentum',
      timeframe: '1h',
      symbols: ['BTCUSDT'],
      genomeSummary: JSON.parse(JSON.stringify(genomeSummary(genome))),
      latestMetrics: backtestResult(1.8).metrics,
      // Paper twice (before Live and after the deactivation): the latest entry counts.
      stateEntered: { Generated: h(1), Backtested: h(6), Filtered: h(10), Paper: h(21), Live: h(18), Retired: h(23) },
      generatedAt: h(1),
      updatedAt: h(23),
      revision: 6,
      genome: JSON.parse(JSON.stringify(genome)),
      latestBacktest: backtestResult(1.8),
    });
  });

  it('every other strategy stands where its history left it', async () => {
    const byId = new Map((await listStrategies(pool, { limit: 100 })).map((r) => [r.id, r]));
    expect(byId.size).to.equal(5);
    const live = byId.get(history.live)!;
    expect([live.state, live.filterOutcome, live.revision, live.updatedAt]).to.deep.equal(['Live', 'passed', 6, h(22)]);
    expect(live.stateEntered).to.deep.equal({ Generated: h(2), Backtested: h(7), Filtered: h(12), Paper: h(20), Live: h(22) });
    expect([live.strategyType, live.symbols]).to.deep.equal(['mean_reversion', rsiMeanReversionGenome().symbols]);

    const rejected = byId.get(history.rejected)!;
    expect([rejected.state, rejected.filterOutcome, rejected.revision]).to.deep.equal(['Retired', 'rejected', 3]);
    expect(rejected.stateEntered).to.deep.equal({ Generated: h(3), Backtested: h(8), Filtered: h(11), Retired: h(17) });

    const generated = byId.get(history.generated)!;
    expect([generated.state, generated.filterOutcome, generated.latestMetrics, generated.revision]).to.deep.equal(['Generated', null, null, 0]);
    expect(generated.stateEntered).to.deep.equal({ Generated: h(4) });

    const paper = byId.get(history.paper)!;
    expect([paper.state, paper.filterOutcome, paper.revision, paper.latestMetrics]).to.deep.equal(['Paper', 'passed', 3, backtestResult(1.2).metrics]);
  });

  it('lists by state, newest change first, with limit and offset; lists leave the genome out', async () => {
    expect((await listStrategies(pool, { state: 'Retired' })).map((r) => r.id)).to.deep.equal([history.full, history.rejected]);
    expect((await listStrategies(pool, { state: 'Live' })).map((r) => r.id)).to.deep.equal([history.live]);
    expect(await listStrategies(pool, { state: 'Backtested' })).to.deep.equal([]);
    const all = (await listStrategies(pool)).map((r) => r.id);
    expect(all).to.deep.equal([history.full, history.live, history.rejected, history.paper, history.generated]);
    expect((await listStrategies(pool, { limit: 2, offset: 1 })).map((r) => r.id)).to.deep.equal(all.slice(1, 3));
    expect(await listStrategies(pool, { limit: 1 }))
      .to.have.length(1)
      .and.nested.property('[0]')
      .that.does.not.have.property('genome');
    expect(await countStrategies(pool)).to.equal(5);
    expect(await countStrategies(pool, { state: 'Retired' })).to.equal(2);
  });

  it('get answers undefined for an unknown id (the API shape)', async () => {
    expect(await strategyReadModel(pool).get('00000000-0000-4000-8000-000000000000')).to.equal(undefined);
  });

  it('the audit holds every activation and deactivation with everything the decision used, newest first', async () => {
    const rows = await listActivationAudit(pool);
    expect(rows.map((r) => [r.strategyId, r.action, r.occurredAt])).to.deep.equal([
      [history.live, 'activated', h(22)],
      [history.full, 'deactivated', h(21)],
      [history.live, 'deactivated', h(20)],
      [history.live, 'activated', h(19)],
      [history.full, 'activated', h(18)],
    ]);

    const first = rows.find((r) => r.strategyId === history.full && r.action === 'activated')!;
    const decision = activationDecision(0.9, [history.live, history.paper]);
    expect(first).to.include({
      streamRevision: 4,
      decidedBy: 'system:activation-policy',
      reason: 'score 0.9 is among the best',
      score: decision.score,
      maxActiveStrategies: 3,
      activeStrategies: 1,
      occurredAt: h(18),
    });
    expect(first.scoreParts).to.deep.equal(decision.scoreParts);
    expect(first.candidates).to.deep.equal(decision.candidates);
    expect(first.thresholds).to.deep.equal(decision.thresholds);
    expect(first.correlationId).to.match(/^[0-9a-f-]{36}$/);

    // An operator's deactivation carries no decision: its decision columns are null.
    const manual = rows.find((r) => r.strategyId === history.live && r.action === 'deactivated')!;
    expect(manual).to.include({ decidedBy: 'operator:alice', reason: 'manual pause', score: null, candidates: null, maxActiveStrategies: null });
  });

  it('the audit of one strategy, with a limit', async () => {
    const live = await listActivationAudit(pool, { strategyId: history.live });
    expect(live.map((r) => [r.action, r.streamRevision])).to.deep.equal([
      ['activated', 6],
      ['deactivated', 5],
      ['activated', 4],
    ]);
    expect(await listActivationAudit(pool, { strategyId: history.live, limit: 1 })).to.have.length(1);
    expect(await listActivationAudit(pool, { strategyId: history.generated })).to.deep.equal([]);
  });
});
