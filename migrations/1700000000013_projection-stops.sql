-- Up Migration
-- Where a projection stopped, kept with its checkpoint so that every process (the API's /health, the learning cycle
-- waiting on the read models) sees it, not only the runner that stopped: { error, streamName, revision, eventId,
-- eventType, position: { commit, prepare }, errors, at }. NULL while the projection runs.
ALTER TABLE projection_checkpoints ADD COLUMN stopped jsonb;

-- Down Migration
ALTER TABLE projection_checkpoints DROP COLUMN stopped;
