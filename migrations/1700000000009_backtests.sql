-- Up Migration
-- The backtest_results read model: one row per backtest job, from its request to its outcome.

CREATE TABLE backtest_results (
  job_id text PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('requested', 'completed', 'failed')),
  kind text,
  strategy_id uuid,
  -- the BacktestRequested data: the job (genome, symbols, interval, period) and the analysis asked for
  request jsonb,
  requested_by text,
  symbols text[],
  "interval" text,
  metrics jsonb,
  per_symbol jsonb,
  -- down-sampled [openTime, equity] pairs per symbol
  equity jsonb,
  trades jsonb,
  -- per-window (walk-forward) or per-cell (grid search) table
  analysis jsonb,
  data_window jsonb,
  data_fingerprint text,
  engine_version text,
  error_code text,
  error text,
  requested_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX backtest_results_strategy ON backtest_results (strategy_id, updated_at DESC) WHERE strategy_id IS NOT NULL;
CREATE INDEX backtest_results_time ON backtest_results (updated_at DESC);

-- Down Migration
DROP TABLE backtest_results;
