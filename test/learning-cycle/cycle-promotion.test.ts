// Promotion to paper (the cycle's last stage) and the paper results the learner takes in, on a fresh database:
// - the passed strategies, best first by filter score, fill the free slots (paper.maxStrategies − those in paper
//   that are not the cycle's), as system:pipeline with the rank and score in the reason; a re-run promotes nothing
//   more, also once the read model shows the promoted ones in paper;
// - PaperTradingEvaluated is read back as the learner's paper figures (only periods ended by the cycle's asOf), and
//   a strategy with a bad paper Sharpe loses fitness.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { exampleCommands } from '../../apps/api/examples.js';
import { promoteToPaper } from '../../application/learning/cycle-promotion.js';
import { withPaperResults } from '../../application/learning/cycle-loading.js';
import { eventStorePaperResults } from '../../application/learning/event-store-paper-results.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { initialLearner, type StrategyRecord } from '../../domain/learning/cycle.js';
import type { Actor, Reason, Uuid } from '../../domain/primitives/codecs.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

const CYCLE = '2023-07-01';
const id = (i: number) => uuidIds.idFor(`promotion-test:${i}`) as Uuid;
const OPERATOR = 'operator:test' as Actor;

describe('the cycle promotes its best passed strategies to paper; paper results feed the learner', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  const clock = fixedClock(new Date(`${CYCLE}T03:00:00.000Z`));
  const deps = () => ({ store, clock, ids: uuidIds });

  /** A strategy Generated → Backtested → Filtered with the given outcome and score. */
  const filtered = async (i: number, outcome: 'passed' | 'rejected', score: number) => {
    const strategyId = id(i);
    const verdict = { ...(exampleCommands.filter as { verdict: object }).verdict, outcome, score };
    const result = (exampleCommands['record-backtest'] as { result: unknown }).result;
    for (const command of [
      { type: 'GenerateStrategy', strategyId, data: { genome: smaCrossoverGenome(5 + i, 40 + i) } },
      { type: 'RecordBacktest', strategyId, data: { result } },
      { type: 'FilterStrategy', strategyId, data: { verdict } },
    ] as const) {
      const r = await handleStrategyCommand(deps(), command as never, { actor: OPERATOR });
      if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
    }
    return strategyId;
  };
  const types = async (strategyId: string) => (await store.readStream(`strategy-${strategyId}`)).map((r) => r.type);

  before(async () => {
    db = await freshDatabase('cycle_promotion');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it('fills the free slots best first, with rank and score in the reason; a re-run promotes nothing more', async () => {
    // Scores: 0 → 0.6, 1 → 1.4, 2 → 0.9, 3 → 2.1 (passed), 4 rejected. Best first: 3, 1, 2, 0.
    const scores = [0.6, 1.4, 0.9, 2.1];
    const own: string[] = [];
    for (const [i, s] of scores.entries()) own.push(await filtered(i, 'passed', s));
    own.push(await filtered(4, 'rejected', 3.0));
    const passed = scores.map((score, i) => ({ strategyId: own[i]!, score }));
    // 10 slots, 8 taken by other strategies: 2 free.
    const others = Array.from({ length: 8 }, (_, i) => uuidIds.idFor(`other:${i}`));
    const request = { cycleId: CYCLE, own, passed, maxStrategies: 10, inPaper: others };
    const first = await promoteToPaper(deps(), request);
    expect(first.freeSlots).to.equal(2);
    expect(first.promoted).to.deep.equal([own[3], own[1]]);
    expect(first.appended).to.equal(2);
    expect(first.notes).to.deep.equal(['2 passed strateg(ies) not promoted: 2 free paper slot(s) of 10']);
    expect(await types(own[3]!)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered', 'PaperTradingStarted']);
    expect(await types(own[2]!)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered']);
    const started = (await store.readStream(`strategy-${own[3]}`))[3]!;
    expect(started.data).to.deep.include({
      decidedBy: 'system:pipeline',
      reason: `cycle ${CYCLE}: rank 1 of 4 passed by filter score (OOS Sharpe) 2.100; 2 free paper slot(s) of 10 (8 in paper before the cycle)`,
    });
    expect((started.metadata as { actor: string }).actor).to.equal('system:pipeline');

    // Re-runs: as before, and once the read model shows the cycle's own two in paper (they do not take the slots).
    const head = await store.headPosition();
    for (const inPaper of [others, [...others, own[3]!, own[1]!]]) {
      const again = await promoteToPaper(deps(), { ...request, inPaper });
      expect(again.promoted).to.deep.equal([own[3], own[1]]);
      expect(again.appended).to.equal(0);
    }
    expect(await store.headPosition()).to.deep.equal(head);

    // No slot free: nothing promoted.
    const full = await promoteToPaper(deps(), { ...request, cycleId: '2023-07-02', inPaper: Array.from({ length: 10 }, (_, i) => uuidIds.idFor(`full:${i}`)) });
    expect(full.promoted).to.deep.equal([]);
    expect(full.freeSlots).to.equal(0);
  });

  it('reads PaperTradingEvaluated back as paper figures, only periods ended by asOf; a bad paper Sharpe lowers the fitness', async () => {
    const strategyId = id(3); // in paper since the first test
    const evaluation = {
      outcome: 'rejected',
      reasons: ['paper Sharpe -1.2 < 0'],
      paper: { sharpe: -1.2, totalReturn: -0.04, maxDrawdown: 0.07, trades: 9 },
      backtest: { sharpe: 2.1 },
      thresholds: { minPaperSharpe: 0 },
      period: { start: '2023-07-01T03:00:00.000Z', end: '2023-07-08T03:00:00.000Z' },
    };
    const r = await handleStrategyCommand(
      deps(),
      { type: 'EvaluatePaperTrading', strategyId, data: { decidedBy: OPERATOR, reason: 'seven days' as Reason, evaluation } } as never,
      { actor: OPERATOR },
    );
    if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
    const results = eventStorePaperResults(store);
    expect(await results.forStrategies([strategyId, id(1)], new Date('2023-07-08T03:00:00.000Z'))).to.deep.equal([
      { strategyId, figures: { sharpe: -1.2, totalReturn: -0.04, maxDrawdown: 0.07, tradeCount: 9 } },
    ]);
    // A cycle as of before the period ended does not see it (a re-run of an older day learns from the same results).
    expect(await results.forStrategies([strategyId], new Date('2023-07-08T02:59:59.999Z'))).to.deep.equal([]);
    expect(await results.forStrategies([id(1)], new Date('2023-07-09T00:00:00.000Z'))).to.deep.equal([]);

    // The learner: its OOS fitness 2.1 becomes the paper Sharpe −1.2; the other record keeps its 1.4.
    const record = (sid: string, fitness: number): StrategyRecord => ({
      id: sid,
      cycle: 0,
      genome: smaCrossoverGenome(),
      fingerprint: `f-${sid}`,
      origin: 'random',
      regime: 'trend_low_vol',
      inSample: null,
      outOfSample: { sharpe: fitness, totalReturn: 0.1, maxDrawdown: 0.05, tradeCount: 12 },
      oosDeflatedSharpe: null,
      passed: true,
      fitness,
    });
    const learner = { ...initialLearner(), history: [record(strategyId, 2.1), record(id(1), 1.4)] };
    const fed = await withPaperResults(learner, results, new Date('2023-07-09T03:00:00.000Z'));
    expect(fed.applied).to.equal(1);
    expect(fed.learner.history.map((h) => [h.id, h.fitness])).to.deep.equal([
      [strategyId, -1.2],
      [id(1), 1.4],
    ]);
    expect(fed.learner.policy.updates).to.equal(learner.policy.updates + 1);
    const none = await withPaperResults(learner, results, new Date('2023-07-05T03:00:00.000Z'));
    expect(none.applied).to.equal(0);
    expect(none.learner.history.map((h) => h.fitness)).to.deep.equal([2.1, 1.4]);
  });
});
