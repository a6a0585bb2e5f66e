// `npm run bench:limits`: how long the largest backtest jobs the default limits accept (domain/backtest/limits.ts)
// keep one thread busy — what one worker spends on them — on real 1h candles of ../shared/data. Each job is first put
// through the API's own up-front checks (domain/backtest/request-limits.ts) to show it is allowed, and one cell or
// window more to show it is not. Prints seconds and strategy-bars per second per job.
import { performance } from 'node:perf_hooks';
import { gridSearch } from '../domain/backtest/grid-search.js';
import { DEFAULT_BACKTEST_LIMITS } from '../domain/backtest/limits.js';
import { coverageProblems, planProblems, type BacktestRequestPlan, type CandleFacts } from '../domain/backtest/request-limits.js';
import { walkForward } from '../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../domain/indicators/cache.js';
import type { CandleSeries } from '../domain/market/candles.js';
import { MAX_GENOME_SYMBOLS } from '../domain/strategy/limits.js';
import { smaCrossoverGenome } from '../domain/strategy/templates.js';
import { loadCandles } from '../test/indicators/real-candles.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'];
const series: Record<string, CandleSeries> = Object.fromEntries(SYMBOLS.map((s) => [s, loadCandles(`binance_${s}_1h.csv.gz`, s)]));
const first = Math.max(...SYMBOLS.map((s) => series[s]!.openTime[0]!));
const last = Math.min(...SYMBOLS.map((s) => series[s]!.openTime[series[s]!.length - 1]!));
const period = { from: first, to: last + 3_600_000 };
const facts: CandleFacts = {
  exchangeKnown: true,
  series: Object.fromEntries(
    SYMBOLS.map((s) => {
      const x = series[s]!;
      let inPeriod = 0;
      for (let i = 0; i < x.length; i++) if (x.openTime[i]! >= period.from && x.openTime[i]! < period.to) inPeriod++;
      return [s, { first: x.openTime[0]!, last: x.openTime[x.length - 1]!, inPeriod }];
    }),
  ),
};
const bars = facts.series[SYMBOLS[0]!]!.inPeriod;
const limits = DEFAULT_BACKTEST_LIMITS;
const genome = smaCrossoverGenome(10, 30, SYMBOLS);
const range = (n: number, from: number, step = 1) => Array.from({ length: n }, (_, i) => from + i * step);

const check = (plan: Omit<BacktestRequestPlan, 'genome' | 'exchange' | 'symbols' | 'interval' | 'period' | 'paths'>) => {
  const full: BacktestRequestPlan = {
    genome,
    exchange: 'binance',
    symbols: SYMBOLS,
    interval: '1h',
    period,
    paths: { symbols: 'symbols', exchange: 'exchange' },
    ...plan,
  };
  const problems = [...planProblems(full, period.to + 1, limits, MAX_GENOME_SYMBOLS), ...coverageProblems(full, facts, limits)];
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ') || 'accepted';
};

const time = (name: string, strategyBars: number, run: () => unknown) => {
  const t0 = performance.now();
  run();
  const s = (performance.now() - t0) / 1000;
  console.log(`${name}: ${s.toFixed(1)} s (${(strategyBars / s / 1e6).toFixed(1)} M strategy-bars/s)`);
};

console.log(`limits: ${JSON.stringify(limits)}; ${SYMBOLS.length} symbols × ${bars} bars = ${SYMBOLS.length * bars} candles`);

// The largest grid: 40 × 25 = 1000 cells over every candle.
const grid = { 'fast.period': range(40, 2), 'slow.period': range(25, 50, 4) };
console.log(`grid of 1000 cells: ${check({ gridSearch: { grid } })}`);
console.log(`grid of 1025 cells: ${check({ gridSearch: { grid: { ...grid, 'fast.period': range(41, 2) } } })}`);
time('largest grid (1000 cells)', 1000 * SYMBOLS.length * bars, () => gridSearch(genome, grid, series, new IndicatorCache(), period));

// The largest walk-forward: 100 anchored windows (the in-sample part grows to the whole range) × (19 cells + 1).
const step = 200;
const outOfSample = 200;
const inSample = bars - outOfSample - 99 * step;
const wfGrid = { 'fast.period': range(19, 5) };
const wf = { inSample, outOfSample, step, anchored: true, grid: wfGrid };
console.log(`walk-forward of 100 windows × 20 runs: ${check({ walkForward: wf })}`);
console.log(`walk-forward of 101 windows: ${check({ walkForward: { ...wf, inSample: inSample - step } })}`);
let anchoredBars = 0;
for (let w = 0; w < 100; w++) anchoredBars += (inSample + w * step) * wfGrid['fast.period'].length + outOfSample;
time('largest walk-forward (100 anchored windows, 19 cells)', anchoredBars * SYMBOLS.length, () =>
  walkForward(genome, series, new IndicatorCache(), wf, period),
);
