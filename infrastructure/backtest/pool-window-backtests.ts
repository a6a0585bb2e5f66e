// WindowBacktests on the worker-thread pool: one summary job (metrics only) per genome and window, run over the
// caller's series exactly as given (shared with the workers once, dropped from them when the request is done), so
// the results are those of the in-process reference (application/learning/in-process-window-backtests.ts) — same
// engine, same candles, same fingerprints — while the event loop that serves the API stays free.
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import type { WindowBacktests, WindowRun } from '../../application/ports/window-backtests.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { WorkerPool } from './worker-pool.js';
import type { WindowOperandData } from '../../application/ports/window-backtests.js';
import { CompileError, compileGenome } from '../../domain/backtest/compile.js';
import { needsNothing, type OperandData } from '../../domain/backtest/operand-data.js';
import type { Genome } from '../../domain/strategy/genome.js';

/**
 * Only what the genome reads travels with its job (a message copies it): its daily series, forecasts and the other
 * symbols' series — the in-process reference gives the same data (other symbols from the same series), so the same
 * outcome. Nothing for a genome that reads nothing external.
 */
const operandsFor = (genome: Genome, tfSeries: Readonly<Record<string, CandleSeries>>, operands: WindowOperandData | undefined): OperandData | undefined => {
  if (operands === undefined) return undefined;
  let needs;
  try {
    needs = compileGenome(genome).needs;
  } catch (e) {
    if (e instanceof CompileError) return undefined; // the worker reports it
    throw e;
  }
  if (needsNothing(needs)) return undefined;
  const pick = <T>(all: Readonly<Record<string, T>> | undefined, keys: readonly string[]): Record<string, T> =>
    Object.fromEntries(keys.flatMap((k) => (all?.[k] === undefined ? [] : [[k, all[k]] as const])));
  return {
    ...(operands.daily === undefined ? {} : { daily: pick(operands.daily, needs.daily) }),
    candles: pick(tfSeries, needs.symbols),
    ...(operands.predictions === undefined ? {} : { predictions: pick(operands.predictions, needs.models) }),
  };
};

export const poolWindowBacktests = (pool: Pick<WorkerPool, 'run' | 'forget'>): WindowBacktests => ({
  run: async ({ exchange, series, genomes, windows, operands }) => {
    const given: CandleSeries[] = [...series.values()].flatMap((bySymbol) => Object.values(bySymbol));
    const pending = genomes.flatMap((genome, g) =>
      windows.map(async (w, k): Promise<WindowRun> => {
        const tfSeries = series.get(genome.timeframe);
        if (tfSeries === undefined) return { ok: false, code: 'NO_SERIES', error: `no ${genome.timeframe} candles given` };
        const job: BacktestJob = {
          jobId: `window-backtest:${g}:${k}`,
          genome,
          exchange,
          symbols: genome.symbols,
          interval: genome.timeframe,
          period: { from: w.from, to: w.to },
          detail: 'summary',
        };
        const outcome = await pool.run(job, tfSeries, operandsFor(genome, tfSeries, operands));
        if (!outcome.ok) return { ok: false, code: outcome.code, error: outcome.error };
        // The job runner adds meanFinalEquity to the aggregate; the window backtest's metrics are the mean metrics,
        // the symbol count and the total trades (WindowRun), as the reference gives them.
        const { meanFinalEquity: _, ...metrics } = outcome.result.metrics;
        return { ok: true, metrics, dataFingerprint: outcome.result.dataFingerprint };
      }),
    );
    // Every job settles before the series are dropped from the workers, even when one of them failed.
    const settled = await Promise.allSettled(pending);
    pool.forget(given);
    const runs: WindowRun[] = [];
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      runs.push(s.value);
    }
    return genomes.map((_, g) => runs.slice(g * windows.length, (g + 1) * windows.length));
  },
});
