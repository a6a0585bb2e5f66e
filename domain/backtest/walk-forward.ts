// Walk-forward analysis: the range is cut into in-sample / out-of-sample windows (sizes in bars of the first
// symbol's series), rolling (the in-sample part moves with the window) or anchored (it always starts at the range's
// first bar). Each window runs the engine on both parts; with a grid, the in-sample part picks the parameters (the
// best cell by the chosen metric) and the out-of-sample part scores them on bars the choice never saw. The
// out-of-sample parts never overlap; chained one after the other they give the summary a user should believe.
// Pure: no I/O, no clock, no randomness. Indicators use the whole series, so every part gets its warm-up.
import type { IndicatorCache } from '../indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../market/candles.js';
import type { Genome } from '../strategy/genome.js';
import { backtestGenome, BacktestError, DEFAULT_INITIAL_CAPITAL, windowIndices, type BacktestOptions } from './engine.js';
import { EXIT_REASON_NAMES } from '../execution/fill-model.js';
import { DEFAULT_RANKING_METRIC, gridSearch, type ParameterGrid, type ParameterSet } from './grid-search.js';
import { BACKTEST_BOUNDS } from './events.js';
import { computeMetrics, toStoredMetrics, type ClosedTrade } from './metrics/index.js';

export interface WalkForwardSpec {
  readonly inSample: number;
  readonly outOfSample: number;
  /** Bars between window starts; default outOfSample. Must be ≥ outOfSample so out-of-sample parts never overlap. */
  readonly step?: number;
  readonly anchored?: boolean;
  /** Optimise these parameters on each in-sample part. */
  readonly grid?: ParameterGrid;
  /** The metric the grid is ranked by. Default sharpe. */
  readonly metric?: string;
}

/** Bar indices, [from, to). */
export interface WindowBars {
  readonly inSample: { readonly from: number; readonly to: number };
  readonly outOfSample: { readonly from: number; readonly to: number };
}

