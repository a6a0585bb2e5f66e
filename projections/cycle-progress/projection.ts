// The `cycle_progress` read model: where each day's cycle is (stage, counts per stage, started, elapsed, estimated
// time left, finished) from its cycle-<day> stream. A batch reads the rows of the days it touches, folds its events
// into them (fold.ts; a revision already applied changes nothing) and writes them back in one statement.
import { sql } from 'slonik';
import { z } from 'zod';
import type { DecodedEvent, Projection } from '../projection.js';
import { emptyProgress, foldProgress, type CycleProgress, type CycleProgressEvent } from './fold.js';

export const CYCLE_PROGRESS_EVENT_TYPES: readonly CycleProgressEvent['type'][] = [
  'LearningCycleStarted',
  'CycleStageCompleted',
  'CycleBacktestsProgressed',
  'CycleBudgetExhausted',
  'CycleCompleted',
];

/** Folds a batch into the given rows (by cycle id), in log order. */
export const foldProgressBatch = (
  before: ReadonlyMap<string, CycleProgress>,
  events: readonly DecodedEvent<CycleProgressEvent>[],
): Map<string, CycleProgress> => {
  const out = new Map<string, CycleProgress>();
  for (const { event, metadata, recorded } of events) {
    const id = event.data.cycleId;
    const current = out.get(id) ?? before.get(id) ?? emptyProgress(id);
    out.set(id, foldProgress(current, event, metadata.occurredAt, Number(recorded.revision)));
  }
  return out;
};

export const cycleProgressProjection: Projection<CycleProgressEvent> = {
  name: 'cycle_progress',
  version: 1,
  filter: { categories: ['cycle'], eventTypes: CYCLE_PROGRESS_EVENT_TYPES },
  tables: ['cycle_progress'],
  async applyBatch(tx, events) {
    const ids = [...new Set(events.map((e) => e.event.data.cycleId))];
    const stored = await tx.anyFirst(
      sql.type(z.object({ state: z.unknown() }))`SELECT state FROM cycle_progress WHERE cycle_id = ANY(${sql.array(ids, 'text')})`,
    );
    const before = new Map((stored as CycleProgress[]).map((s) => [s.cycleId, s]));
    const rows = [...foldProgressBatch(before, events).values()].map((p) => ({
      cycle_id: p.cycleId,
      as_of: p.asOf,
      stage: p.stage,
      started_at: p.startedAt,
      elapsed_ms: p.elapsedMs,
      eta_ms: p.etaMs,
      planned: p.planned,
      backtested: p.backtested,
      stages: p.stages,
      budget: p.budget,
      degradations: p.degradations,
      finished_at: p.finishedAt,
      completed: p.completed,
      revision: p.revision,
      state: p,
    }));
    if (rows.length === 0) return;
    await tx.query(sql.unsafe`
      INSERT INTO cycle_progress AS c (cycle_id, as_of, stage, started_at, elapsed_ms, eta_ms, planned, backtested, stages, budget,
                                       degradations, finished_at, completed, revision, state)
      SELECT cycle_id, as_of, stage, started_at, elapsed_ms, eta_ms, planned, backtested, stages, budget, degradations, finished_at,
             completed, revision, state
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
          cycle_id text, as_of timestamptz, stage text, started_at timestamptz, elapsed_ms bigint, eta_ms bigint, planned integer,
          backtested integer, stages jsonb, budget jsonb, degradations jsonb, finished_at timestamptz, completed jsonb, revision bigint, state jsonb)
      ON CONFLICT (cycle_id) DO UPDATE SET
        as_of = EXCLUDED.as_of, stage = EXCLUDED.stage, started_at = EXCLUDED.started_at, elapsed_ms = EXCLUDED.elapsed_ms,
        eta_ms = EXCLUDED.eta_ms, planned = EXCLUDED.planned, backtested = EXCLUDED.backtested, stages = EXCLUDED.stages,
        budget = EXCLUDED.budget, degradations = EXCLUDED.degradations, finished_at = EXCLUDED.finished_at,
        completed = EXCLUDED.completed, revision = EXCLUDED.revision, state = EXCLUDED.state
      WHERE c.revision < EXCLUDED.revision`);
  },
};
