-- Up Migration
-- The trading_days read model (projections/trading-days): one row per strategy, account and UTC day from the
-- strategy's TradingDayClosed events on performance-<strategyId>.
CREATE TABLE trading_days (
  strategy_id uuid NOT NULL,
  account text NOT NULL,
  day date NOT NULL,
  mode text NOT NULL,
  initial_capital double precision NOT NULL,
  equity double precision NOT NULL,
  day_return double precision NOT NULL,
  trades integer NOT NULL,
  trades_total integer NOT NULL,
  position double precision NOT NULL,
  closed_at timestamptz NOT NULL,
  event_id uuid NOT NULL,
  PRIMARY KEY (strategy_id, account, day)
);

-- Down Migration
DROP TABLE trading_days;
