-- Up Migration
-- Every service's JSON log records (infrastructure/logging/postgres-log-sink.ts, doc/observability.md), written in
-- batches by the logger's tee; searched by GET /api/logs; rows older than LOG_RETENTION_DAYS deleted in small batches
-- by the retention job (infrastructure/logging/log-retention.ts).
CREATE TABLE logs (
  id bigserial PRIMARY KEY,
  time timestamptz NOT NULL,
  service text NOT NULL,
  -- pino's numeric level: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
  level smallint NOT NULL,
  msg text NOT NULL DEFAULT '',
  -- the whole record as logged (a record over the size bound is stored cut, with "truncated": true)
  record jsonb NOT NULL,
  -- full text over the message and the record's values (English stemming, like websearch_to_tsquery('english', ...))
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', msg), 'A') || setweight(jsonb_to_tsvector('english', record, '["string"]'), 'B')
  ) STORED
);
-- keyset paging by (time, id) with or without a service or level filter
CREATE INDEX logs_time_id ON logs (time, id);
CREATE INDEX logs_service_time ON logs (service, time, id);
CREATE INDEX logs_level_time ON logs (level, time, id);
CREATE INDEX logs_search ON logs USING gin (search);

-- Down Migration
DROP TABLE logs;
