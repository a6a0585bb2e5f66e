// How much one backtest job may ask for. The API refuses a larger request up front (400 naming the field) before
// anything is stored; each value is a default that BACKTEST_MAX_* variables override (infrastructure/config).
// Sized for a 2-core machine: the largest allowed job takes a worker seconds to a minute, never the platform.

/** Cells of a parameter grid (the product of the value counts of its paths). */
export const MAX_GRID_CELLS = 1000;
/** Windows of a walk-forward analysis. */
export const MAX_WALK_FORWARD_WINDOWS = 100;
/** Backtests one job runs: 1, the grid's cells, or per walk-forward window its in-sample runs plus one out-of-sample run. */
export const MAX_BACKTESTS_PER_JOB = 2000;
/** Candles of the period, summed over the job's symbols: what the job holds in memory (8 numbers per candle). */
export const MAX_CANDLES_PER_JOB = 100_000;

export interface BacktestLimits {
  readonly maxGridCells: number;
  readonly maxWalkForwardWindows: number;
  readonly maxBacktestsPerJob: number;
  readonly maxCandlesPerJob: number;
}

export const DEFAULT_BACKTEST_LIMITS: BacktestLimits = {
  maxGridCells: MAX_GRID_CELLS,
  maxWalkForwardWindows: MAX_WALK_FORWARD_WINDOWS,
  maxBacktestsPerJob: MAX_BACKTESTS_PER_JOB,
  maxCandlesPerJob: MAX_CANDLES_PER_JOB,
};
