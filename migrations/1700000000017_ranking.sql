-- Up Migration
-- The ranking read model (projections/ranking/, doc/monitoring.md): one row per strategy, folded from its strategy
-- stream (state, pin, paper verdict, backtest figures), its performance-<id> stream (TradingDayClosed per mode) and
-- the risk-live-<id> stream of its live account (kill switch). `ranked` marks a strategy that reached paper: the
-- activation step and GET /api/ranking read only those (in Paper or Live, and kept after retirement).
CREATE TABLE ranking (
  strategy_id uuid PRIMARY KEY,
  -- Generated … Retired, as domain/strategy/state.ts describes it; null until the strategy stream is seen
  state text,
  ranked boolean NOT NULL DEFAULT false,
  pinned boolean NOT NULL DEFAULT false,
  -- the paper verdict: eligible | rejected; null until judged
  evaluation text,
  backtest_sharpe double precision,
  backtest_oos_sharpe double precision,
  -- a fraction (0.12 = 12%), as the backtest's metrics.maxDrawdown
  backtest_max_drawdown double precision,
  regime text,
  -- per mode (paper, live) the fold of its TradingDayClosed (live: of its latest live account): account, days, initialCapital, equity, peak, maxDrawdown,
  -- sumReturns, sumSquares, trades, lastDay, and `recent`, the last 60 days as {day, r, equity}
  paper jsonb,
  live jsonb,
  -- paper equity at the close of the day before the first live day: divergence from paper is measured from it
  paper_base_equity double precision,
  -- the kill switches engaged on its live accounts and not released, as "<account> <trigger>"; [] when none
  kill_switch jsonb NOT NULL DEFAULT '[]',
  -- activations so far: the n-th trades on live-<id> (n = 1) or live-<id>-<n> (application/pipeline/trading-desk.ts)
  activations integer NOT NULL DEFAULT 0,
  -- deactivations whose decision weighed this strategy as breached
  breach_deactivations integer NOT NULL DEFAULT 0,
  -- the last activation or deactivation: {action, at, decidedBy, reason, decision?}
  last_change jsonb,
  last_change_at timestamptz,
  state_entered_at timestamptz,
  updated_at timestamptz NOT NULL
);
CREATE INDEX ranking_ranked ON ranking (ranked, state);

-- The activation audit keeps the whole decision each activation and deactivation carried (weights, each part's
-- inputs, the activations and deactivations it decided, the regime, held), so "why is it live" is answered whole.
ALTER TABLE activation_audit ADD COLUMN decision jsonb;
-- Rows written before: the decision their event carried (the PostgreSQL event store's events table), as a rebuild would.
UPDATE activation_audit a SET decision = e.data -> 'decision' FROM events e WHERE e.event_id = a.event_id AND e.data ? 'decision';

-- Down Migration
ALTER TABLE activation_audit DROP COLUMN decision;
DROP TABLE ranking;
