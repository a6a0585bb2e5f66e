-- Up Migration
-- Order book depth snapshots: the top levels of each side as the exchange sent them, and the liquidity metrics
-- derived from them (domain/market/liquidity.ts) as plain columns, so history queries never unpack jsonb.
-- Depth bands are ±0.5 % and ±1 % of mid; base = amounts summed, quote = price × amount summed.
-- Metric columns are NULL when the book had an empty side or was crossed: the snapshot is kept all the same.
CREATE TABLE order_book_snapshots (
  exchange text NOT NULL CHECK (exchange <> ''),
  symbol text NOT NULL CHECK (symbol <> ''),
  taken_at timestamptz NOT NULL,
  -- Levels asked for per side; a thin book may hold fewer.
  depth integer NOT NULL CHECK (depth > 0),
  -- [[price, amount], ...], best first.
  bids jsonb NOT NULL CHECK (jsonb_typeof(bids) = 'array'),
  asks jsonb NOT NULL CHECK (jsonb_typeof(asks) = 'array'),
  best_bid double precision,
  best_ask double precision,
  mid double precision,
  spread double precision,
  relative_spread double precision,
  bid_depth_05_base double precision,
  bid_depth_05_quote double precision,
  ask_depth_05_base double precision,
  ask_depth_05_quote double precision,
  bid_depth_1_base double precision,
  bid_depth_1_quote double precision,
  ask_depth_1_base double precision,
  ask_depth_1_quote double precision,
  -- (bid − ask) / (bid + ask) of the base amounts within ±1 %.
  imbalance_1 double precision CHECK (imbalance_1 BETWEEN -1 AND 1),
  -- One snapshot per pair and instant: a repeated save stores nothing twice. Also the index for history reads.
  PRIMARY KEY (exchange, symbol, taken_at)
);

-- Liquidity of each UTC day, from that day's snapshots.
CREATE VIEW order_book_daily_liquidity AS
SELECT
  exchange,
  symbol,
  (taken_at AT TIME ZONE 'UTC')::date AS day,
  count(*)::integer AS snapshots,
  count(mid)::integer AS snapshots_with_metrics,
  avg(spread) AS avg_spread,
  avg(relative_spread) AS avg_relative_spread,
  avg(bid_depth_05_quote + ask_depth_05_quote) AS avg_depth_05_quote,
  avg(bid_depth_1_quote + ask_depth_1_quote) AS avg_depth_1_quote,
  avg(bid_depth_1_base + ask_depth_1_base) AS avg_depth_1_base,
  avg(imbalance_1) AS avg_imbalance_1
FROM order_book_snapshots
GROUP BY exchange, symbol, (taken_at AT TIME ZONE 'UTC')::date;

-- Traded volume of each UTC day, from the candles table (columns exchange, symbol, interval, open_time, volume,
-- quote_volume, close only). A pair may be stored at several intervals: the one covering most of the day is used,
-- the coarsest on a tie, so nothing is counted twice. quote_volume is the exchange's figure, NULL unless every
-- candle of the day has one; quote_volume_estimate fills the missing ones with volume × close.
CREATE VIEW candle_daily_volume AS
SELECT DISTINCT ON (exchange, symbol, day)
  exchange, symbol, day, "interval" AS from_interval, candles, coverage, volume, quote_volume, quote_volume_estimate
FROM (
  SELECT
    exchange,
    symbol,
    "interval",
    date '1970-01-01' + (open_time / 86400000)::integer AS day,
    count(*)::integer AS candles,
    max(ms) AS interval_ms,
    -- Share of the day the stored candles span (1 = complete).
    (count(*) * max(ms) / 86400000.0)::double precision AS coverage,
    sum(volume) AS volume,
    CASE WHEN count(quote_volume) = count(*) THEN sum(quote_volume) END AS quote_volume,
    sum(coalesce(quote_volume, volume * close)) AS quote_volume_estimate
  FROM (
    SELECT exchange, symbol, "interval", open_time, volume, quote_volume, close,
      CASE "interval" WHEN '1m' THEN 60000 WHEN '5m' THEN 300000 WHEN '15m' THEN 900000
        WHEN '1h' THEN 3600000 WHEN '4h' THEN 14400000 ELSE 86400000 END AS ms
    FROM candles
  ) c
  GROUP BY exchange, symbol, "interval", date '1970-01-01' + (open_time / 86400000)::integer
) per_interval
ORDER BY exchange, symbol, day, coverage DESC, interval_ms DESC;

-- Volume and liquidity per pair and UTC day: a day has a row when it has snapshots or candles (or both).
-- Built as UNION ALL + GROUP BY rather than a FULL JOIN so a filter on exchange/symbol/day reaches both sources.
CREATE VIEW market_daily_metrics AS
SELECT
  exchange,
  symbol,
  day,
  coalesce(max(snapshots), 0) AS snapshots,
  max(avg_spread) AS avg_spread,
  max(avg_relative_spread) AS avg_relative_spread,
  max(avg_depth_05_quote) AS avg_depth_05_quote,
  max(avg_depth_1_quote) AS avg_depth_1_quote,
  max(avg_depth_1_base) AS avg_depth_1_base,
  max(avg_imbalance_1) AS avg_imbalance_1,
  max(volume) AS volume,
  max(quote_volume) AS quote_volume,
  max(quote_volume_estimate) AS quote_volume_estimate,
  max(volume_coverage) AS volume_coverage
FROM (
  SELECT exchange, symbol, day, snapshots, avg_spread, avg_relative_spread, avg_depth_05_quote, avg_depth_1_quote,
    avg_depth_1_base, avg_imbalance_1, NULL::double precision AS volume, NULL::double precision AS quote_volume,
    NULL::double precision AS quote_volume_estimate, NULL::double precision AS volume_coverage
  FROM order_book_daily_liquidity
  UNION ALL
  SELECT exchange, symbol, day, NULL, NULL, NULL, NULL, NULL, NULL, NULL, volume, quote_volume, quote_volume_estimate, coverage
  FROM candle_daily_volume
) both_sources
GROUP BY exchange, symbol, day;

-- Down Migration
DROP VIEW market_daily_metrics;
DROP VIEW candle_daily_volume;
DROP VIEW order_book_daily_liquidity;
DROP TABLE order_book_snapshots;
