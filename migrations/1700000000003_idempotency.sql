-- Up Migration
-- The first answer to each command sent with an Idempotency-Key, returned again to any retry.
CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  request_fingerprint text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE idempotency_keys;
