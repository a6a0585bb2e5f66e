import { expect } from 'chai';
import { compileGenome } from '../../domain/backtest/compile.js';
import { checkLookAhead } from '../../domain/backtest/look-ahead.js';
import { INDICATORS, INDICATOR_NAMES } from '../../domain/indicators/catalog.js';
import { btcusdt1h, truncate } from '../indicators/real-candles.js';
import { TYPICAL } from '../indicators/param-sets.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { IndicatorCache, type ComputeFn } from '../../domain/indicators/cache.js';
import { computeIndicatorSync } from '../../domain/indicators/compute.js';

/** A genome using every output of one indicator: entry output > close/0 for each, exit crosses_below. */
const genomeFor = (name: (typeof INDICATOR_NAMES)[number]) => {
  const outputs: readonly string[] = INDICATORS[name].outputs;
  const conds = outputs.map((o) => ({ left: { indicator: 'x', output: o }, op: 'gt', right: { price: 'close' } }));
  const crosses = outputs.map((o) => ({ left: { indicator: 'x', output: o }, op: 'crosses_below', right: { price: 'open' } }));
  return compileGenome({
    ...(smaCrossoverGenome() as object),
    indicators: [{ id: 'x', name, params: TYPICAL[name] }],
    entry: { mode: 'any', conditions: conds },
    exit: { mode: 'any', conditions: crosses },
  });
};

describe('look-ahead check', () => {
  const s = truncate(btcusdt1h(), 6000);

  for (const name of INDICATOR_NAMES)
    it(`passes for ${name} on real BTCUSDT 1h`, () => {
      const report = checkLookAhead(genomeFor(name), s, { count: 30 });
      expect(report.findings).to.deep.equal([]);
      expect(report.passed).to.equal(true);
      expect(report.cutPoints).to.be.greaterThan(30);
    });

  it('catches an indicator that peeks at the next candle', () => {
    // A broken "sma" whose value at t is the NEXT close when there is one: it changes when the future is cut off.
    const leaky: ComputeFn = (series, name, params) => {
      const real = computeIndicatorSync(series, name, params);
      const v = new Float64Array(series.length);
      for (let i = 0; i < series.length; i++) v[i] = series.close[Math.min(i + 1, series.length - 1)]!;
      return { ...real, outputs: { value: v } };
    };
    const report = checkLookAhead(genomeFor('sma'), s, { count: 10, newCache: () => new IndicatorCache({ compute: leaky }) });
    expect(report.passed).to.equal(false);
    const f = report.findings[0]!;
    expect(f.bar).to.equal(f.truncatedAt - 1); // the last bar of each cut is the one that saw the future
  });
});
