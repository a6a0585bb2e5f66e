// One fill model, proven one: random valid genomes over real candles, run through the backtest engine's fast loops and
// through the paper path (strategy runner → DirectRouter → paper exchange matching, bar by bar), must give the same
// trades (every field, to the last bit), the same exit reasons and the same equity at every close.
import { expect } from 'chai';
import fc from 'fast-check';
import { compileGenome, bindStrategy, type CompiledGenome } from '../../domain/backtest/compile.js';
import { simulate, type Simulation } from '../../domain/backtest/engine.js';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { EXIT_REASON_NAMES, fillConfig, type FillConfig } from '../../domain/execution/fill-model.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { btcusdt1h, loadCandles } from '../indicators/real-candles.js';
import { paperSession } from '../support/paper-session.js';

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

export interface PathResult {
  readonly trades: Simulation['trades'];
  readonly exitReasons: readonly string[];
  readonly equity: Float64Array;
  readonly cash: number;
}

export const enginePath = (compiled: CompiledGenome, s: CandleSeries, from: number, to: number, cfg: FillConfig, capital: number, cache: IndicatorCache): PathResult => {
  const sim = simulate(bindStrategy(compiled, s, cache), from, to, capital, cfg);
  return { trades: sim.trades, exitReasons: sim.exitReasons.map((r) => EXIT_REASON_NAMES[r]), equity: sim.equity, cash: sim.finalEquity };
};

export const paperPath = (compiled: CompiledGenome, s: CandleSeries, from: number, to: number, cfg: FillConfig, capital: number, cache: IndicatorCache): PathResult => {
  const session = paperSession([{ compiled, series: s, from, to }], cache, { fill: cfg, initialCapital: capital });
  session.run();
  const r = session.runners[0]!;
  expect(r.refusals, 'orders refused or rejected on the paper path').to.deep.equal([]);
  // The venue's books and the runner's agree, bit for bit.
  expect(Object.is(session.exchange.cash('acct-0'), r.balance), 'paper exchange cash = runner cash').to.equal(true);
  return { trades: r.trades, exitReasons: r.exitReasons.map((x) => EXIT_REASON_NAMES[x]), equity: r.equity.slice(), cash: r.balance };
};

/** The first difference between the two paths (every number compared with Object.is), or undefined. */
export const firstDifference = (a: PathResult, b: PathResult): string | undefined => {
  if (a.trades.length !== b.trades.length) return `trade count ${a.trades.length} vs ${b.trades.length}`;
  for (let i = 0; i < a.trades.length; i++) {
    const x = a.trades[i]! as unknown as Record<string, unknown>;
    const y = b.trades[i]! as unknown as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.join() !== Object.keys(y).join()) return `trade ${i}: fields ${keys.join()} vs ${Object.keys(y).join()}`;
    for (const k of keys) if (!Object.is(x[k], y[k])) return `trade ${i}.${k}: ${String(x[k])} vs ${String(y[k])}`;
    if (a.exitReasons[i] !== b.exitReasons[i]) return `trade ${i} exit reason: ${a.exitReasons[i]} vs ${b.exitReasons[i]}`;
  }
  if (a.equity.length !== b.equity.length) return `equity length ${a.equity.length} vs ${b.equity.length}`;
  for (let i = 0; i < a.equity.length; i++) if (!Object.is(a.equity[i], b.equity[i])) return `equity at close ${i}: ${a.equity[i]} vs ${b.equity[i]}`;
  if (!Object.is(a.cash, b.cash)) return `final cash ${a.cash} vs ${b.cash}`;
  return undefined;
};

type ExitVariant = 'genome' | 'none' | 'stop' | 'target' | 'trailing' | 'stop+target' | 'all';
const exitRulesFor = (v: ExitVariant, g: Genome, rnd: () => number): Genome['exitRules'] => {
  const sl = Math.round((0.004 + rnd() * 0.04) * 1000) / 1000;
  const tp = Math.round((0.005 + rnd() * 0.06) * 1000) / 1000;
  const tr = Math.round((0.004 + rnd() * 0.04) * 1000) / 1000;
  const rules: Record<ExitVariant, Record<string, number>> = {
    genome: g.exitRules as Record<string, number>,
    none: {},
    stop: { stopLoss: sl },
    target: { takeProfit: tp },
    trailing: { trailingStop: tr },
    'stop+target': { stopLoss: sl, takeProfit: tp },
    all: { stopLoss: sl, takeProfit: tp, trailingStop: tr },
  };
  return rules[v] as Genome['exitRules'];
};

const caseArb = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  symbol: fc.constantFrom('BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'DOGEUSDT'),
  direction: fc.constantFrom('long_only', 'long_short'),
  exits: fc.constantFrom<ExitVariant>('genome', 'none', 'stop', 'target', 'trailing', 'stop+target', 'all'),
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
        const g = { ...g0, direction: c.direction, exitRules: exitRulesFor(c.exits, g0, rnd) } as Genome;
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
