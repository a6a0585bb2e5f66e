-- Up Migration
-- The alerts read model (projections/alerts/projection.ts, doc/alerts.md): one row per alert (an episode of a
-- de-duplication key, from AlertRaised to AlertResolved), from the alert-<key> streams. Times are the events'.
CREATE TABLE alerts (
  alert_id uuid PRIMARY KEY,
  stream_name text NOT NULL,
  dedup_key text NOT NULL,
  rule text NOT NULL,
  severity text NOT NULL,
  -- 'open' until AlertResolved, then 'resolved'
  state text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  resolved_at timestamptz,
  -- the last revision of its stream applied: a batch applied again changes nothing
  revision bigint NOT NULL,
  -- the whole folded alert (projections/alerts/fold.ts AlertRow): what the API returns, what the next batch folds into
  row jsonb NOT NULL
);
-- GET /api/alerts pages newest first by (first_seen_at, alert_id), optionally narrowed by state, severity, rule.
CREATE INDEX alerts_newest ON alerts (first_seen_at DESC, alert_id DESC);
CREATE INDEX alerts_state_newest ON alerts (state, first_seen_at DESC, alert_id DESC);
CREATE INDEX alerts_open_by_key ON alerts (dedup_key) WHERE state = 'open';

-- Down Migration
DROP TABLE alerts;
