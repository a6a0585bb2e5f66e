// A strategy's backtest re-run as its learning cycle ran it (the console's strategy page, doc/operator-console.md):
// the cycle's candles (loadCycleCandles: 1000 bars of warm-up before the in-sample window, up to the last bar closed
// by the out-of-sample end), the external data its genome reads (the cycle's operand loader over the same range), and
// each window through backtestWindow, the function the cycle's backtests run. The metrics must therefore equal those
// StrategyBacktested recorded; the trace says, metric by metric, whether they do — a trace that shows other trades
// than the ones the cycle judged would explain nothing.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { CompileError, compileGenome } from '../../domain/backtest/compile.js';
import { BacktestError, type GenomeBacktest } from '../../domain/backtest/engine.js';
import { OperandDataError, type OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';
import type { Genome, OperandFamily } from '../../domain/strategy/genome.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { BacktestWindow } from '../ports/window-backtests.js';
import { CYCLE_WARMUP_BARS, loadCycleCandles } from './cycle-loading.js';
import { loadCycleOperands, type CycleOperandSources } from './cycle-operands.js';
import { backtestWindow } from './in-process-window-backtests.js';

/** 1h bars one trace may load over all its symbols (warm-up included): it runs on the thread that serves the API. */
export const CYCLE_TRACE_MAX_BARS = 24_000;

/** Metrics the cycle adds to a window's result after the run (the out-of-sample deflated Sharpe needs the day's trials). */
const ADDED_BY_THE_CYCLE = new Set(['deflatedSharpe']);

export interface RecordedWindow {
  readonly name: 'in-sample' | 'out-of-sample';
  readonly window: BacktestWindow;
  /** The metrics StrategyBacktested holds for it (absent: the cycle's run of that window failed). */
  readonly recorded: Readonly<Record<string, number>> | undefined;
}

export interface MetricDifference {
  readonly metric: string;
  readonly recorded: number;
  /** null: the re-run has no finite value for it. */
  readonly recomputed: number | null;
}

export interface TracedWindow {
  readonly name: RecordedWindow['name'];
  readonly window: BacktestWindow;
  /** The re-run's metrics, as the cycle stores them (finite values only). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly recorded: Readonly<Record<string, number>> | null;
  /** Every recorded metric equals the re-run's (null: nothing recorded to compare with). */
  readonly reproduced: boolean | null;
  readonly differences: readonly MetricDifference[];
  readonly backtest: GenomeBacktest;
  /** The genome's timeframe series the window ran on, per symbol (for the caller's equity curve's times). */
  readonly series: Readonly<Record<string, CandleSeries>>;
}

export type CycleTraceError =
  | { readonly kind: 'TraceTooLong'; readonly bars: number; readonly max: number }
  | { readonly kind: 'TraceFailed'; readonly code: string; readonly message: string };

export interface CycleTraceDeps {
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly operands?: CycleOperandSources;
  readonly exchange: string;
}

const finite = (m: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));

export const compareMetrics = (recorded: Readonly<Record<string, number>>, recomputed: Readonly<Record<string, number>>): MetricDifference[] =>
  Object.entries(recorded).flatMap(([metric, value]) => {
    if (ADDED_BY_THE_CYCLE.has(metric)) return [];
    const again = recomputed[metric];
    return again === value ? [] : [{ metric, recorded: value, recomputed: again ?? null }];
  });

/** The families of external data a genome reads (what the cycle must have turned on for it to be drawn). */
const familiesOf = (needs: ReturnType<typeof compileGenome>['needs']): OperandFamily[] => [
  ...(needs.daily.includes('fear_greed') ? (['sentiment'] as const) : []),
  ...(needs.daily.some((d) => d !== 'fear_greed') ? (['macro'] as const) : []),
  ...(needs.symbols.length > 0 ? (['cross_asset'] as const) : []),
  ...(needs.models.length > 0 ? (['prediction'] as const) : []),
];

export const traceCycleBacktest = async (
  deps: CycleTraceDeps,
  a: { readonly strategyId: string; readonly genome: Genome; readonly windows: readonly RecordedWindow[] },
): Promise<Either<CycleTraceError, TracedWindow[]>> => {
  const fail = (code: string, message: string) => either.left<CycleTraceError, TracedWindow[]>({ kind: 'TraceFailed', code, message });
  let needs;
  try {
    needs = compileGenome(a.genome).needs;
  } catch (e) {
    if (e instanceof CompileError) return fail(e.code, e.message);
    throw e;
  }
  const from = Math.min(...a.windows.map((w) => w.window.from));
  const asOf = Math.max(...a.windows.map((w) => w.window.to));
  const symbols = [...new Set([...a.genome.symbols, ...needs.symbols])];
  const hour = INTERVAL_MS['1h'];
  const bars = (Math.ceil((asOf - from) / hour) + CYCLE_WARMUP_BARS) * symbols.length;
  if (bars > CYCLE_TRACE_MAX_BARS) return either.left({ kind: 'TraceTooLong', bars, max: CYCLE_TRACE_MAX_BARS });

  const cycleId = `trace-${a.strategyId}`;
  let tfSeries: Record<string, CandleSeries> | undefined;
  let firstOpen: number;
  try {
    const loaded = await loadCycleCandles(deps.candles, { cycleId, exchange: deps.exchange, symbols, from, asOf, timeframes: [a.genome.timeframe] });
    tfSeries = loaded.byTimeframe.get(a.genome.timeframe);
    firstOpen = loaded.series[a.genome.symbols[0]!]?.openTime[0] ?? from;
  } catch (e) {
    return fail('NO_CANDLES', e instanceof Error ? e.message : String(e));
  }
  if (tfSeries === undefined) return fail('NO_CANDLES', `no ${a.genome.timeframe} candles`);
  const families = familiesOf(needs);
  let operands: OperandData | undefined;
  if (families.length > 0) {
    const found = await loadCycleOperands(deps.operands ?? {}, {
      families,
      symbols,
      exchange: deps.exchange,
      from: firstOpen,
      asOf,
      windows: a.windows.map((w) => w.window),
    });
    operands = { ...found.data, candles: tfSeries };
  }

  const cache = new IndicatorCache();
  const traced: TracedWindow[] = [];
  for (const w of a.windows) {
    try {
      const run = backtestWindow(a.genome, tfSeries, cache, w.window, operands);
      const metrics = finite(run.metrics);
      const differences = w.recorded === undefined ? [] : compareMetrics(w.recorded, metrics);
      traced.push({
        name: w.name,
        window: w.window,
        metrics,
        recorded: w.recorded ?? null,
        reproduced: w.recorded === undefined ? null : differences.length === 0,
        differences,
        backtest: run.backtest,
        series: tfSeries,
      });
    } catch (e) {
      if (e instanceof BacktestError || e instanceof CompileError || e instanceof OperandDataError) return fail(e.code, e.message);
      throw e;
    }
  }
  return either.right(traced);
};
