// How big a backtest job may be, in one place: the largest grid and walk-forward a job may ask for, and the largest
// result a job may store. The API refuses a larger request up front (400 naming the field) before anything is
// stored; each request limit is a default that a BACKTEST_MAX_* variable overrides (infrastructure/config), up to the
// schema's ceilings (domain/backtest/events.ts BACKTEST_BOUNDS), which the domain enforces again as a backstop
// (GRID_TOO_LARGE, TOO_MANY_WINDOWS). The recorder refuses to store a larger result (RESULT_TOO_LARGE).
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

/**
 * The largest BacktestCompleted result stored, in bytes of its JSON (below the 4 MiB any event may have). A result
 * above it is recorded as BacktestFailed RESULT_TOO_LARGE instead (ask for a shorter period or fewer symbols). The
 * largest allowed grid stores about a sixth of it; what comes near it is a single backtest with thousands of trades
 * (SMA(2)/SMA(3) on BTCUSDT and ETHUSDT 1h over 2.5 years: 8,991 trades, 2.5 MB). Measured figures in
 * doc/backtesting.md.
 */
export const MAX_STORED_RESULT_BYTES = 2_097_152;
