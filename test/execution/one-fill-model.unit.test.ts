// One fill model, proven one: random valid genomes over real candles, run through the backtest engine's fast loops and
// through the paper path (strategy runner → DirectRouter → paper exchange matching, bar by bar), must give the same
// trades (every field, to the last bit), the same exit reasons and the same equity at every close.
import { expect } from 'chai';
import fc from 'fast-check';
import { compileGenome } from '../../domain/backtest/compile.js';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { btcusdt1h, loadCandles } from '../indicators/real-candles.js';
import { enginePath, firstDifference, paperPath } from '../support/engine-vs-paper.js';

const SERIES: Record<string, () => CandleSeries> = {
  BTCUSDT: btcusdt1h,
  ETHUSDT: () => loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT'),
  SOLUSDT: () => loadCandles('binance_SOLUSDT_1h.csv.gz', 'SOLUSDT'),
  DOGEUSDT: () => loadCandles('binance_DOGEUSDT_1h.csv.gz', 'DOGEUSDT'),
};
const loaded = new Map<string, CandleSeries>();
const series = (symbol: string): CandleSeries => {
  let s = loaded.get(symbol);
  if (s === undefined) loaded.set(symbol, (s = SERIES[symbol]!()));
  return s;
};

type ExitVariant = 'genome' | 'none' | 'stop' | 'target' | 'trailing' | 'stop+target' | 'all' | 'tie';
const exitRulesFor = (v: ExitVariant, g: Genome, rnd: () => number): Genome['exitRules'] => {
  const sl = Math.round((0.004 + rnd() * 0.04) * 1000) / 1000;
  const tp = Math.round((0.005 + rnd() * 0.06) * 1000) / 1000;
  const tr = Math.round((0.004 + rnd() * 0.04) * 1000) / 1000;
  const rules: Record<ExitVariant, Record<string, number>> = {
    genome: g.exitRules,
    none: {},
    stop: { stopLoss: sl },
    target: { takeProfit: tp },
    trailing: { trailingStop: tr },
    'stop+target': { stopLoss: sl, takeProfit: tp },
    all: { stopLoss: sl, takeProfit: tp, trailingStop: tr },
    tie: { stopLoss: sl, trailingStop: sl }, // stop-loss and trailing stop at one level until the trail moves
  };
  return rules[v];
};

const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT'),
  direction: fc.constantFrom('long_only', 'long_short'),
  exits: fc.constantFrom<ExitVariant>('genome', 'none', 'stop', 'target', 'trailing', 'stop+target', 'all', 'tie'),
  takerFee: fc.constantFrom(0, 0.0004, 0.001, 0.0025),
  makerFee: fc.constantFrom(0, 0.0002, 0.001),
  slippage: fc.constantFrom(0, 0.0001, 0.0005, 0.002),
  start: fc.integer({ min: 200, max: 20_000 }),
  bars: fc.integer({ min: 50, max: 2500 }),
  capital: fc.constantFrom(10_000, 1234.56, 1_000_000),
});

describe('one fill model: the backtest engine and the paper exchange path agree to the last bit', () => {
  const cache = new IndicatorCache();

  it('on random genomes over real candles (4 symbols, every exit-rule mix, long_only and long_short, fees and slippage)', function () {
    this.timeout(240_000);
    let trades = 0;
    const reasons = new Set<string>();
    fc.assert(
      fc.property(caseArb, (c) => {
        const rnd = mulberry32(c.seed);
        const g0 = randomGenome(rnd, [c.symbol]);
        const g = { ...g0, direction: c.direction, exitRules: exitRulesFor(c.exits, g0, rnd) };
        if (g.exit.conditions.length === 0 && Object.keys(g.exitRules).length === 0) return; // not a valid genome
        const compiled = compileGenome(g);
        const s = series(c.symbol);
        const from = Math.min(c.start, s.length - 60);
        const to = Math.min(s.length, from + c.bars);
        const cfg = fillConfig({ takerFee: c.takerFee, makerFee: c.makerFee, slippage: c.slippage });
        const a = enginePath(compiled, s, from, to, cfg, c.capital, cache);
        const b = paperPath(compiled, s, from, to, cfg, c.capital, cache);
        const diff = firstDifference(a, b);
        if (diff !== undefined) throw new Error(`engine vs paper: ${diff}`);
        trades += a.trades.length;
        for (const r of a.exitReasons) reasons.add(r);
      }),
      { seed: 20_240_601, numRuns: 150 },
    );
    // The property saw real work: many trades, every way out of a position.
    expect(trades).to.be.greaterThan(2000);
    expect([...reasons].sort()).to.deep.equal(['end_of_data', 'signal', 'stop_loss', 'take_profit', 'trailing_stop']);
  });

  it('on one long fixed case: a year of BTCUSDT 1h, a genome with a stop-loss, a take-profit and a trailing stop', function () {
    this.timeout(60_000);
    const s = series('BTCUSDT');
    const from = s.openTime.findIndex((t) => t >= Date.UTC(2022, 0, 1));
    const to = s.openTime.findIndex((t) => t >= Date.UTC(2023, 0, 1));
    expect(to - from).to.be.within(8700, 8760); // a year of hours, less Binance's outages
    const g = {
      strategyType: 'momentum',
      direction: 'long_short',
      indicators: [
        { id: 'fast', name: 'ema', params: { period: 12 } },
        { id: 'slow', name: 'ema', params: { period: 48 } },
      ],
      entry: { mode: 'all', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_above', right: { indicator: 'slow' } }] },
      exit: { mode: 'any', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_below', right: { indicator: 'slow' } }] },
      exitRules: { stopLoss: 0.015, takeProfit: 0.06, trailingStop: 0.03 }, // the stop is nearer at entry, the trail after a 1.5% gain
      risk: { positionSize: 1, riskPerTrade: 0.02 },
      timeframe: '1h',
      symbols: ['BTCUSDT'],
      lineage: { generation: 0, parentIds: [], origin: 'manual' },
    };
    const cfg = fillConfig({ takerFee: 0.001, makerFee: 0.0002, slippage: 0.0005 });
    const compiled = compileGenome(g);
    const a = enginePath(compiled, s, from, to, cfg, 10_000, cache);
    const b = paperPath(compiled, s, from, to, cfg, 10_000, cache);
    expect(firstDifference(a, b)).to.equal(undefined);
    expect(a.trades.length).to.be.greaterThan(100);
    const count = (r: string) => a.exitReasons.filter((x) => x === r).length;
    for (const r of ['signal', 'stop_loss', 'take_profit', 'trailing_stop']) expect(count(r), r).to.be.greaterThan(0);
    expect(b.equity.length).to.equal(to - from);
  });
});
