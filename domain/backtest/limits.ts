// How big a backtest job may be, in one place: the largest grid and walk-forward a job may ask for, and the largest
// result a job may store. The API refuses larger requests up front; the domain refuses them again as a backstop
// (GRID_TOO_LARGE, TOO_MANY_WINDOWS), and the recorder refuses to store a larger result (RESULT_TOO_LARGE).

/** Grid cells (combinations) of one grid search, or of the in-sample grid of one walk-forward window. */
export const MAX_GRID_CELLS = 1000;

/** Windows of one walk-forward analysis. */
export const MAX_WALK_FORWARD_WINDOWS = 500;

/**
 * The largest BacktestCompleted result stored, in bytes of its JSON. A result above it is recorded as
 * BacktestFailed RESULT_TOO_LARGE instead (ask for a shorter period or fewer symbols). The largest allowed grid
 * stores about a sixth of it; what comes near it is a single backtest with thousands of trades (SMA(2)/SMA(3) on
 * BTCUSDT and ETHUSDT 1h over 2.5 years: 8,991 trades, 2.5 MB). Measured figures in doc/backtesting.md.
 */
export const MAX_STORED_RESULT_BYTES = 2_097_152;
