-- Up Migration
-- The trading read models, folded from the order streams (`order-<clientOrderId>`, domain/execution/events.ts):
-- projections/orders/ writes trading_orders; projections/positions/ writes the other tables. How positions and P&L
-- are computed (average cost, fees, marks) is doc/positions.md. Amounts are in the quote currency of the symbol.

-- One row per order: what was asked, where it stands, what has filled.
CREATE TABLE trading_orders (
  client_order_id text PRIMARY KEY,
  account text NOT NULL,
  -- '' when the order belongs to no strategy (an operator's)
  strategy_id text NOT NULL,
  exchange text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL CHECK (side IN ('buy', 'sell')),
  type text NOT NULL,
  status text NOT NULL CHECK (status IN ('placed', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired')),
  -- the OrderSpec as placed (quantity, prices, trailing, purpose …)
  spec jsonb NOT NULL,
  -- native or emulated (with what it submits and why); null for an order rejected before placement
  execution jsonb,
  parent_order_id text,
  exchange_order_id text,
  filled_quantity double precision NOT NULL DEFAULT 0,
  average_fill_price double precision,
  -- fees paid so far, per currency: { "USDT": 0.12 }
  fees jsonb NOT NULL DEFAULT '{}',
  fills integer NOT NULL DEFAULT 0,
  -- the cancellation, rejection or expiry: { by, reason … } as the event said it
  ended jsonb,
  placed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX trading_orders_account ON trading_orders (account, placed_at DESC);
CREATE INDEX trading_orders_strategy ON trading_orders (strategy_id, placed_at DESC);
CREATE INDEX trading_orders_status ON trading_orders (status, placed_at DESC);

-- What the positions projection needs of an order to place its fills (fills do not repeat it).
CREATE TABLE position_orders (
  client_order_id text PRIMARY KEY,
  account text NOT NULL,
  strategy_id text NOT NULL,
  exchange text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL CHECK (side IN ('buy', 'sell'))
);

-- The ledger: one row per fill, with the P&L it realised. Per day, per strategy, per symbol P&L are GROUP BYs here.
CREATE TABLE trading_fills (
  event_id uuid PRIMARY KEY,
  client_order_id text NOT NULL,
  trade_id text NOT NULL,
  account text NOT NULL,
  strategy_id text NOT NULL,
  exchange text NOT NULL,
  symbol text NOT NULL,
  side text NOT NULL CHECK (side IN ('buy', 'sell')),
  price double precision NOT NULL,
  quantity double precision NOT NULL,
  fee double precision NOT NULL,
  fee_currency text NOT NULL,
  -- the fee in the quote currency; null when it was charged in a third asset (then it is not in the P&L)
  fee_quote double precision,
  liquidity text NOT NULL CHECK (liquidity IN ('maker', 'taker')),
  realised_pnl double precision NOT NULL,
  -- the position's signed quantity after this fill
  position_after double precision NOT NULL,
  filled_at timestamptz NOT NULL,
  -- the UTC day of the fill: P&L per day
  day date NOT NULL,
  UNIQUE (client_order_id, trade_id)
);
CREATE INDEX trading_fills_day ON trading_fills (day, account);
CREATE INDEX trading_fills_strategy ON trading_fills (strategy_id, day);
CREATE INDEX trading_fills_symbol ON trading_fills (symbol, day);

-- One row per (account, strategy, exchange, symbol): the position now, by the average-cost method.
CREATE TABLE trading_positions (
  account text NOT NULL,
  strategy_id text NOT NULL,
  exchange text NOT NULL,
  symbol text NOT NULL,
  -- signed: > 0 long, < 0 short, 0 flat
  quantity double precision NOT NULL,
  -- cost basis per unit, opening fees included; 0 when flat
  average_price double precision NOT NULL,
  realised_pnl double precision NOT NULL,
  -- fees in the quote currency, and fees in third assets per currency (not in the P&L)
  fees double precision NOT NULL,
  other_fees jsonb NOT NULL DEFAULT '{}',
  fills integer NOT NULL,
  -- when the current position was opened (null when flat)
  opened_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account, strategy_id, exchange, symbol)
);
CREATE INDEX trading_positions_open ON trading_positions (account, symbol) WHERE quantity <> 0;

-- What fills did to each asset of an account on an exchange: + bought, − sold, − fees. Deposits and withdrawals are not
-- in the event log, so these are changes since the first order, not the exchange's balances.
CREATE TABLE trading_balances (
  account text NOT NULL,
  exchange text NOT NULL,
  asset text NOT NULL,
  change double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (account, exchange, asset)
);

-- Down Migration
DROP TABLE trading_balances;
DROP TABLE trading_positions;
DROP TABLE trading_fills;
DROP TABLE position_orders;
DROP TABLE trading_orders;
