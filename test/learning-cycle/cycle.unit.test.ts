// The daily cycle as specifications: the filter and the learner read the out-of-sample figures (a strategy that
// shines in-sample and fails out-of-sample is rejected and counts as a failure), the deflated Sharpe is computed
// with trials = N, and a tiny cycle on a short real window runs end to end without an invalid genome.
import { expect } from 'chai';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import {
  DEFAULT_FILTER,
  filterFailures,
  verdictReasons,
  type StrategyRecord,
  OOS_GATE,
  windowFigures,
  evaluateForward,
  filterVerdict,
  initialLearner,
  oosDeflatedSharpe,
  runCycle,
  type BacktestFn,
  type Figures,
  type Metrics,
  type Window,
} from '../../domain/learning/cycle.js';
import { Genome } from '../../domain/strategy/genome.js';
import { btcusdt1h } from '../indicators/real-candles.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);
const inSample: Window = { from: T0, to: T0 + 20 * DAY };
const outOfSample: Window = { from: inSample.to, to: inSample.to + 7 * DAY };
const base = { cycleId: '2023-01-28', symbols: ['BTCUSDT'], inSample, outOfSample, regime: 'range_low_vol' as const, seed: 3 };

/** A fake engine: fixed metrics for the IS window and for the OOS window. */
const fake =
  (is: Metrics, oos: Metrics): BacktestFn =>
  (_g, w) =>
    w.from === inSample.from ? is : oos;
const m = (sharpe: number, tradeCount: number): Metrics => ({ sharpe, tradeCount, totalReturn: sharpe / 100, maxDrawdown: 0.05 });
const f = (sharpe: number, tradeCount: number): Figures => ({ sharpe, tradeCount, totalReturn: sharpe / 100, maxDrawdown: 0.05 });

describe('learning cycle', () => {
  it('the filter rejects a great in-sample result that fails out of sample', () => {
    expect(filterVerdict(f(6, 40), f(-0.4, 12))).to.match(/^OOS Sharpe -0.40 ≤ 0.5/);
    expect(filterVerdict(f(6, 40), f(2, 2))).to.match(/2 OOS trades < 3/);
    expect(filterVerdict(f(-1, 40), f(2, 10))).to.match(/IS Sharpe -1.00 ≤ 0/);
    expect(filterVerdict(f(0.3, 40), f(0.9, 3), OOS_GATE)).to.equal(undefined);
    expect(filterVerdict(null, f(2, 10))).to.equal('backtest failed');
    expect(OOS_GATE).to.deep.equal({ minOosSharpe: 0.5, minOosTrades: 3, minIsSharpe: 0 });
    // Since issue 11 the default adds the platform's thresholds (the `filter.*` settings' defaults).
    expect(DEFAULT_FILTER).to.deep.equal({
      minOosSharpe: 0.5,
      minOosTrades: 3,
      minIsSharpe: 0,
      minSharpe: 0.5,
      minWinRate: 0.35,
      minTotalReturn: -0.5,
      maxTotalReturn: 5,
      minTrades: 10,
    });
  });

  it('a cycle rejects every strategy that is great in-sample and bad out-of-sample, and the learner counts them as failures', () => {
    const r = runCycle(initialLearner(), { ...base, cycle: 0, size: 20 }, fake(m(5, 50), m(-1, 10)), mulberry32(1));
    expect(r.records).to.have.length(20);
    expect(r.passed).to.have.length(0);
    expect(r.notes).to.include('no strategy passed the filter this cycle');
    for (const rec of r.records) {
      expect(rec.passed).to.equal(false);
      expect(rec.rejectedBecause).to.match(/^OOS Sharpe/);
      expect(rec.fitness).to.equal(-1); // OOS, not the in-sample 5
    }
    // The policy was rewarded with the OOS figure: only failures (β grew), no success (α stayed at the prior).
    const types = r.learner.policy.regimes['range_low_vol']!['strategyType']!;
    for (const arm of Object.values(types)) expect(arm.alpha).to.equal(1);
    expect(Object.values(types).reduce((s, a) => s + a.beta - 1, 0)).to.equal(20);
    expect(r.learner.insights?.overall?.meanSharpe).to.equal(-1);
  });

  it('passes what holds out of sample, and min(IS, OOS) fitness takes the worse of the two', () => {
    // The OOS gate alone: the fake metrics carry no win rate (the thresholds are specified below).
    const r = runCycle(initialLearner(), { ...base, cycle: 0, size: 10, fitness: 'min_is_oos', filter: OOS_GATE }, fake(m(0.8, 30), m(2, 6)), mulberry32(2));
    expect(r.passed).to.have.length(10);
    for (const rec of r.records) expect(rec.fitness).to.equal(0.8);
  });

  it('scores a failing backtest as a failure instead of crashing', () => {
    const r = runCycle(
      initialLearner(),
      { ...base, cycle: 0, size: 5 },
      () => {
        throw new Error('boom');
      },
      mulberry32(3),
    );
    expect(r.records.every((x) => x.inSample === null && x.fitness === null && !x.passed)).to.equal(true);
    expect(r.notes.join('\n')).to.match(/5 of 5 backtests failed/);
  });

  it('deflates the OOS Sharpe by the number of trials: more trials, lower DSR', () => {
    const metrics = { sharpe: 3, skew: 0, excessKurtosis: 0, bars: 336, periodsPerYear: 8760 };
    const one = oosDeflatedSharpe(metrics, 1, 4)!;
    const many = oosDeflatedSharpe(metrics, 500, 4)!;
    expect(one).to.be.within(0, 1);
    expect(many).to.be.lessThan(one);
    expect(oosDeflatedSharpe({ sharpe: 3 }, 500, 4)).to.equal(null);
  });

  it('runs two tiny cycles end to end on real BTCUSDT candles, learning between them, never emitting an invalid genome', () => {
    const series = { BTCUSDT: btcusdt1h() };
    const cache = new IndicatorCache();
    const backtest: BacktestFn = (g, w) => backtestGenome(g, series, cache, { from: w.from, to: w.to }).aggregate.meanMetrics;
    let learner = initialLearner();
    for (let c = 0; c < 2; c++) {
      const shift = c * 7 * DAY;
      const r = runCycle(
        learner,
        {
          ...base,
          cycle: c,
          cycleId: `c${c}`,
          size: 30,
          inSample: { from: inSample.from + shift, to: inSample.to + shift },
          outOfSample: { from: outOfSample.from + shift, to: outOfSample.to + shift },
          minHistory: 10,
        },
        backtest,
        mulberry32(100 + c),
      );
      expect(r.records).to.have.length(30);
      for (const rec of r.records) {
        expect(Genome.is(rec.genome)).to.equal(true);
        expect(learner.tested.has(rec.fingerprint)).to.equal(false);
        expect(rec.outOfSample).to.not.equal(null);
        if (rec.passed) expect(rec.outOfSample!.sharpe!).to.be.greaterThan(0.5);
      }
      if (c === 0) expect(r.generation.produced.random).to.equal(30);
      else expect(r.generation.produced.ga + r.generation.produced.policy).to.be.greaterThan(0);
      expect(r.records.some((x) => x.oosDeflatedSharpe !== null)).to.equal(true);
      const forward = evaluateForward(r.records, { from: outOfSample.to + shift, to: outOfSample.to + shift + 3 * DAY }, backtest);
      expect(forward).to.have.length(30);
      expect(forward.filter((f) => f.forward !== null)).to.have.length(30);
      learner = r.learner;
    }
    expect(learner.history).to.have.length(60);
    expect(learner.tested.size).to.equal(60);
    expect(learner.policy.updates).to.equal(2);
    expect(learner.insights?.rows).to.equal(60);
  });
});

