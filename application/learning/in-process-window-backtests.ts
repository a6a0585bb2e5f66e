// The plain, in-process WindowBacktests: a BacktestFn that calls backtestGenome on this thread, one genome after the
// other (yielding to the event loop every few genomes), with one indicator cache for the whole request. It is the
// reference the worker-pool implementation is proven equal to (test/learning-cycle/cycle-on-pool.test.ts) and what
// the cycle's tests run on; the platform runs the cycle on the worker pool, never on the event loop the API serves.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CompileError } from '../../domain/backtest/compile.js';
import { BacktestError, backtestGenome, windowIndices, type GenomeBacktest } from '../../domain/backtest/engine.js';
import type { OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';
import type { BacktestWindow, WindowBacktests, WindowRun } from '../ports/window-backtests.js';

/** The candles' sha-256 (infrastructure/backtest/job-runner.ts dataFingerprint: injected, it hashes with node:crypto). */
export type DataFingerprint = (
  job: { readonly exchange: string; readonly interval: CandleSeries['key']['interval']; readonly symbols: readonly string[] },
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  ends: Readonly<Record<string, number>>,
) => string;

/**
 * One genome on one of the cycle's windows, as the cycle runs it (here and in the worker pool's jobs): the series
 * before the window warms the indicators up, the window is simulated, and the metrics are the symbols' mean with
 * their count and trade total. The console's backtest trace re-runs a recorded cycle backtest through it.
 */
export const backtestWindow = (
  genome: Genome,
  tfSeries: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  w: BacktestWindow,
  operands?: OperandData,
): { readonly backtest: GenomeBacktest; readonly metrics: Record<string, number> } => {
  const backtest = backtestGenome(genome, tfSeries, cache, { from: w.from, to: w.to, ...(operands === undefined ? {} : { operands }) });
  return { backtest, metrics: { ...backtest.aggregate.meanMetrics, symbols: backtest.aggregate.symbols, totalTrades: backtest.aggregate.totalTrades } };
};

/** Genomes backtested (on every window) between two yields to the event loop (a few ms of CPU). */
const GENOMES_BETWEEN_YIELDS = 5;

export const inProcessWindowBacktests = (dataFingerprint: DataFingerprint): WindowBacktests => ({
  run: async ({ exchange, series, genomes, windows, operands }) => {
    const cache = new IndicatorCache();
    /** One backtest; a throw is a failed backtest (as the cycle's BacktestFn has it). */
    const backtest = (genome: Genome, w: BacktestWindow): WindowRun => {
      try {
        const tfSeries = series.get(genome.timeframe);
        if (tfSeries === undefined) return { ok: false, code: 'NO_SERIES', error: `no ${genome.timeframe} candles given` };
        // Another symbol's candles are its series of the same timeframe (the cycle's, cut at its asOf).
        const data = operands === undefined ? undefined : { ...operands, candles: tfSeries };
        const { metrics } = backtestWindow(genome, tfSeries, cache, w, data);
        const ends: Record<string, number> = {};
        for (const s of genome.symbols) ends[s] = windowIndices(tfSeries[s]!, w.from, w.to).to;
        return {
          ok: true,
          metrics,
          dataFingerprint: dataFingerprint({ exchange, interval: genome.timeframe, symbols: genome.symbols }, tfSeries, ends),
        };
      } catch (e) {
        const code = e instanceof BacktestError || e instanceof CompileError ? e.code : 'BACKTEST_FAILED';
        return { ok: false, code, error: e instanceof Error ? e.message : String(e) };
      }
    };
    const runs: WindowRun[][] = [];
    for (const [i, genome] of genomes.entries()) {
      runs.push(windows.map((w) => backtest(genome, w)));
      if (i % GENOMES_BETWEEN_YIELDS === GENOMES_BETWEEN_YIELDS - 1) await yieldToEventLoop();
    }
    return runs;
  },
});
