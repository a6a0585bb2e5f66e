// The performance metrics of one backtest, from its equity curve, its closed trades, the benchmark
// (buy-and-hold of the same symbol) and the strategies tried beside it. Every metric is a finite number
// or null (see degenerate.ts); toStoredMetrics flattens the result for the StrategyBacktested event.
// Conventions, formulas and degenerate cases are listed in doc/metrics.md.
import { periodsPerYear, perPeriodRate, type YearConvention } from './annualisation.js';
import { benchmarkMetrics, type BenchmarkMetrics } from './benchmark.js';
import { deflatedSharpeMetrics, type DeflatedSharpeMetrics, type Trials } from './deflated-sharpe.js';
import { drawdownMetrics, drawdownRatios, type DrawdownMetrics, type DrawdownRatios } from './drawdown.js';
import { monthlyReturns, type MonthlyReturn } from './monthly.js';
import { perBarSharpe, returnMetrics, scanReturns, type ReturnMetrics } from './returns.js';
import { tailMetrics, type TailMetrics } from './tails.js';
import { tradeMetrics, type ClosedTrade, type TradeMetrics } from './trades.js';

export { DAYS_PER_YEAR, periodsPerYear, perPeriodRate, type YearConvention } from './annualisation.js';
export type { BenchmarkMetrics } from './benchmark.js';
export {
  deflatedSharpe,
  EULER_MASCHERONI,
  expectedMaxSharpe,
  probabilisticSharpe,
  trialSharpeVariance,
  type DeflatedSharpeMetrics,
  type SharpeSample,
  type Trials,
} from './deflated-sharpe.js';
export { ZERO_DISPERSION, type Metric } from './degenerate.js';
export type { DrawdownMetrics, DrawdownRatios } from './drawdown.js';
export type { MonthlyReturn } from './monthly.js';
export { inverseNormalCdf, normalCdf } from './normal.js';
export { barReturn, type ReturnMetrics } from './returns.js';
export { quantileSorted, type TailMetrics } from './tails.js';
export { exposure, type ClosedTrade, type TradeMetrics } from './trades.js';

export interface MetricsInput {
  /** Account equity at each bar's close, in the account currency. */
  readonly equity: Float64Array;
  /** Each bar's open time, epoch ms UTC, strictly ascending; same length as equity. */
  readonly openTime: Float64Array;
  /** The bar interval in ms (3,600,000 for 1h bars): sets the bars per year. */
  readonly barIntervalMs: number;
  /** Closed trades, in the engine's order (by exit). */
  readonly trades: readonly ClosedTrade[];
  /** Buy-and-hold of the same symbol: its equity curve or its closes, index-aligned with equity. */
  readonly benchmark?: Float64Array;
  /** The strategies tried in the same run, for the deflated Sharpe ratio. */
  readonly trials?: Trials;
}

export interface MetricsOptions {
  /** 'calendar' (default, crypto: 365 days of bars a year) or 'trading' (equities: 252 days). */
  readonly year?: YearConvention;
  /** Bars per year, overriding `year` (e.g. 1,638 for 1h bars of a 6.5-hour equity session). */
  readonly periodsPerYear?: number;
  /** Annual risk-free rate for Sharpe and alpha (default 0), compounded down to a per-bar rate. */
  readonly riskFreeRate?: number;
  /** Annual target return of the Sortino ratio's downside deviation (default 0), compounded down per bar. */
  readonly sortinoTarget?: number;
}

export type BacktestMetrics = ReturnMetrics &
  DrawdownMetrics &
  DrawdownRatios &
  TailMetrics &
  TradeMetrics &
  BenchmarkMetrics &
  DeflatedSharpeMetrics & {
    /** Number of bars in the equity curve. */
    readonly bars: number;
    /** The annualisation used. */
    readonly periodsPerYear: number;
    readonly monthlyReturns: readonly MonthlyReturn[];
  };

const checkSeries = (name: string, xs: Float64Array): void => {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!)) throw new RangeError(`${name}[${i}] is not a finite number (${xs[i]})`);
  }
};

const checkInput = (input: MetricsInput): void => {
  const { equity, openTime, benchmark } = input;
  if (openTime.length !== equity.length) {
    throw new RangeError(`openTime has ${openTime.length} bars, equity ${equity.length}`);
  }
  if (benchmark !== undefined && benchmark.length !== equity.length) {
    throw new RangeError(`benchmark has ${benchmark.length} bars, equity ${equity.length}`);
  }
  if (looksValid(equity, openTime, benchmark)) return;
  // Something is wrong: the checks one at a time, in this order, to say what.
  checkSeries('equity', equity);
  checkSeries('openTime', openTime);
  if (benchmark !== undefined) checkSeries('benchmark', benchmark);
  for (let i = 1; i < openTime.length; i++) {
    if (!(openTime[i]! > openTime[i - 1]!)) throw new RangeError(`openTime is not strictly ascending at bar ${i}`);
  }
};