export class WalkForwardError extends Error {
  override readonly name = 'WalkForwardError';
  constructor(
    readonly code: 'INVALID_WALK_FORWARD' | 'RANGE_TOO_SHORT' | 'TOO_MANY_WINDOWS',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/**
 * How many windows walkForwardWindows makes over `bars` bars, without making them (the API checks a request's
 * windows before anything runs). The spec's sizes must already be valid (positive, step ≥ outOfSample).
 */
export const walkForwardWindowCount = (bars: number, spec: Pick<WalkForwardSpec, 'inSample' | 'outOfSample' | 'step'>): number => {
  const span = spec.inSample + spec.outOfSample;
  return bars < span ? 0 : Math.floor((bars - span) / (spec.step ?? spec.outOfSample)) + 1;
};

/** The windows over bars [start, end): only whole windows (an out-of-sample part that would pass `end` is not made). */
export const walkForwardWindows = (start: number, end: number, spec: WalkForwardSpec): WindowBars[] => {
  const { inSample, outOfSample } = spec;
  const step = spec.step ?? outOfSample;
  for (const [k, v] of Object.entries({ inSample, outOfSample, step }))
    if (!Number.isSafeInteger(v) || v < 1) throw new WalkForwardError('INVALID_WALK_FORWARD', `${k} must be a positive whole number of bars, got ${v}`);
  if (step < outOfSample)
    throw new WalkForwardError('INVALID_WALK_FORWARD', `step (${step}) below outOfSample (${outOfSample}) would overlap the out-of-sample parts`);
  const windows: WindowBars[] = [];
  for (let s = start; s + inSample + outOfSample <= end; s += step) {
    const isTo = s + inSample;
    windows.push({ inSample: { from: spec.anchored ? start : s, to: isTo }, outOfSample: { from: isTo, to: isTo + outOfSample } });
  }
  return windows;
};

export interface WalkForwardWindow {
  readonly index: number;
  /** Open times: [from, to) as epoch ms, with the number of bars of the first symbol. */
  readonly inSample: { readonly from: number; readonly to: number; readonly bars: number };
  readonly outOfSample: { readonly from: number; readonly to: number; readonly bars: number };
  /** The parameters the in-sample grid chose (absent without a grid, or when no cell could be scored). */
  readonly params?: ParameterSet;
  readonly inSampleScore?: number;
  readonly inSampleMetrics: Readonly<Record<string, number>>;
  readonly outOfSampleMetrics: Readonly<Record<string, number>>;
}

export interface ChainedTrade extends ClosedTrade {
  readonly symbol: string;
  readonly exitReason: string;
}

export interface WalkForwardResult {
  readonly windows: readonly WalkForwardWindow[];
  /** The out-of-sample parts chained: metrics averaged over symbols, and per symbol its chained curve and trades. */
  readonly outOfSample: {
    readonly metrics: Readonly<Record<string, number>>;
    readonly perSymbol: Readonly<
      Record<
        string,
        { readonly openTime: Float64Array; readonly equity: Float64Array; readonly trades: readonly ChainedTrade[]; readonly metrics: Record<string, number> }
      >
    >;
  };
}

/** Exclusive end time of bar index i: the next bar's open time, or one ms past the last bar. */
const boundary = (s: CandleSeries, i: number): number => (i < s.length ? s.openTime[i]! : s.openTime[s.length - 1]! + 1);

const meanOf = (records: readonly Readonly<Record<string, number>>[]): Record<string, number> => {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of records)
    for (const [k, v] of Object.entries(r)) {
      const s = sums.get(k) ?? { sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(k, s);
    }
  return Object.fromEntries([...sums].map(([k, s]) => [k, s.sum / s.n]));
};

export const walkForward = (
  genome: Genome,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  spec: WalkForwardSpec,
  options: BacktestOptions = {},
): WalkForwardResult => {
  const reference = seriesBySymbol[genome.symbols[0]!];
  if (reference === undefined) throw new BacktestError('MISSING_SERIES', `no candles given for ${genome.symbols[0]}`);
  const range = windowIndices(reference, options.from, options.to);
  const bars = walkForwardWindows(range.from, range.to, spec);
  if (bars.length === 0)
    throw new WalkForwardError(
      'RANGE_TOO_SHORT',
      `${range.to - range.from} bars hold no window of ${spec.inSample} in-sample + ${spec.outOfSample} out-of-sample bars`,
    );
  // The backstop: the windows a stored result may list (the API's limit, BACKTEST_MAX_WALK_FORWARD_WINDOWS, is lower).
  if (bars.length > BACKTEST_BOUNDS.windows)
    throw new WalkForwardError(
      'TOO_MANY_WINDOWS',
      `${bars.length} windows, at most ${BACKTEST_BOUNDS.windows}: ask for longer windows, a longer step or a shorter range`,
    );
  const initialCapital = options.initialCapital ?? DEFAULT_INITIAL_CAPITAL;
  const metric = spec.metric ?? DEFAULT_RANKING_METRIC;
  const stepped = (options.fill?.quantityStep ?? 0) > 0;

  // Per symbol, the chained out-of-sample curve: each part starts where the previous one ended.
  const chains = new Map<string, { openTime: number[]; equity: number[]; benchmark: number[]; trades: ChainedTrade[]; level: number }>();
  for (const symbol of genome.symbols) chains.set(symbol, { openTime: [], equity: [], benchmark: [], trades: [], level: initialCapital });

  const windows: WalkForwardWindow[] = bars.map((w, index) => {
    const isRange = { from: boundary(reference, w.inSample.from), to: boundary(reference, w.inSample.to) };
    const oosRange = { from: boundary(reference, w.outOfSample.from), to: boundary(reference, w.outOfSample.to) };
    let chosen = genome;
    let params: ParameterSet | undefined;
    let inSampleScore: number | undefined;
    let inSampleMetrics: Record<string, number>;
    if (spec.grid !== undefined) {
      const search = gridSearch(genome, spec.grid, seriesBySymbol, cache, { ...options, ...isRange, metric });
      if (search.best !== undefined) {
        chosen = search.best.genome;
        params = search.best.params;
        inSampleScore = search.best.score;
        inSampleMetrics = search.best.backtest.aggregate.meanMetrics;
      } else {
        inSampleMetrics = backtestGenome(genome, seriesBySymbol, cache, { ...options, ...isRange }).aggregate.meanMetrics;
      }
    } else {
      inSampleMetrics = backtestGenome(genome, seriesBySymbol, cache, { ...options, ...isRange }).aggregate.meanMetrics;
    }
    // Each part starts from the capital its chain reached. Fractional quantities scale with the capital, so one run
    // from the initial capital, scaled, is that run; quantities floored to a sizing step do not scale (a whole share
    // times 1.37 is not a whole share): each symbol's part then runs from its chain's level.
    const oosRuns = stepped
      ? genome.symbols.map((symbol) => {
          const level = chains.get(symbol)!.level;
          const one = backtestGenome({ ...chosen, symbols: [symbol] }, seriesBySymbol, cache, { ...options, ...oosRange, initialCapital: level });
          return [symbol, one.perSymbol[symbol]!, level] as const;
        })
      : Object.entries(backtestGenome(chosen, seriesBySymbol, cache, { ...options, ...oosRange }).perSymbol).map(
          ([symbol, run]) => [symbol, run, initialCapital] as const,
        );
    for (const [symbol, run, startedWith] of oosRuns) {
      const chain = chains.get(symbol)!;
      const series = seriesBySymbol[symbol]!;
      const idx = windowIndices(series, oosRange.from, oosRange.to);
      const scale = chain.level / startedWith;
      for (let k = 0; k < run.equity.length; k++) {
        chain.openTime.push(series.openTime[idx.from + k]!);
        chain.equity.push(run.equity[k]! * scale);
        chain.benchmark.push(series.close[idx.from + k]!);
      }
      run.trades.forEach((t, i) =>
        chain.trades.push({
          ...t,
          quantity: t.quantity * scale,
          pnl: t.pnl * scale,
          fees: t.fees * scale,
          symbol,
          exitReason: EXIT_REASON_NAMES[run.exitReasons[i]!] ?? 'unknown',
        }),
      );
      chain.level = run.finalEquity * scale;
    }
    return {
      index,
      inSample: { ...isRange, bars: w.inSample.to - w.inSample.from },
      outOfSample: { ...oosRange, bars: w.outOfSample.to - w.outOfSample.from },
      ...(params === undefined ? {} : { params }),
      ...(inSampleScore === undefined ? {} : { inSampleScore }),
      inSampleMetrics,
      outOfSampleMetrics: meanOf(oosRuns.map(([, run]) => run.storedMetrics)),
    };
  });

  const perSymbol: Record<string, { openTime: Float64Array; equity: Float64Array; trades: readonly ChainedTrade[]; metrics: Record<string, number> }> = {};
  for (const [symbol, chain] of chains) {
    const openTime = Float64Array.from(chain.openTime);
    const equity = Float64Array.from(chain.equity);
    const metrics = toStoredMetrics(
      computeMetrics(
        {
          equity,
          openTime,
          barIntervalMs: INTERVAL_MS[genome.timeframe],
          trades: chain.trades,
          benchmark: Float64Array.from(chain.benchmark),
          ...(options.trials === undefined ? {} : { trials: options.trials }),
        },
        options.metrics,
      ),
    );
    perSymbol[symbol] = { openTime, equity, trades: chain.trades, metrics };
  }
  return { windows, outOfSample: { metrics: meanOf(Object.values(perSymbol).map((p) => p.metrics)), perSymbol } };
};
