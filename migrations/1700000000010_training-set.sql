-- Up Migration
-- The learner's training set: one row per strategy, its genome flattened into features, and what became of it
-- (the latest backtest's in-sample and out-of-sample metrics, the filter, paper, live, retirement).
-- A row is born with the strategy (the genome arrives in StrategyGenerated) and joins the training set when it is
-- backtested: queries read the rows WHERE backtested_at IS NOT NULL.

CREATE TABLE training_set (
  strategy_id uuid PRIMARY KEY,
  -- domain/learning/fingerprint.ts: equal for genomes that trade alike (lineage and indicator ids left out)
  genome_fingerprint text NOT NULL,
  -- domain/learning/features.ts genomeFeatures
  features jsonb NOT NULL,
  strategy_type text NOT NULL,
  timeframe text NOT NULL,
  -- the first symbol; every symbol in `symbols`
  symbol text NOT NULL,
  symbols text[] NOT NULL,
  generation integer NOT NULL,
  origin text NOT NULL,
  parent_ids uuid[] NOT NULL,
  generated_at timestamptz NOT NULL,

  -- the latest StrategyBacktested (all null until the first one)
  backtested_at timestamptz,
  backtest_count integer NOT NULL DEFAULT 0,
  backtest_id text,
  window_start timestamptz,
  window_end timestamptz,
  in_sample_metrics jsonb,
  out_of_sample_metrics jsonb,
  is_sharpe double precision,
  is_return double precision,
  is_trades double precision,
  oos_sharpe double precision,
  oos_return double precision,
  oos_max_drawdown double precision,
  oos_trades double precision,
  -- the in-sample metrics' deflatedSharpe (the Sharpe the strategy was selected on, deflated by the trials)
  deflated_sharpe double precision,
  oos_deflated_sharpe double precision,
  -- market regime at the time: result.regime, else the metrics' `regime.*` keys; null when the backtest gave none
  regime jsonb,
  data_fingerprint text,
  engine_version text,

  -- the latest StrategyFiltered
  filter_outcome text,
  filter_score double precision,
  filtered_at timestamptz,
  -- later stages: reached at least once, and when first
  paper_reached boolean NOT NULL DEFAULT false,
  paper_started_at timestamptz,
  live_reached boolean NOT NULL DEFAULT false,
  live_at timestamptz,
  retired boolean NOT NULL DEFAULT false,
  retired_at timestamptz,
  retired_from text,

  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX training_set_backtested ON training_set (backtested_at DESC) WHERE backtested_at IS NOT NULL;
CREATE INDEX training_set_shape ON training_set (strategy_type, timeframe, symbol) WHERE backtested_at IS NOT NULL;
CREATE INDEX training_set_fingerprint ON training_set (genome_fingerprint);

-- Down Migration
DROP TABLE training_set;