/** Figures with a win rate and a return of their own (the platform's thresholds read them). */
const g = (sharpe: number, tradeCount: number, winRate: number | null, totalReturn: number): Figures => ({
  sharpe,
  tradeCount,
  winRate,
  totalReturn,
  maxDrawdown: 0.1,
});

describe('the filter: the platform thresholds over the backtest window (issue 11)', () => {
  it('the window figures, by hand: trades add up, wins add up, returns compound, the Sharpe is the lower one', () => {
    // IS: 20 trades, 9 won, +10%; OOS: 5 trades, 3 won, +20% → 25 trades, 12 won (48%), 1.1 × 1.2 − 1 = 32%.
    const w = windowFigures(g(1.5, 20, 0.45, 0.1), g(0.9, 5, 0.6, 0.2));
    expect(w.tradeCount).to.equal(25);
    expect(w.winRate).to.be.closeTo(12 / 25, 1e-12);
    expect(w.totalReturn).to.be.closeTo(0.32, 1e-12);
    expect(w.sharpe).to.equal(0.9);
    // A window without trades adds no wins and needs no win rate; no trades at all is no win rate.
    expect(windowFigures(g(1, 10, 0.5, 0), g(1, 0, null, 0)).winRate).to.equal(0.5);
    expect(windowFigures(g(1, 0, null, 0), g(1, 0, null, 0)).winRate).to.equal(null);
  });

  it('a strategy inside every threshold passes the default rule', () => {
    expect(filterFailures(g(1.5, 20, 0.45, 0.1), g(0.9, 5, 0.6, 0.2))).to.deep.equal([]);
  });

  it('every failed check is listed, in order, not only the first', () => {
    // OOS: Sharpe 0.2 (≤ 0.5), 2 trades (< 3); window: Sharpe 0.2, win rate 2/12 ≈ 16.7%, return 0.4 × 0.9 − 1 = −64%, 12 trades.
    expect(filterFailures(g(-0.5, 10, 0.2, -0.6), g(0.2, 2, 0, -0.1))).to.deep.equal([
      'OOS Sharpe 0.20 ≤ 0.5',
      '2 OOS trades < 3',
      'IS Sharpe -0.50 ≤ 0',
      'Sharpe -0.50 (the lower of IS and OOS) ≤ 0.5',
      'win rate 16.7% ≤ 35.0%',
      'total return -64.0% < -50.0%',
    ]);
  });

  it('each threshold at its edge: strictly above for Sharpe and win rate, inclusive for return and trades', () => {
    const ok = (is: Figures, oos: Figures) => filterFailures(is, oos).filter((x) => !/^(\d+ )?OOS |^IS /.test(x));
    // 9 + 1 = 10 trades (≥ 10 passes), 4 + 0 wins of 10 = 40%.
    expect(ok(g(1, 9, 4 / 9, 0), g(1, 1, 0, 0))).to.deep.equal([]);
    expect(ok(g(1, 8, 0.5, 0), g(1, 1, 1, 0))).to.deep.equal(['9 trades over the backtest window < 10']);
    expect(ok(g(0.5, 20, 0.5, 0), g(1, 5, 0.5, 0))).to.deep.equal(['Sharpe 0.50 (the lower of IS and OOS) ≤ 0.5']);
    expect(ok(g(1, 20, 0.35, 0), g(1, 0, null, 0))).to.deep.equal(['win rate 35.0% ≤ 35.0%']);
    // +500% is inside (1 × 6 − 1), +600% is not; −50% is inside.
    expect(ok(g(1, 20, 0.5, 0), g(1, 5, 0.5, 5))).to.deep.equal([]);
    expect(ok(g(1, 20, 0.5, 1), g(1, 5, 0.5, 2.5))).to.deep.equal(['total return 600.0% > 500.0%']);
    expect(ok(g(1, 20, 0.5, -0.5), g(1, 5, 0.5, 0))).to.deep.equal([]);
  });

  it('the thresholds come from the rule: a rule with other values judges by them, one without them not at all', () => {
    const is = g(1, 20, 0.3, 0.1);
    const oos = g(1, 5, 0.3, 0.1);
    expect(filterFailures(is, oos)).to.deep.equal(['win rate 30.0% ≤ 35.0%']);
    expect(filterFailures(is, oos, { ...DEFAULT_FILTER, minWinRate: 0.25 })).to.deep.equal([]);
    expect(filterFailures(is, oos, OOS_GATE)).to.deep.equal([]);
  });

  it('a cycle records every failed check of each rejected strategy', () => {
    const r = runCycle(initialLearner(), { ...base, cycle: 0, size: 4 }, fake({ ...m(2, 4), winRate: 0.25 }, { ...m(1, 4), winRate: 0.25 }), mulberry32(4));
    for (const rec of r.records) {
      expect(rec.passed).to.equal(false);
      expect(rec.rejections).to.deep.equal(['win rate 25.0% ≤ 35.0%', '8 trades over the backtest window < 10']);
      expect(rec.rejectedBecause).to.equal('win rate 25.0% ≤ 35.0%; 8 trades over the backtest window < 10');
    }
  });

  it('a verdict reports the deflated Sharpe whether it passed or not, after the checks passed or failed', () => {
    const [rec] = runCycle(
      initialLearner(),
      { ...base, cycle: 0, size: 1 },
      fake({ ...m(2, 20), winRate: 0.5 }, { ...m(1, 5), winRate: 0.6 }),
      mulberry32(4),
    ).records;
    const passed: StrategyRecord = { ...rec!, passed: true, oosDeflatedSharpe: 0.7312 };
    // IS: 20 trades, +2%; OOS: 5 trades, +1% → 25 trades, 13 won (52%), 1.02 × 1.01 − 1 = 3.02%.
    expect(verdictReasons(passed, DEFAULT_FILTER, 500)).to.deep.equal([
      'OOS Sharpe 1.00 > 0.5',
      '5 OOS trades ≥ 3',
      'IS Sharpe 2.00 > 0',
      'Sharpe 1.00 (the lower of IS and OOS) > 0.5',
      'win rate 52.0% > 35.0%',
      'total return 3.0% within [-50.0%, 500.0%]',
      '25 trades over the backtest window ≥ 10',
      'OOS deflated Sharpe 0.731 (500 trials)',
    ]);
    const rejected: StrategyRecord = { ...rec!, passed: false, rejections: ['win rate 20.0% ≤ 35.0%', '2 OOS trades < 3'], oosDeflatedSharpe: null };
    expect(verdictReasons(rejected, DEFAULT_FILTER, 500)).to.deep.equal([
      'win rate 20.0% ≤ 35.0%',
      '2 OOS trades < 3',
      'OOS deflated Sharpe: not computable (500 trials)',
    ]);
  });
});
