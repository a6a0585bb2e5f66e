-- Up Migration
-- Daily observations of sentiment and macro series: fear_greed, sp500, nasdaq, vix, social:<source>:<symbol>.
-- One row per series and day; a re-import never replaces a stored row (conflicts are reported by the importer).
CREATE TABLE daily_observations (
  series text NOT NULL,
  day date NOT NULL,
  value double precision NOT NULL,
  -- Fear & Greed's classification; NULL for series without one.
  label text,
  -- Mentions behind a social score; NULL where it does not apply.
  volume double precision,
  source text NOT NULL,
  -- From when the value was public: features never use it on a candle that opens earlier.
  published_at timestamptz NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (series, day),
  CONSTRAINT daily_observations_value_finite CHECK (value <> 'NaN' AND value <> 'Infinity' AND value <> '-Infinity'),
  CONSTRAINT daily_observations_volume_non_negative CHECK (volume IS NULL OR (volume >= 0 AND volume <> 'Infinity'))
);

-- Down Migration
DROP TABLE daily_observations;
