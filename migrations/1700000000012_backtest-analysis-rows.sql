-- Up Migration
-- The backtest_results read model keeps the table of a grid search or a walk-forward in a table of its own, one row
-- per cell or window, so the API pages and sorts it (GET /api/backtests/:id/cells, /windows) and the job's row keeps
-- only the summary. The headline metrics are stored as given and, for sorting, as columns.

CREATE TABLE backtest_grid_cells (
  job_id text NOT NULL,
  -- place in grid order (the grid's first path varies slowest)
  cell integer NOT NULL,
  params jsonb NOT NULL,
  score double precision,
  rank integer,
  skipped text,
  headline jsonb NOT NULL,
  sharpe double precision,
  total_return double precision,
  max_drawdown double precision,
  trade_count double precision,
  PRIMARY KEY (job_id, cell)
);
CREATE INDEX backtest_grid_cells_rank ON backtest_grid_cells (job_id, rank, cell);

CREATE TABLE backtest_walk_forward_windows (
  job_id text NOT NULL,
  window_index integer NOT NULL,
  -- {from, to, bars}: open times, epoch ms, [from, to)
  in_sample jsonb NOT NULL,
  out_of_sample jsonb NOT NULL,
  params jsonb,
  in_sample_score double precision,
  in_sample_headline jsonb NOT NULL,
  out_of_sample_headline jsonb NOT NULL,
  -- the out-of-sample headline, for sorting
  sharpe double precision,
  total_return double precision,
  max_drawdown double precision,
  trade_count double precision,
  PRIMARY KEY (job_id, window_index)
);

-- Down Migration
DROP TABLE backtest_walk_forward_windows;
DROP TABLE backtest_grid_cells;
