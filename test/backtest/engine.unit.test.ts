import { expect } from 'chai';
import { OperandDataError } from '../../domain/backtest/operand-data.js';
import { CompileError, compileGenome, fillSignals, signalAt, bindStrategy } from '../../domain/backtest/compile.js';
import { BacktestError, backtestGenome, backtestSymbol } from '../../domain/backtest/engine.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { btcusdt1h, loadCandles, truncate } from '../indicators/real-candles.js';
import { H, T0, bars, flat, thresholdGenome } from './helpers.js';

const allFinite = (m: Record<string, number>) => Object.entries(m).filter(([, v]) => !Number.isFinite(v));

describe('backtest engine', () => {
  it('returns a result with 0 trades for a strategy that never trades', () => {
    const s = bars(flat([100, 101, 102, 103, 104, 105]));
    const r = backtestSymbol(compileGenome(thresholdGenome(1e9, 0)), s, new IndicatorCache());
    expect(r.trades).to.have.length(0);
    expect(r.finalEquity).to.equal(10_000);
    expect(Array.from(r.equity)).to.deep.equal(new Array(6).fill(10_000));
    expect(r.maxDrawdown).to.equal(0);
    expect(r.metrics.tradeCount).to.equal(0);
    expect(allFinite(r.storedMetrics)).to.deep.equal([]);
  });

  it('handles a strategy whose signals fire on every bar', () => {
    // entry and exit both always true (long_only: exit wins while long): in, out, in, out …
    const s = btcusdt1h();
    const g = thresholdGenome(0, 1e12, { symbols: ['BTCUSDT'] });
    const r = backtestSymbol(compileGenome(g), s, new IndicatorCache());
    expect(r.trades.length).to.be.within(s.length / 2 - 2, s.length / 2 + 1);
    expect(r.trades.every((t) => t.barsHeld === 1)).to.equal(true);
    expect(r.finalEquity).to.be.below(10_000); // 24k fees of 0.1%
    expect(r.finalEquity).to.be.above(0);
    expect(allFinite(r.storedMetrics)).to.deep.equal([]);
  });

  it('refuses an empty window with a typed error', () => {
    const s = bars(flat([100, 101, 102]));
    const run = (from?: number, to?: number) =>
      backtestSymbol(compileGenome(thresholdGenome(0, 0)), s, new IndicatorCache(), {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      });
    expect(() => run(T0 + 10 * H))
      .to.throw(BacktestError)
      .with.property('code', 'EMPTY_WINDOW');
    expect(() => run(T0 + H, T0 + H))
      .to.throw(BacktestError)
      .with.property('code', 'EMPTY_WINDOW');
    expect(() => run(undefined, T0)).to.throw(BacktestError);
    expect(() => backtestSymbol(compileGenome(thresholdGenome(0, 0)), bars([]), new IndicatorCache())).to.throw(BacktestError);
  });

  it('simulates only the window, with indicators warmed up on the bars before it', () => {
    const s = btcusdt1h();
    const from = s.openTime[s.length - 2160]!;
    const r = backtestSymbol(compileGenome(smaCrossoverGenome(10, 30, ['BTCUSDT'])), s, new IndicatorCache(), { from });
    expect(r.window.bars).to.equal(2160);
    expect(r.window.from).to.equal(from);
    expect(r.trades.every((t) => t.entryTime >= from)).to.equal(true);
  });

  it('flags gaps in the series instead of treating it as contiguous', () => {
    const times = [0, 1, 2, 5, 6, 7].map((k) => T0 + k * H);
    const r = backtestSymbol(compileGenome(thresholdGenome(0, 0)), bars(flat([1, 2, 3, 4, 5, 6]), times), new IndicatorCache());
    expect(r.gaps.gaps).to.equal(1);
    expect(r.gaps.missingBars).to.equal(2);
    expect(r.gaps.first).to.deep.equal([{ after: T0 + 2 * H, before: T0 + 5 * H }]);
    // the real BTCUSDT file: 5 Binance outages, 12 missing hours
    const real = backtestSymbol(compileGenome(smaCrossoverGenome()), btcusdt1h(), new IndicatorCache());
    expect(real.gaps).to.include({ gaps: 5, missingBars: 12 });
  });

  it('refuses bad genomes with typed errors', () => {
    const bad = {
      ...(smaCrossoverGenome() as object),
      indicators: [
        { id: 'fast', name: 'sma', params: { period: 1 } },
        { id: 'slow', name: 'nope', params: {} },
      ],
    };
    expect(() => compileGenome(bad))
      .to.throw(CompileError)
      .with.property('code', 'INVALID_GENOME');
    const predicting = thresholdGenome(0, 0, {
      strategyType: 'prediction_driven',
      entry: { mode: 'all', conditions: [{ left: { prediction: 'up_probability' }, op: 'gt', right: { value: 0.6 } }] },
    });
    // The prediction operand compiles now; a backtest given no predictions says which operand lacks its data.
    expect(() => backtestSymbol(compileGenome(predicting), bars(flat([1, 2])), new IndicatorCache()))
      .to.throw(OperandDataError)
      .with.property('code', 'OPERAND_DATA_MISSING');
    const s = { ...bars(flat([1, 2])), key: { exchange: 'test', symbol: 'TESTUSDT', interval: '4h' as const } };
    expect(() => backtestSymbol(compileGenome(thresholdGenome(0, 0)), s, new IndicatorCache()))
      .to.throw(BacktestError)
      .with.property('code', 'TIMEFRAME_MISMATCH');
  });

  it('evaluates a constant on the left by flipping the comparison', () => {
    const g = thresholdGenome(0, 0, { entry: { mode: 'all', conditions: [{ left: { value: 100 }, op: 'crosses_above', right: { price: 'close' } }] } });
    const s = bars(flat([101, 102, 99, 98, 103]));
    const bound = bindStrategy(compileGenome(g), s, new IndicatorCache());
    const out = new Uint8Array(5);
    fillSignals(bound.entry, 0, 5, out);
    expect(Array.from(out)).to.deep.equal([0, 0, 1, 0, 0]); // 100 crosses above close = close crosses below 100
  });

  it('agrees between the per-bar signalAt and the vectorised fillSignals on real data', () => {
    const s = truncate(btcusdt1h(), 3000);
    const cache = new IndicatorCache();
    for (const g of [...randomGenomes(7, 30, ['BTCUSDT']), rsiMeanReversionGenome()]) {
      const bound = bindStrategy(compileGenome({ ...g, symbols: ['BTCUSDT'] }), s, cache);
      for (const set of [bound.entry, bound.exit]) {
        const out = new Uint8Array(s.length);
        fillSignals(set, 0, s.length, out);
        for (let t = 0; t < s.length; t++) if ((out[t] === 1) !== signalAt(set, t)) expect.fail(`bar ${t} differs`);
      }
    }
  });

  it('never stores NaN metrics, over many random genomes on real data, and aggregates symbols', () => {
    const btc = btcusdt1h();
    const eth = loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT');
    const from = btc.openTime[btc.length - 2160]!;
    const cache = new IndicatorCache();
    const genomes = randomGenomes(42, 60, ['BTCUSDT', 'ETHUSDT']);
    let traded = 0;
    for (const g of genomes) {
      const r = backtestGenome(g, { BTCUSDT: btc, ETHUSDT: eth }, cache, { from, fill: { slippage: 0.0005 } });
      for (const one of Object.values(r.perSymbol)) {
        expect(allFinite(one.storedMetrics)).to.deep.equal([]);
        for (let i = 0; i < one.equity.length; i++) if (!Number.isFinite(one.equity[i]!)) expect.fail('non-finite equity');
        traded += one.trades.length > 0 ? 1 : 0;
      }
      expect(r.aggregate.symbols).to.equal(2);
      expect(allFinite(r.aggregate.meanMetrics)).to.deep.equal([]);
    }
    expect(traded).to.be.greaterThan(60); // most strategies actually trade
    expect(() => backtestGenome(genomes[0]!, { BTCUSDT: btc }, cache))
      .to.throw(BacktestError)
      .with.property('code', 'MISSING_SERIES');
  });
});
