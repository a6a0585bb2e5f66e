// Backtests in bulk over candles the caller provides: "backtest these genomes on these windows over these series".
// The daily learning cycle's backtest phase (hundreds of genomes × in-sample and out-of-sample windows) goes through
// it, so that it runs on worker threads (infrastructure/backtest/pool-window-backtests.ts) and not on the event loop
// the API shares; application/learning/in-process-window-backtests.ts is the plain reference.
import type { OperandData } from '../../domain/backtest/operand-data.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { Genome, Timeframe } from '../../domain/strategy/genome.js';

/** Bars by open time, epoch ms: [from, to). */
export interface BacktestWindow {
  readonly from: number;
  readonly to: number;
}

export interface WindowBacktestRequest {
  readonly exchange: string;
  /**
   * The candles per timeframe, per symbol, used exactly as given (never replaced by the stored series: the cycle's
   * are cut at its asOf and its 4h/1d ones resampled, and indicator warm-up and data fingerprints depend on them).
   * A genome whose timeframe has no series here fails (NO_SERIES).
   */
  readonly series: ReadonlyMap<Timeframe, Readonly<Record<string, CandleSeries>>>;
  /** Each is backtested on its own symbols and timeframe. */
  readonly genomes: readonly Genome[];
  readonly windows: readonly BacktestWindow[];
  /**
   * The external data the genomes' operands read beyond the candles (daily series, recorded forecasts), cut at the
   * cycle's asOf; another symbol's candles are that symbol's series here (same timeframe). Absent: none (a genome
   * reading any then fails OPERAND_DATA_MISSING).
   */
  readonly operands?: WindowOperandData;
}

/** What a request's genomes may read besides candles (other symbols' candles come from the request's series). */
export type WindowOperandData = Pick<OperandData, 'daily' | 'predictions'>;

export type WindowRun =
  | {
      readonly ok: true;
      /**
       * The aggregate of backtestGenome over the genome's symbols: the mean metrics, `symbols` and `totalTrades`.
       * Non-finite values may be left out (the learner treats them as missing); only finite ones are ever stored.
       */
      readonly metrics: Readonly<Record<string, number>>;
      /** sha-256 of the candles the run depended on (infrastructure/backtest/job-runner.ts dataFingerprint). */
      readonly dataFingerprint: string;
    }
  /** The backtest failed (an invalid genome, an empty window, …): scored as a failure, never a crash. */
  | { readonly ok: false; readonly code: string; readonly error: string };

export interface WindowBacktests {
  /**
   * runs[g][w] is genomes[g] on windows[w]. Rejects only when the runner itself fails (a worker thread died, the pool
   * closed): then no result is given, rather than one with a hole the learner would mistake for a failed backtest.
   */
  run(request: WindowBacktestRequest): Promise<WindowRun[][]>;
}
