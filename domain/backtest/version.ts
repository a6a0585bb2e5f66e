// The backtest engine's version, stored with every result (StrategyBacktested, backtest_results): a result is
// only comparable with another of the same engine version on the same data fingerprint. Bump it whenever a change
// to the engine, the fill model, the compiler, the indicators or the metrics can change a number.
export const ENGINE_VERSION = '1.0.0';
