-- Up Migration
-- The predictor's forecasts (projections/predictions/projection.ts, doc/predictor.md): one row per model and hour
-- from PredictionMade on predictions-<model>. The realised return is not stored: it is joined from the candles when
-- queried, so a late or corrected candle never leaves a stale figure here.
CREATE TABLE predictions (
  model text NOT NULL,
  for_hour timestamptz NOT NULL,
  made_at timestamptz NOT NULL,
  model_version integer NOT NULL,
  kind text NOT NULL,
  exchange text NOT NULL,
  symbol text NOT NULL,
  expected_return double precision NOT NULL,
  up_probability double precision NOT NULL,
  confidence double precision NOT NULL,
  persistence double precision NOT NULL,
  ridge double precision NOT NULL,
  event_id uuid NOT NULL,
  PRIMARY KEY (model, for_hour)
);
CREATE INDEX predictions_made_at ON predictions (model, made_at);

-- Down Migration
DROP TABLE predictions;
