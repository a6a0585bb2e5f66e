// The backtest engine: runs a compiled genome over one symbol's candles through the fill model, bar by bar,
// and measures the result (equity marked at each close, drawdown, closed trades, the metrics against
// buy-and-hold of the same series). Multi-symbol genomes run once per symbol, each with its own account.
// Pure: no I/O, no clock, no randomness. Conventions are in doc/backtesting.md.
import type { IndicatorCache } from '../indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../market/candles.js';
import type { Genome } from '../strategy/genome.js';
import { bindStrategy, compileGenome, fillSignals, type BoundStrategy, type CompiledGenome } from './compile.js';
import { Account, fillConfig, type ExitReason, type FillConfig, type Side } from './fill-model.js';
import { computeMetrics, toStoredMetrics, type BacktestMetrics, type ClosedTrade, type MetricsOptions, type Trials } from './metrics/index.js';

export type BacktestErrorCode = 'EMPTY_WINDOW' | 'TIMEFRAME_MISMATCH' | 'MISSING_SERIES';

export class BacktestError extends Error {
  override readonly name = 'BacktestError';
  constructor(
    readonly code: BacktestErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface BacktestOptions {
  /** Starting cash, in the quote currency. Default 10,000. */
  readonly initialCapital?: number;
  readonly fill?: Partial<FillConfig>;
  /** Window of bars to simulate by open time, epoch ms: [from, to). Indicators still use the whole series (warm-up before `from`). */
  readonly from?: number;
  readonly to?: number;
  /** The strategies tried in the same run, for the deflated Sharpe ratio. */
  readonly trials?: Trials;
  readonly metrics?: MetricsOptions;
}

export const DEFAULT_INITIAL_CAPITAL = 10_000;

/**
 * The position wanted at the next open, from the signals at this close. long_only: the entry set opens a long,
 * the exit set closes it. long_short is stop-and-reverse: the entry set is the long signal and the exit set the
 * short signal; a signal against the position closes it and opens the other side; both at once → flat.
 * Exit beats entry while long (long_only).
 */
export const decideTarget = (side: Side, entry: boolean, exit: boolean, allowShort: boolean): Side => {
  if (!allowShort) {
    if (side === 1) return exit ? 0 : 1;
    return entry ? 1 : 0;
  }
  if (entry && exit) return 0;
  if (entry) return 1;
  if (exit) return -1;
  return side;
};

/** Bars whose open time does not follow the previous one by exactly one interval. */
export interface GapReport {
  /** Number of irregular steps (missing candles, or steps that are not a whole number of intervals). */
  readonly gaps: number;
  /** Candles missing in total (whole intervals skipped). */
  readonly missingBars: number;
  /** The first few: the open times on both sides of each gap. */
  readonly first: readonly { readonly after: number; readonly before: number }[];
}

export const findGaps = (openTime: Float64Array, from: number, to: number, intervalMs: number): GapReport => {
  let gaps = 0;
  let missingBars = 0;
  const first: { after: number; before: number }[] = [];
  for (let i = from + 1; i < to; i++) {
    const step = openTime[i]! - openTime[i - 1]!;
    if (step === intervalMs) continue;
    gaps++;
    if (step > intervalMs) missingBars += Math.max(0, Math.round(step / intervalMs) - 1);
    if (first.length < 10) first.push({ after: openTime[i - 1]!, before: openTime[i]! });
  }
  return { gaps, missingBars, first };
};

/** First index with openTime >= t (binary search; openTime ascending). */
const lowerBound = (openTime: Float64Array, n: number, t: number): number => {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (openTime[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** The bar indices [from, to) of the window; a BacktestError when it holds no bar. */
export const windowIndices = (series: CandleSeries, from?: number, to?: number): { from: number; to: number } => {
  const n = series.length;
  const a = from === undefined ? 0 : lowerBound(series.openTime, n, from);
  const b = to === undefined ? n : lowerBound(series.openTime, n, to);
  if (b <= a)
    throw new BacktestError(
      'EMPTY_WINDOW',
      `${series.key.symbol} ${series.key.interval}: no candles in [${from ?? '-∞'}, ${to ?? '+∞'}) (series has ${n})`,
    );
  return { from: a, to: b };
};

/** What the simulation alone produces: per-bar curves over the window and the closed trades. */
export interface Simulation {
  /** Equity at each bar's close, index 0 = the window's first bar. */
  readonly equity: Float64Array;
  /** Drawdown at each close as a fraction below the running peak (0 at a peak, 0.25 = 25% below). */
  readonly drawdown: Float64Array;
  readonly maxDrawdown: number;
  readonly trades: readonly ClosedTrade[];
  readonly exitReasons: readonly ExitReason[];
  readonly finalEquity: number;
  /** A position was still open after the last bar and was closed at its close (exit reason end_of_data). */
  readonly closedAtEnd: boolean;
}

/**
 * Runs the bound strategy over bars [from, to): the fill model at each open (orders decided at the previous
 * close), the resting exits inside the bar, equity at the close, then the next order from this close's signals.
 * A signal at the window's last close has no next open and is dropped; a position still open there is closed
 * at that close (market, taker fee and slippage).
 */
export const simulate = (
  bound: BoundStrategy,
  from: number,
  to: number,
  initialCapital: number = DEFAULT_INITIAL_CAPITAL,
  config: FillConfig = fillConfig(),
): Simulation => {
  const { series, compiled } = bound;
  const g = compiled.genome;
  const barMs = INTERVAL_MS[series.key.interval];
  const entry = new Uint8Array(to);
  const exit = new Uint8Array(to);
  fillSignals(bound.entry, from, to, entry);
  fillSignals(bound.exit, from, to, exit);
  const allowShort = compiled.allowShort;
  const { openTime, open, high, low, close } = series;
  const account = new Account(initialCapital, config, g.exitRules, g.risk, barMs);
  const bars = to - from;
  const equity = new Float64Array(bars);
  const drawdown = new Float64Array(bars);
  let peak = -Infinity;
  let maxDrawdown = 0;
  let target: Side = 0;
  let closedAtEnd = false;
  const resting = account.hasRestingExits;
  for (let i = from; i < to; i++) {
    if (target !== account.side) account.moveToAtOpen(target, open[i]!, openTime[i]!, i);
    if (resting && account.side !== 0 && account.checkExitsInBar(open[i]!, high[i]!, low[i]!, openTime[i]!, i) === 0)
      account.endOfBar(high[i]!, low[i]!);
    if (i === to - 1 && account.side !== 0) {
      account.closeAtClose(close[i]!, openTime[i]!, i);
      closedAtEnd = true;
    }
    const eq = account.equityAt(close[i]!);
    const k = i - from;
    equity[k] = eq;
    if (eq > peak) peak = eq;
    const dd = peak > 0 ? (peak - eq) / peak : 0;
    drawdown[k] = dd;
    if (dd > maxDrawdown) maxDrawdown = dd;
    target = decideTarget(account.side, entry[i] === 1, exit[i] === 1, allowShort);
  }
  return {
    equity,
    drawdown,
    maxDrawdown,
    trades: account.trades,
    exitReasons: account.exitReasons,
    finalEquity: account.cash,
    closedAtEnd,
  };
};

export interface SymbolBacktest extends Simulation {
  readonly symbol: string;
  readonly interval: CandleSeries['key']['interval'];
  /** The simulated window: first and last bar open times and the number of bars. */
  readonly window: { readonly from: number; readonly to: number; readonly bars: number };
  readonly gaps: GapReport;
  readonly metrics: BacktestMetrics;
  /** The metrics as stored (finite numbers only, nulls left out). */
  readonly storedMetrics: Record<string, number>;
}

const checkTimeframe = (compiled: CompiledGenome, series: CandleSeries): void => {
  if (compiled.genome.timeframe !== series.key.interval)
    throw new BacktestError(
      'TIMEFRAME_MISMATCH',
      `the genome trades ${compiled.genome.timeframe} bars, the ${series.key.symbol} series is ${series.key.interval}`,
    );
};

/** One symbol: bind (indicators from the shared cache), simulate, measure. */
export const backtestSymbol = (
  compiled: CompiledGenome,
  series: CandleSeries,
  cache: IndicatorCache,
  options: BacktestOptions = {},
): SymbolBacktest => {
  checkTimeframe(compiled, series);
  const { from, to } = windowIndices(series, options.from, options.to);
  const bound = bindStrategy(compiled, series, cache);
  const barMs = INTERVAL_MS[series.key.interval];
  const sim = simulate(bound, from, to, options.initialCapital ?? DEFAULT_INITIAL_CAPITAL, fillConfig(options.fill));
  const metrics = computeMetrics(
    {
      equity: sim.equity,
      openTime: series.openTime.subarray(from, to),
      barIntervalMs: barMs,
      trades: sim.trades,
      benchmark: series.close.subarray(from, to),
      ...(options.trials === undefined ? {} : { trials: options.trials }),
    },
    options.metrics,
  );
  return {
    ...sim,
    symbol: series.key.symbol,
    interval: series.key.interval,
    window: { from: series.openTime[from]!, to: series.openTime[to - 1]!, bars: to - from },
    gaps: findGaps(series.openTime, from, to, barMs),
    metrics,
    storedMetrics: toStoredMetrics(metrics),
  };
};

export interface GenomeBacktest {
  readonly perSymbol: Readonly<Record<string, SymbolBacktest>>;
  /**
   * Equal-weight aggregate: each stored metric averaged over the symbols that have it (a metric that is null for
   * one symbol is averaged over the others), plus the totals that add up. Each symbol has its own full account,
   * so this is the mean of independent runs, not a combined portfolio.
   */
  readonly aggregate: {
    readonly symbols: number;
    readonly totalTrades: number;
    readonly meanFinalEquity: number;
    readonly meanMetrics: Record<string, number>;
  };
}

/** Every symbol of the genome, each from `seriesBySymbol` (a missing one is a BacktestError). */
export const backtestGenome = (
  genome: Genome | CompiledGenome | unknown,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  options: BacktestOptions = {},
): GenomeBacktest => {
  const compiled = isCompiled(genome) ? genome : compileGenome(genome);
  const perSymbol: Record<string, SymbolBacktest> = {};
  for (const symbol of compiled.genome.symbols) {
    const series = seriesBySymbol[symbol];
    if (series === undefined) throw new BacktestError('MISSING_SERIES', `no candles given for ${symbol}`);
    perSymbol[symbol] = backtestSymbol(compiled, series, cache, options);
  }
  const results = Object.values(perSymbol);
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of results)
    for (const [k, v] of Object.entries(r.storedMetrics)) {
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(k, s);
    }
  const meanMetrics: Record<string, number> = {};
  for (const [k, s] of sums) meanMetrics[k] = s.sum / s.n;
  return {
    perSymbol,
    aggregate: {
      symbols: results.length,
      totalTrades: results.reduce((a, r) => a + r.trades.length, 0),
      meanFinalEquity: results.reduce((a, r) => a + r.finalEquity, 0) / results.length,
      meanMetrics,
    },
  };
};

const isCompiled = (g: unknown): g is CompiledGenome =>
  typeof g === 'object' && g !== null && 'genome' in g && 'entry' in g && 'allowShort' in g;
