-- Up Migration
-- The event store: one row per stream (its revision, the concurrency guard) and the append-only log.

CREATE TABLE streams (
  stream_name text PRIMARY KEY,
  category text NOT NULL,
  revision bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  global_position bigserial PRIMARY KEY,
  -- The writing transaction: readers only see transactions below the oldest still running one,
  -- so an event committed late by a slow transaction is never skipped.
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_name text NOT NULL REFERENCES streams (stream_name),
  stream_revision bigint NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  category text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_name, stream_revision),
  CONSTRAINT events_stream_event_id_unique UNIQUE (stream_name, event_id)
);

CREATE INDEX events_log_order ON events (transaction_id, global_position);
CREATE INDEX events_category_log_order ON events (category, transaction_id, global_position);

-- History is never rewritten.
CREATE FUNCTION mt_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'MT003';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION mt_events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION mt_events_are_append_only();

-- Appends a batch to one stream in one statement.
-- p_expected: 'any' | 'no_stream' | 'stream_exists' | a revision number.
-- Errors: MT001 wrong expected revision (DETAIL = current revision or no_stream),
--         MT002 some but not all event ids already stored (DETAIL = the duplicates).
CREATE FUNCTION mt_append_to_stream(
  p_stream text,
  p_category text,
  p_expected text,
  p_event_ids uuid[],
  p_types text[],
  p_data jsonb[],
  p_metadata jsonb[]
) RETURNS TABLE (next_revision bigint, transaction_id xid8, global_position bigint, appended boolean)
LANGUAGE plpgsql
-- A plan cached while the log was small (or had no statistics yet) would keep scanning a stream's events
-- for the idempotency check as the log grows; planning each call keeps every lookup on the unique index.
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  n int := cardinality(p_event_ids);
  current_rev bigint;
  dupes uuid[];
  last_pos bigint;
BEGIN
  -- Writers of one stream queue here before their transaction takes an id, so within a stream
  -- a later revision always has a later transaction id (the subscription's order).
  PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 7341));

  SELECT s.revision INTO current_rev FROM streams s WHERE s.stream_name = p_stream;

  SELECT array_agg(e.event_id) INTO dupes
    FROM events e WHERE e.stream_name = p_stream AND e.event_id = ANY (p_event_ids);
  IF dupes IS NOT NULL THEN
    IF cardinality(dupes) = n THEN
      -- A retry of an append that already happened: report it, append nothing.
      RETURN QUERY
        SELECT current_rev, e.transaction_id, e.global_position, false
          FROM events e WHERE e.stream_name = p_stream AND e.event_id = p_event_ids[n];
      RETURN;
    END IF;
    RAISE EXCEPTION 'some events of this append are already stored' USING ERRCODE = 'MT002', DETAIL = array_to_string(dupes, ',');
  END IF;

  IF (p_expected = 'no_stream' AND current_rev IS NOT NULL)
     OR (p_expected = 'stream_exists' AND current_rev IS NULL)
     OR (p_expected ~ '^[0-9]+$' AND current_rev IS DISTINCT FROM p_expected::bigint) THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'MT001', DETAIL = coalesce(current_rev::text, 'no_stream');
  END IF;

  IF current_rev IS NULL THEN
    INSERT INTO streams (stream_name, category, revision) VALUES (p_stream, p_category, n - 1);
    current_rev := -1;
  ELSE
    UPDATE streams s SET revision = s.revision + n, updated_at = now()
     WHERE s.stream_name = p_stream AND s.revision = current_rev;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'MT001', DETAIL = current_rev::text;
    END IF;
  END IF;

  WITH inserted AS (
    INSERT INTO events (stream_name, stream_revision, event_id, event_type, category, data, metadata)
    SELECT p_stream, current_rev + x.ord, x.id, x.ty, p_category, x.d, x.m
      FROM unnest(p_event_ids, p_types, p_data, p_metadata) WITH ORDINALITY AS x (id, ty, d, m, ord)
    RETURNING events.global_position
  )
  SELECT max(i.global_position) INTO last_pos FROM inserted i;

  PERFORM pg_notify('mt_events', p_category);
  RETURN QUERY SELECT current_rev + n, pg_current_xact_id(), last_pos, true;
END $$;

-- Down Migration
DROP FUNCTION mt_append_to_stream;
DROP TABLE events;
DROP FUNCTION mt_events_are_append_only;
DROP TABLE streams;
