// The backtest engine: runs a compiled genome over one symbol's candles through the fill model, bar by bar,
// and measures the result (equity marked at each close, drawdown, closed trades, the metrics against
// buy-and-hold of the same series). Multi-symbol genomes run once per symbol, each with its own account.
// Pure: no I/O, no clock, no randomness. Conventions are in doc/backtesting.md.
import type { IndicatorCache } from '../indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../market/candles.js';
import type { ExitRules, RiskParameters } from '../strategy/genome.js';
import { bindStrategy, compileGenome, fillSignals, type BoundStrategy, type CompiledGenome } from './compile.js';
import {
  ExitReason,
  buyStopReference,
  buyTargetReached,
  closedTrade,
  fillConfig,
  fillFee,
  marketFillPrice,
  positionQuantity,
  sellStopReference,
  sellTargetReached,
  trailLevel,
  trailingStopIsNearer,
  type FillConfig,
  type Side,
} from '../execution/fill-model.js';
import { operandCoverage, type OperandCoverage } from './operand-coverage.js';
import type { OperandData } from './operand-data.js';
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
  /** The external data the genome's operands read (daily series, other symbols' candles, predictions). */
  readonly operands?: OperandData;
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
    throw new BacktestError('EMPTY_WINDOW', `${series.key.symbol} ${series.key.interval}: no candles in [${from ?? '-∞'}, ${to ?? '+∞'}) (series has ${n})`);
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
 * Caller-owned curves for simulate to write into (each at least the window's length), for a caller that runs
 * many simulations and keeps none of the curves (a benchmark, a grid search that keeps only metrics). The
 * Simulation's equity and drawdown are then views of these buffers, overwritten by the next run.
 */
export interface SimulationBuffers {
  readonly equity: Float64Array;
  readonly drawdown: Float64Array;
}

// Signal columns reused from one simulate call to the next (simulate is synchronous and they never escape it):
// no per-run allocation but the equity and drawdown curves and the trade list. Grown on demand.
let entryColumn = new Uint8Array(0);
let exitColumn = new Uint8Array(0);
const signalColumns = (to: number): void => {
  if (entryColumn.length >= to) return;
  const size = Math.max(to, entryColumn.length * 2, 1024);
  entryColumn = new Uint8Array(size);
  exitColumn = new Uint8Array(size);
};

/**
 * Runs the bound strategy over bars [from, to): the fill model at each open (orders decided at the previous
 * close), the resting exits inside the bar, equity at the close, then the next order from this close's signals.
 * A signal at the window's last close has no next open and is dropped; a position still open there is closed
 * at that close (market, taker fee and slippage).
 *
 * The loops hold the account in local variables and call the fill model's rule functions (fill-model.ts) for every
 * price, fee, trigger and size, in the order the rules say; test/execution/one-fill-model.unit.test.ts proves them
 * equal, trade by trade and close by close, to the paper exchange's bar-by-bar matching on real candles. The signals of the whole window are computed first (fillSignals), one column
 * each for entry and exit; a genome without a stop, target or trailing stop runs a loop without the in-bar checks.
 */
export const simulate = (
  bound: BoundStrategy,
  from: number,
  to: number,
  initialCapital: number = DEFAULT_INITIAL_CAPITAL,
  config: FillConfig = fillConfig(),
  buffers?: SimulationBuffers,
): Simulation => {
  const { series, compiled } = bound;
  const bars = to - from;
  let equity: Float64Array;
  let drawdown: Float64Array;
  if (buffers === undefined) {
    equity = new Float64Array(bars);
    drawdown = new Float64Array(bars);
  } else {
    if (buffers.equity.length < bars || buffers.drawdown.length < bars)
      throw new RangeError(`simulation buffers hold ${Math.min(buffers.equity.length, buffers.drawdown.length)} bars, ${bars} needed`);
    equity = buffers.equity.subarray(0, bars);
    drawdown = buffers.drawdown.subarray(0, bars);
  }
  const g = compiled.genome;
  signalColumns(to);
  fillSignals(bound.entry, from, to, entryColumn);
  fillSignals(bound.exit, from, to, exitColumn);
  const r = g.exitRules;
  const resting = r.stopLoss !== undefined || r.takeProfit !== undefined || r.trailingStop !== undefined;
  return (resting ? runWithExits : runSignalsOnly)(
    series,
    from,
    to,
    initialCapital,
    config,
    r,
    g.risk,
    compiled.allowShort,
    INTERVAL_MS[series.key.interval],
    equity,
    drawdown,
  );
};

/**
 * The first bar j >= i whose close signals a position while flat (long_only: entry; long_short: entry or exit,
 * not both), or `to`. While flat with no order pending, bars i..j all have equity = cash: their curves are
 * constant (the peak can only move on the first of them), written in bulk by fillFlat.
 */
const nextFlatSignal = (entry: Uint8Array, exit: Uint8Array, allowShort: boolean, i: number, to: number): number => {
  let j = i;
  if (allowShort) while (j < to && entry[j] === exit[j]) j++;
  else while (j < to && entry[j] === 0) j++;
  return j;
};

const fillFlat = (equity: Float64Array, drawdown: Float64Array, eq: number, dd: number, from: number, to: number): void => {
  if (to - from > 16) {
    equity.fill(eq, from, to);
    drawdown.fill(dd, from, to);
  } else
    for (let k = from; k < to; k++) {
      equity[k] = eq;
      drawdown[k] = dd;
    }
};

/** No resting exits: positions change only at an open, on a signal (and at the end of the data). */
const runSignalsOnly = (
  series: CandleSeries,
  from: number,
  to: number,
  initialCapital: number,
  config: FillConfig,
  exitRules: ExitRules,
  risk: RiskParameters,
  allowShort: boolean,
  barMs: number,
  equity: Float64Array,
  drawdown: Float64Array,
): Simulation => {
  const { openTime, open, close } = series;
  const entry = entryColumn;
  const exit = exitColumn;
  const trades: ClosedTrade[] = [];
  const exitReasons: ExitReason[] = [];
  const slippage = config.slippage;
  const taker = config.takerFee;
  const stopDistance = Math.min(exitRules.stopLoss ?? Infinity, exitRules.trailingStop ?? Infinity);
  const last = to - 1;
  let cash = initialCapital;
  let side = 0;
  let qty = 0;
  let signedQty = 0;
  let entryPrice = 0;
  let entryTime = 0;
  let entryIndex = 0;
  let entryFee = 0;
  let peak = -Infinity;
  let maxDrawdown = 0;
  let target = 0;
  let closedAtEnd = false;
  for (let i = from; i < to; i++) {
    if (side === 0 && target === 0) {
      // Flat with nothing pending: skip to the bar whose close signals a position, the curves filled in bulk.
      const j = nextFlatSignal(entry, exit, allowShort, i, to);
      const end = j < to ? j + 1 : to;
      if (cash > peak) peak = cash;
      const dd = peak > 0 ? (peak - cash) / peak : 0;
      if (dd > maxDrawdown) maxDrawdown = dd;
      fillFlat(equity, drawdown, cash, dd, i - from, end - from);
      target = j < to ? (entry[j] === 1 ? 1 : -1) : 0;
      i = end - 1;
      continue;
    }
    if (side !== 0 && target === side) {
      // Holding with nothing pending: until a bar whose signals could change the target (long: an exit signal,
      // short: an entry signal) or the last bar, a bar only marks equity. Those bars here, in one tight loop.
      const watch = side === 1 ? exit : entry;
      let t = i;
      for (; t < last && watch[t] === 0; t++) {
        const eq = cash + signedQty * (close[t]! - entryPrice);
        const k = t - from;
        equity[k] = eq;
        let dd = 0;
        if (eq >= peak) peak = eq;
        else {
          dd = peak > 0 ? (peak - eq) / peak : 0;
          if (dd > maxDrawdown) maxDrawdown = dd;
        }
        drawdown[k] = dd;
      }
      if (t > i) {
        i = t - 1;
        continue;
      }
    }
    if (target !== side) {
      const o = open[i]!;
      if (side !== 0) {
        const price = marketFillPrice(side === -1, o, slippage);
        const exitFee = fillFee(qty, price, taker);
        const gross = signedQty * (price - entryPrice);
        cash += gross - exitFee;
        trades.push(closedTrade(side, qty, entryPrice, entryTime, entryIndex, entryFee, price, gross, exitFee, openTime[i]!, i));
        exitReasons.push(ExitReason.signal);
        side = 0;
        qty = 0;
      }
      if (target !== 0) {
        const price = marketFillPrice(target === 1, o, slippage);
        const q = positionQuantity(cash, price, target as Side, risk, stopDistance, config);
        if (q > 0) {
          const fee = fillFee(q, price, taker);
          cash -= fee;
          side = target;
          qty = q;
          signedQty = side * q;
          entryPrice = price;
          entryTime = openTime[i]!;
          entryIndex = i;
          entryFee = fee;
        }
      }
    }
    const c = close[i]!;
    if (i === last && side !== 0) {
      const price = marketFillPrice(side === -1, c, slippage);
      const exitFee = fillFee(qty, price, taker);
      const gross = signedQty * (price - entryPrice);
      cash += gross - exitFee;
      trades.push(closedTrade(side, qty, entryPrice, entryTime, entryIndex, entryFee, price, gross, exitFee, openTime[i]! + barMs, i + 1));
      exitReasons.push(ExitReason.endOfData);
      side = 0;
      qty = 0;
      closedAtEnd = true;
    }
    const eq = side === 0 ? cash : cash + signedQty * (c - entryPrice);
    const k = i - from;
    equity[k] = eq;
    // At or above the peak the drawdown is (peak − eq) / peak = +0 (or 0 when peak <= 0): no division.
    let dd = 0;
    if (eq >= peak) peak = eq;
    else {
      dd = peak > 0 ? (peak - eq) / peak : 0;
      if (dd > maxDrawdown) maxDrawdown = dd;
    }
    drawdown[k] = dd;
    // decideTarget, inlined
    const en = entry[i] === 1;
    const ex = exit[i] === 1;
    if (allowShort) target = en ? (ex ? 0 : 1) : ex ? -1 : side;
    else target = side === 1 ? (ex ? 0 : 1) : en ? 1 : 0;
  }
  return { equity, drawdown, maxDrawdown, trades, exitReasons, finalEquity: cash, closedAtEnd };
};

/** With a stop-loss, take-profit or trailing stop: the resting exits checked inside each bar held. */
const runWithExits = (
  series: CandleSeries,
  from: number,
  to: number,
  initialCapital: number,
  config: FillConfig,
  exitRules: ExitRules,
  risk: RiskParameters,
  allowShort: boolean,
  barMs: number,
  equity: Float64Array,
  drawdown: Float64Array,
): Simulation => {
  const { openTime, open, high, low, close } = series;
  const entry = entryColumn;
  const exit = exitColumn;
  const trades: ClosedTrade[] = [];
  const exitReasons: ExitReason[] = [];
  const slippage = config.slippage;
  const taker = config.takerFee;
  const maker = config.makerFee;
  const takeProfit = exitRules.takeProfit ?? NaN;
  const stopLoss = exitRules.stopLoss ?? NaN;
  const trailing = exitRules.trailingStop ?? NaN;
  const hasTrailing = trailing === trailing;
  const stopDistance = Math.min(exitRules.stopLoss ?? Infinity, exitRules.trailingStop ?? Infinity);
  const last = to - 1;
  let cash = initialCapital;
  let side = 0;
  let qty = 0;
  let signedQty = 0;
  let entryPrice = 0;
  let entryTime = 0;
  let entryIndex = 0;
  let entryFee = 0;
  let stopPrice = NaN;
  let targetPrice = NaN;
  let trailPrice = NaN;
  let extreme = NaN;
  let peak = -Infinity;
  let maxDrawdown = 0;
  let target = 0;
  let closedAtEnd = false;
  for (let i = from; i < to; i++) {
    if (side === 0 && target === 0) {
      // Flat with nothing pending: skip to the bar whose close signals a position, the curves filled in bulk.
      const j = nextFlatSignal(entry, exit, allowShort, i, to);
      const end = j < to ? j + 1 : to;
      if (cash > peak) peak = cash;
      const dd = peak > 0 ? (peak - cash) / peak : 0;
      if (dd > maxDrawdown) maxDrawdown = dd;
      fillFlat(equity, drawdown, cash, dd, i - from, end - from);
      target = j < to ? (entry[j] === 1 ? 1 : -1) : 0;
      i = end - 1;
      continue;
    }
    if (target !== side) {
      const o = open[i]!;
      if (side !== 0) {
        const price = marketFillPrice(side === -1, o, slippage);
        const exitFee = fillFee(qty, price, taker);
        const gross = signedQty * (price - entryPrice);
        cash += gross - exitFee;
        trades.push(closedTrade(side, qty, entryPrice, entryTime, entryIndex, entryFee, price, gross, exitFee, openTime[i]!, i));
        exitReasons.push(ExitReason.signal);
        side = 0;
        qty = 0;
      }
      if (target !== 0) {
        const price = marketFillPrice(target === 1, o, slippage);
        const q = positionQuantity(cash, price, target as Side, risk, stopDistance, config);
        if (q > 0) {
          const fee = fillFee(q, price, taker);
          cash -= fee;
          side = target;
          qty = q;
          signedQty = side * q;
          entryPrice = price;
          entryTime = openTime[i]!;
          entryIndex = i;
          entryFee = fee;
          stopPrice = price * (1 - side * stopLoss);
          targetPrice = price * (1 + side * takeProfit);
          trailPrice = trailLevel(side as 1 | -1, price, trailing);
          extreme = price;
        }
      }
    }
    if (side !== 0) {
      // The nearer stop first (a gap through it fills at the open), then the target: a stop beats a target in one bar.
      const o = open[i]!;
      let reason = 0;
      let price = NaN;
      let feeRate = taker;
      const trailNearer = trailingStopIsNearer(side as 1 | -1, stopPrice, trailPrice);
      const stop = trailNearer ? trailPrice : stopPrice;
      if (side === 1) {
        const ref = sellStopReference(stop, o, low[i]!);
        if (ref === ref) {
          reason = trailNearer ? ExitReason.trailingStop : ExitReason.stopLoss;
          price = marketFillPrice(false, ref, slippage);
        } else if (sellTargetReached(targetPrice, high[i]!)) {
          reason = ExitReason.takeProfit;
          price = targetPrice;
          feeRate = maker;
        }
      } else {
        const ref = buyStopReference(stop, o, high[i]!);
        if (ref === ref) {
          reason = trailNearer ? ExitReason.trailingStop : ExitReason.stopLoss;
          price = marketFillPrice(true, ref, slippage);
        } else if (buyTargetReached(targetPrice, low[i]!)) {
          reason = ExitReason.takeProfit;
          price = targetPrice;
          feeRate = maker;
        }
      }
      if (reason !== 0) {
        const exitFee = fillFee(qty, price, feeRate);
        const gross = signedQty * (price - entryPrice);
        cash += gross - exitFee;
        trades.push(closedTrade(side, qty, entryPrice, entryTime, entryIndex, entryFee, price, gross, exitFee, openTime[i]! + barMs, i + 1));
        exitReasons.push(reason as ExitReason);
        side = 0;
        qty = 0;
        stopPrice = targetPrice = trailPrice = extreme = NaN;
      } else if (hasTrailing) {
        // The bar has closed: its high (low) may move the trailing stop for the next bars, never for itself.
        if (side === 1) {
          const h = high[i]!;
          if (h > extreme) {
            extreme = h;
            trailPrice = trailLevel(1, h, trailing);
          }
        } else {
          const l = low[i]!;
          if (l < extreme) {
            extreme = l;
            trailPrice = trailLevel(-1, l, trailing);
          }
        }
      }
    }
    const c = close[i]!;
    if (i === last && side !== 0) {
      const price = marketFillPrice(side === -1, c, slippage);
      const exitFee = fillFee(qty, price, taker);
      const gross = signedQty * (price - entryPrice);
      cash += gross - exitFee;
      trades.push(closedTrade(side, qty, entryPrice, entryTime, entryIndex, entryFee, price, gross, exitFee, openTime[i]! + barMs, i + 1));
      exitReasons.push(ExitReason.endOfData);
      side = 0;
      qty = 0;
      closedAtEnd = true;
    }
    const eq = side === 0 ? cash : cash + signedQty * (c - entryPrice);
    const k = i - from;
    equity[k] = eq;
    // At or above the peak the drawdown is (peak − eq) / peak = +0 (or 0 when peak <= 0): no division.
    let dd = 0;
    if (eq >= peak) peak = eq;
    else {
      dd = peak > 0 ? (peak - eq) / peak : 0;
      if (dd > maxDrawdown) maxDrawdown = dd;
    }
    drawdown[k] = dd;
    const en = entry[i] === 1;
    const ex = exit[i] === 1;
    if (allowShort) target = en ? (ex ? 0 : 1) : ex ? -1 : side;
    else target = side === 1 ? (ex ? 0 : 1) : en ? 1 : 0;
  }
  return { equity, drawdown, maxDrawdown, trades, exitReasons, finalEquity: cash, closedAtEnd };
};

export interface SymbolBacktest extends Simulation {
  readonly symbol: string;
  readonly interval: CandleSeries['key']['interval'];
  /** The simulated window: first and last bar open times and the number of bars. */
  readonly window: { readonly from: number; readonly to: number; readonly bars: number };
  readonly gaps: GapReport;
  /** Per external operand, the bars of the window its data covers (empty for a genome of its own candles only). */
  readonly coverage: readonly OperandCoverage[];
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
export const backtestSymbol = (compiled: CompiledGenome, series: CandleSeries, cache: IndicatorCache, options: BacktestOptions = {}): SymbolBacktest => {
  checkTimeframe(compiled, series);
  const { from, to } = windowIndices(series, options.from, options.to);
  const bound = bindStrategy(compiled, series, cache, options.operands);
  const coverage = operandCoverage(bound, from, to); // throws OPERAND_DATA_MISSING for an operand with no data in the window
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
    coverage,
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

/**
 * Every symbol of the genome, each from `seriesBySymbol` (a missing one is a BacktestError). `genome`: a Genome, a
 * CompiledGenome, or a value to decode as a genome (compileGenome refuses an invalid one).
 */
export const backtestGenome = (
  genome: unknown,
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

const isCompiled = (g: unknown): g is CompiledGenome => typeof g === 'object' && g !== null && 'genome' in g && 'entry' in g && 'allowShort' in g;
