-- Up Migration
-- The daily cycles' progress (projections/cycle-progress/projection.ts, doc/cycle.md): one row per cycle day, from
-- its cycle-<day> stream — LearningCycleStarted, CycleStageCompleted, CycleBacktestsProgressed, CycleBudgetExhausted,
-- CycleCompleted. Times are the events' (the cycle's clock: simulated in replay).
CREATE TABLE cycle_progress (
  cycle_id text PRIMARY KEY,
  as_of timestamptz,
  -- the stage running now (the one after the last completed), or 'done'
  stage text NOT NULL,
  started_at timestamptz,
  -- from the start to the last event
  elapsed_ms bigint NOT NULL,
  -- estimated time left: from the backtests done vs planned and their rate while they run; 0 when done; null when unknown
  eta_ms bigint,
  planned integer,
  backtested integer NOT NULL,
  -- per stage: { counts, elapsedMs, at }
  stages jsonb NOT NULL,
  -- CycleBudgetExhausted's planned, backtested, left-out count and budget, when the budget cut the backtests
  budget jsonb,
  -- selected pairs left out and why
  degradations jsonb NOT NULL,
  finished_at timestamptz,
  -- CycleCompleted's figures
  completed jsonb,
  revision bigint NOT NULL,
  -- the whole folded state (projections/cycle-progress/fold.ts CycleProgress): the next batch folds into it
  state jsonb NOT NULL
);
CREATE INDEX cycle_progress_started ON cycle_progress (cycle_id DESC);

-- Down Migration
DROP TABLE cycle_progress;
