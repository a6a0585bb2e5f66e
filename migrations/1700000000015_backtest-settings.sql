-- Up Migration
-- The run settings a backtest result was computed with (fees, slippage, capital, sizing, bars per year and where it
-- came from), as BacktestCompleted records them. NULL for results recorded before run settings existed.
ALTER TABLE backtest_results ADD COLUMN settings jsonb;

-- Down Migration
ALTER TABLE backtest_results DROP COLUMN settings;
