-- Up Migration
-- How far each log subscriber that keeps its own state outside the read models (the RabbitMQ mirror) got.
-- Positions are (commit, prepare): (transaction id, global position) in PostgreSQL, EventStoreDB's pair otherwise.
CREATE TABLE subscription_checkpoints (
  name text PRIMARY KEY,
  commit_position numeric(20, 0) NOT NULL,
  prepare_position numeric(20, 0) NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE subscription_checkpoints;
