-- Up Migration
-- Market candles, one row per (exchange, symbol, interval, open time).
-- open_time is UTC epoch milliseconds (bigint), not timestamptz: it is the unit the whole code base and every
-- source (Binance, ccxt, the CSV files) uses, so bulk COPY in and out needs no date formatting or parsing
-- and equality is exact. Same 8 bytes as a timestamptz; `to_timestamp(open_time / 1000.0)` shows it as a date.
-- The checks are the last line of defence behind the domain's candle validation: a bad candle never lands.
CREATE TABLE candles (
  exchange text NOT NULL CHECK (exchange <> ''),
  symbol text NOT NULL CHECK (symbol <> ''),
  "interval" text NOT NULL CHECK ("interval" IN ('1m', '5m', '15m', '1h', '4h', '1d')),
  open_time bigint NOT NULL,
  open double precision NOT NULL,
  high double precision NOT NULL,
  low double precision NOT NULL,
  close double precision NOT NULL,
  volume double precision NOT NULL,
  -- NULL where the source does not have them; a later source that has them completes the row.
  quote_volume double precision,
  trades bigint,
  -- Where the row came from first, e.g. `csv:binance_BTCUSDT_1h.csv.gz` or `ccxt:binance`.
  source text NOT NULL,
  PRIMARY KEY (exchange, symbol, "interval", open_time),
  -- Buckets are aligned to UTC epoch multiples of the interval.
  CONSTRAINT candles_open_time_aligned CHECK (
    open_time >= 0 AND open_time % CASE "interval"
      WHEN '1m' THEN 60000 WHEN '5m' THEN 300000 WHEN '15m' THEN 900000
      WHEN '1h' THEN 3600000 WHEN '4h' THEN 14400000 ELSE 86400000 END = 0),
  -- Comparisons with NaN are true in PostgreSQL (NaN sorts above Infinity), so finiteness is checked explicitly.
  CONSTRAINT candles_finite CHECK (
    open > '-Infinity' AND open < 'Infinity' AND high > '-Infinity' AND high < 'Infinity'
    AND low > '-Infinity' AND low < 'Infinity' AND close > '-Infinity' AND close < 'Infinity'
    AND volume < 'Infinity' AND (quote_volume IS NULL OR quote_volume < 'Infinity')),
  CONSTRAINT candles_ohlc_consistent CHECK (high >= low AND high >= greatest(open, close) AND low <= least(open, close)),
  CONSTRAINT candles_volumes_not_negative CHECK (volume >= 0 AND (quote_volume IS NULL OR quote_volume >= 0) AND (trades IS NULL OR trades >= 0))
);

-- Down Migration
DROP TABLE candles;
