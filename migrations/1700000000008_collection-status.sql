-- Up Migration
-- Where each market data source stands, per symbol and series: what the dashboard's data page shows.
CREATE TABLE collection_status (
  source text NOT NULL,            -- e.g. 'binance:candles', 'csv:candles', 'binance:orderbook', 'alternative.me:fear_greed'
  symbol text NOT NULL,            -- pair, or the series id for non-pair data ('fear_greed', 'sp500')
  interval text NOT NULL DEFAULT '',
  last_update_at timestamptz,      -- when data last arrived
  last_observation_at timestamptz, -- open time of the newest stored candle / day of the newest value
  observations bigint NOT NULL DEFAULT 0,
  gaps jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_error text,
  last_error_at timestamptz,
  consecutive_errors integer NOT NULL DEFAULT 0,
  PRIMARY KEY (source, symbol, interval)
);

-- Down Migration
DROP TABLE collection_status;