/**
 * All of checkInput's per-bar tests in one pass; false when any fails. x − x is 0 for a finite x and NaN
 * otherwise, so the sum of them all is 0 exactly when every value is finite (no branch per value).
 */
const looksValid = (equity: Float64Array, openTime: Float64Array, benchmark: Float64Array | undefined): boolean => {
  const n = equity.length;
  let finite = 0;
  let ascending = true;
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    const t = openTime[i]!;
    finite += e - e + (t - t);
    ascending = ascending && t > previous;
    previous = t;
  }
  if (benchmark !== undefined)
    for (let i = 0; i < n; i++) {
      const b = benchmark[i]!;
      finite += b - b;
    }
  return finite === 0 && ascending;
};

// Per-bar return buffers reused from one computeMetrics call to the next (it is synchronous and they never
// escape it): the strategy's returns (the tail metrics reorder them) and the benchmark's. Grown on demand.
let returnsBuffer = new Float64Array(0);
let benchmarkBuffer = new Float64Array(0);

/**
 * All metrics of one backtest. Throws a RangeError on malformed input (lengths that differ, a non-finite
 * value, times out of order, a bad trade or trial count): a bug upstream, not a degenerate backtest.
 * Allocates the monthly table and the result; the per-bar returns go to buffers reused between calls.
 */
export const computeMetrics = (input: MetricsInput, options: MetricsOptions = {}): BacktestMetrics => {
  checkInput(input);
  const { equity, openTime } = input;
  const ppy = options.periodsPerYear ?? periodsPerYear(input.barIntervalMs, options.year ?? 'calendar');
  if (!(Number.isFinite(ppy) && ppy > 0)) throw new RangeError(`periodsPerYear must be positive, got ${ppy}`);
  const riskFreePerBar = perPeriodRate(options.riskFreeRate ?? 0, ppy);
  const targetPerBar = perPeriodRate(options.sortinoTarget ?? 0, ppy);

  const count = Math.max(0, equity.length - 1);
  if (returnsBuffer.length < count) {
    const size = Math.max(count, returnsBuffer.length * 2);
    returnsBuffer = new Float64Array(size);
    benchmarkBuffer = new Float64Array(size);
  }
  const returns = returnsBuffer.subarray(0, count);
  const stats = scanReturns(equity, returns, targetPerBar);
  const fromReturns = returnMetrics(equity, stats, ppy, riskFreePerBar, targetPerBar);
  const drawdowns = drawdownMetrics(equity, openTime);
  // Before tailMetrics, which reorders `returns`.
  const benchmark = benchmarkMetrics(equity, returns, input.benchmark, ppy, riskFreePerBar, benchmarkBuffer);
  return {
    bars: equity.length,
    periodsPerYear: ppy,
    ...fromReturns,
    ...drawdowns,
    ...drawdownRatios(fromReturns.cagr, fromReturns.netProfit, drawdowns),
    ...tailMetrics(returns), // reorders `returns`: keep it after every use of their order
    ...tradeMetrics(input.trades, openTime),
    ...benchmark,
    ...deflatedSharpeMetrics(stats, perBarSharpe(stats, riskFreePerBar), ppy, input.trials),
    monthlyReturns: monthlyReturns(equity, openTime),
  };
};

const monthKey = (m: MonthlyReturn): string => `monthlyReturn.${m.year}-${String(m.month).padStart(2, '0')}`;

/**
 * The metrics as the StrategyBacktested event stores them: a flat record of finite numbers. Nulls are
 * left out (an absent key means "no value"); each month becomes `monthlyReturn.YYYY-MM`. A non-finite
 * number would be a bug in this module: it throws rather than let the event codec refuse it later.
 */
export const toStoredMetrics = (metrics: BacktestMetrics): Record<string, number> => {
  const stored: Record<string, number> = {};
  const put = (key: string, value: number | null): void => {
    if (value === null) return;
    if (!Number.isFinite(value)) throw new RangeError(`metric ${key} is not finite (${value})`);
    stored[key] = value;
  };
  const entries: [string, unknown][] = Object.entries(metrics);
  for (const [key, value] of entries) {
    if (typeof value === 'number' || value === null) put(key, value);
  }
  for (const m of metrics.monthlyReturns) put(monthKey(m), m.return);
  return stored;
};
