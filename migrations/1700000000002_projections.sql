-- Up Migration
-- Checkpoints of the projection runner and the first read models.

CREATE TABLE projection_checkpoints (
  projection text PRIMARY KEY,
  -- the code version the rows were built with; a newer version triggers a rebuild
  version integer NOT NULL,
  commit_position numeric(20, 0) NOT NULL DEFAULT 0,
  prepare_position numeric(20, 0) NOT NULL DEFAULT 0,
  events_applied bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per strategy: where it stands in its lifecycle and what is known of it.
CREATE TABLE strategies (
  id uuid PRIMARY KEY,
  state text NOT NULL,
  filter_outcome text,
  strategy_type text NOT NULL,
  timeframe text NOT NULL,
  symbols text[] NOT NULL,
  genome_summary jsonb NOT NULL,
  genome jsonb NOT NULL,
  latest_metrics jsonb,
  latest_backtest jsonb,
  state_entered jsonb NOT NULL,
  generated_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX strategies_state ON strategies (state, updated_at DESC);

-- Every activation and deactivation with everything the decision used.
CREATE TABLE activation_audit (
  event_id uuid PRIMARY KEY,
  strategy_id uuid NOT NULL,
  action text NOT NULL CHECK (action IN ('activated', 'deactivated')),
  stream_revision bigint NOT NULL,
  decided_by text NOT NULL,
  reason text NOT NULL,
  score double precision,
  score_parts jsonb,
  candidates jsonb,
  thresholds jsonb,
  max_active_strategies integer,
  active_strategies integer,
  correlation_id text NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX activation_audit_strategy ON activation_audit (strategy_id, occurred_at);
CREATE INDEX activation_audit_time ON activation_audit (occurred_at);

-- Down Migration
DROP TABLE activation_audit;
DROP TABLE strategies;
DROP TABLE projection_checkpoints;
