// The pure parts of the up-front backtest checks: the window count agrees with the windows the analysis makes, grid
// paths are accepted exactly when the grid search can write them (and never reach the prototype chain), and the
// rankable metrics are the ones a real backtest stores.
import { expect } from 'chai';
import fc from 'fast-check';
import { either } from 'fp-ts';
import { backtestGenome } from '../../domain/backtest/engine.js';
import { applyParams, gridPathProblem } from '../../domain/backtest/grid-search.js';
import { isRankingMetric, RANKING_METRICS } from '../../domain/backtest/ranking-metrics.js';
import { walkForwardWindowCount, walkForwardWindows } from '../../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { btcusdt1h } from '../indicators/real-candles.js';

describe('backtest request limits (pure)', () => {
  it('walkForwardWindowCount is the number of windows walkForwardWindows makes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 800 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 400 }),
        fc.boolean(),
        (bars, inSample, outOfSample, extraStep, anchored) => {
          const spec = { inSample, outOfSample, step: outOfSample + extraStep, anchored };
          expect(walkForwardWindowCount(bars, spec)).to.equal(walkForwardWindows(0, bars, spec).length);
        },
      ),
      { seed: 20261122, numRuns: 500 },
    );
    // By hand: 1416 bars, 240 + 120, step 120 → starts 0, 120, …, 960 (the last ends at 1320; the next would end at 1440).
    expect(walkForwardWindowCount(1416, { inSample: 240, outOfSample: 120 })).to.equal(9);
    expect(walkForwardWindowCount(359, { inSample: 240, outOfSample: 120 })).to.equal(0);
  });

  it('a grid path is accepted exactly when the grid search writes it into the genome', () => {
    const genome = rsiMeanReversionGenome();
    const sma = smaCrossoverGenome();
    const cases: [typeof genome, string, number, boolean][] = [
      [sma, 'fast.period', 12, true],
      [sma, 'indicators.slow.params.period', 40, true],
      [sma, 'indicators.0.params.period', 8, true],
      [sma, 'exitRules.stopLoss', 0.03, true], // absent from this genome, an optional rule
      [sma, 'risk.positionSize', 0.5, true],
      [genome, 'entry.conditions.0.right.value', 25, true], // a condition's constant
      [genome, 'bb.stddev', 2.5, true],
      [sma, 'fast.nope', 1, false],
      [sma, 'indicators.nope.params.period', 5, false],
      [sma, 'symbols.0', 1, false],
      [sma, 'lineage.generation', 3, false],
      [sma, 'timeframe', 1, false],
      [sma, 'entry.mode', 1, false],
    ];
    for (const [g, path, value, ok] of cases) {
      const problem = gridPathProblem(g, path);
      if (ok) expect(problem, path).to.equal(undefined);
      else expect(problem, path).to.be.a('string').and.contain(path);
      if (ok) {
        const applied = applyParams(g, { [path]: value });
        expect(either.isRight(applied), `${path}: ${JSON.stringify(applied)}`).to.equal(true);
        expect(JSON.stringify(either.isRight(applied) && applied.right)).to.not.equal(JSON.stringify(g));
      }
    }
  });

  it('a grid path through __proto__, constructor or prototype names nothing and pollutes nothing', () => {
    const genome = smaCrossoverGenome();
    for (const path of [
      '__proto__.polluted',
      'constructor.prototype.polluted',
      'risk.__proto__.polluted',
      'indicators.0.__proto__.polluted',
      'risk.constructor',
    ]) {
      expect(gridPathProblem(genome, path), path).to.be.a('string');
      const applied = applyParams(genome, { [path]: 7 });
      expect(either.isLeft(applied), path).to.equal(true);
      expect(({} as Record<string, unknown>)['polluted'], path).to.equal(undefined);
    }
  });

  it('the rankable metrics are the scalar metrics a real backtest stores', () => {
    const run = backtestGenome(smaCrossoverGenome(10, 30), { BTCUSDT: btcusdt1h() }, new IndicatorCache(), {
      from: Date.UTC(2023, 0, 1),
      to: Date.UTC(2023, 6, 1),
      trials: { count: 10, annualisedSharpeVariance: 0.5 },
    });
    const stored = Object.keys(run.perSymbol['BTCUSDT']!.storedMetrics).filter((k) => !k.startsWith('monthlyReturn.'));
    expect(stored.length).to.be.greaterThan(30);
    for (const k of stored) expect(isRankingMetric(k), k).to.equal(true);
    for (const k of ['sharpe', 'sortino', 'totalReturn', 'maxDrawdown', 'calmar', 'winRate']) expect(RANKING_METRICS).to.include(k);
    for (const k of ['profit', 'monthlyReturn.2023-01', '__proto__', 'constructor', '']) expect(isRankingMetric(k), k).to.equal(false);
  });
});
