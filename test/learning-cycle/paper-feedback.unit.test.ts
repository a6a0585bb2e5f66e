// Paper results fed back to the learner (doc/learning.md, "Fourth round"), seeded: given a learner that has run a
// cycle, when paper results arrive, then the GA fitness and the policy take them in — and the GA can be told to
// breed only from paper-confirmed strategies.
import { expect } from 'chai';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import {
  initialLearner,
  OOS_GATE,
  runCycle,
  type BacktestFn,
  type Figures,
  type LearnerState,
  type Metrics,
  type Window,
} from '../../domain/learning/cycle.js';
import { learnFromPaper } from '../../domain/learning/paper-feedback.js';
import { armsOf } from '../../domain/learning/policy/policy.js';
import { Genome } from '../../domain/strategy/genome.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);
const inSample: Window = { from: T0, to: T0 + 20 * DAY };
const outOfSample: Window = { from: inSample.to, to: inSample.to + 14 * DAY };
const base = { cycleId: '2023-02-04', symbols: ['BTCUSDT'], inSample, outOfSample, regime: 'range_low_vol' as const, seed: 5, filter: OOS_GATE };
// The OOS gate alone: these fixtures carry no win rate, and the subject here is the paper feedback, not the thresholds.
const metrics = (sharpe: number): Metrics => ({ sharpe, tradeCount: 10, totalReturn: sharpe / 100, maxDrawdown: 0.05 });
const paper = (sharpe: number | null): Figures => ({
  sharpe,
  tradeCount: sharpe === null ? 0 : 6,
  totalReturn: sharpe === null ? 0 : sharpe / 200,
  maxDrawdown: 0.02,
});

/** The k-th genome backtested gets OOS Sharpe (k % 9) − 3 (−3 … 5), IS Sharpe 1: a third pass the 0.5 bar. */
const engine = (): BacktestFn => {
  let k = 0;
  return (_g, w) => (w.from === inSample.from ? metrics(1) : metrics((k++ % 9) - 3));
};

const afterOneCycle = (): LearnerState => runCycle(initialLearner(), { ...base, cycle: 0, size: 40 }, engine(), mulberry32(3)).learner;

describe('learning from paper results', () => {
  it('lowers the GA fitness of a strategy that did worse on paper, keeps it when paper did better', () => {
    const learner = afterOneCycle();
    const passed = learner.history.filter((r) => r.passed);
    expect(passed.length).to.be.greaterThan(3);
    const [worse, better] = passed;
    const { learner: next, applied } = learnFromPaper(learner, [
      { strategyId: worse!.id, figures: paper(-2) },
      { strategyId: better!.id, figures: paper(50) },
    ]);
    expect(applied).to.equal(2);
    const byId = new Map(next.history.map((r) => [r.id, r]));
    expect(byId.get(worse!.id)!.fitness).to.equal(-2);
    expect(byId.get(worse!.id)!.paper).to.deep.equal(paper(-2));
    expect(byId.get(better!.id)!.fitness).to.equal(better!.fitness); // min(OOS, paper): paper cannot lift it
    // Nothing else moved.
    for (const r of learner.history) if (r.id !== worse!.id && r.id !== better!.id) expect(byId.get(r.id)).to.equal(r);
    expect(next.tested).to.equal(learner.tested);
    expect(next.insights).to.equal(learner.insights);
  });

  it('rewards the policy arms of the paper-traded genome with weight 5, in its regime, without decaying the rest', () => {
    const learner = afterOneCycle();
    const target = learner.history.find((r) => r.passed)!;
    const before = learner.policy.regimes.range_low_vol!;
    const next = learnFromPaper(learner, [{ strategyId: target.id, figures: paper(2) }]).learner.policy;
    const after = next.regimes.range_low_vol!;
    const arms = armsOf(target.genome);
    for (const [gene, posteriors] of Object.entries(after))
      for (const [arm, p] of Object.entries(posteriors)) {
        const was = before[gene]?.[arm] ?? learner.policy.prior;
        const expressed = arms[gene]?.includes(arm) ?? false;
        expect(p, `${gene}.${arm}`).to.deep.equal(expressed ? { alpha: was.alpha + 5, beta: was.beta } : was);
      }
    // A failure on paper adds to β instead; another regime is untouched.
    const failed = learnFromPaper(learner, [{ strategyId: target.id, figures: paper(-1) }], { weight: 2 }).learner.policy;
    const gene = 'strategyType';
    const arm = target.genome.strategyType;
    expect(failed.regimes.range_low_vol![gene]![arm]!.beta).to.equal(before[gene]![arm]!.beta + 2);
    expect(failed.regimes.trend_high_vol).to.deep.equal(learner.policy.regimes.trend_high_vol);
  });

  it('takes a paper result without a Sharpe, or for an unknown strategy, as no evidence and says so', () => {
    const learner = afterOneCycle();
    const target = learner.history.find((r) => r.passed)!;
    const r = learnFromPaper(learner, [
      { strategyId: target.id, figures: paper(null) },
      { strategyId: '00000000-0000-4000-8000-00000000ffff', figures: paper(1) },
    ]);
    expect(r.applied).to.equal(0);
    expect(r.learner.history).to.deep.equal(learner.history);
    expect(r.learner.policy).to.deep.equal(learner.policy);
    expect(r.notes).to.deep.equal([
      '1 paper result(s) without a Sharpe (no trades): no evidence, left out',
      '1 paper result(s) for strategies not in the history: left out',
    ]);
  });
});

describe('breeding from paper-confirmed strategies', () => {
  const secondCycle = (learner: LearnerState) =>
    runCycle(learner, { ...base, cycle: 1, cycleId: '2023-02-11', size: 60, minHistory: 5, parents: 'paper-confirmed' }, engine(), mulberry32(4));

  it('takes GA parents only among strategies with a paper Sharpe above 0', () => {
    const learner = afterOneCycle();
    const passed = learner.history.filter((r) => r.passed);
    const confirmed = passed.slice(0, 4).map((r) => r.id);
    const fed = learnFromPaper(learner, [
      ...confirmed.map((id) => ({ strategyId: id, figures: paper(1.5) })),
      ...passed.slice(4).map((r) => ({ strategyId: r.id, figures: paper(-1) })),
    ]).learner;
    const result = secondCycle(fed);
    const ga = result.records.filter((r) => r.origin === 'ga');
    expect(ga.length).to.be.greaterThan(0);
    for (const r of ga) {
      expect(Genome.is(r.genome)).to.equal(true);
      for (const p of r.genome.lineage.parentIds) expect(confirmed).to.include(p);
    }
    // The same seed without the option breeds from the whole history.
    const open = runCycle(fed, { ...base, cycle: 1, cycleId: '2023-02-11', size: 60, minHistory: 5 }, engine(), mulberry32(4));
    const parents = new Set(open.records.flatMap((r) => (r.origin === 'ga' ? r.genome.lineage.parentIds : [])));
    expect([...parents].some((p) => !confirmed.includes(p))).to.equal(true);
  });

  it('falls back to the whole history, with a note, when fewer than 4 are confirmed', () => {
    const learner = afterOneCycle();
    const passed = learner.history.filter((r) => r.passed);
    const fed = learnFromPaper(
      learner,
      passed.slice(0, 3).map((r) => ({ strategyId: r.id, figures: paper(1) })),
    ).learner;
    const result = secondCycle(fed);
    expect(result.notes).to.include('3 paper-confirmed strategies (< 4): the GA breeds from the history');
    expect(result.records.filter((r) => r.origin === 'ga').length).to.be.greaterThan(0);
  });
});
