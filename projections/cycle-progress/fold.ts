// The cycle_progress row of a day, folded from its cycle-<day> events (pure: the projection reads the stored row,
// folds a batch in, writes it back). The estimate of time left is the backtests' (the long stage): the planned ones
// not done yet at the rate of those done; before the first chunk it is unknown, after the backtests it is 0 only once
// the cycle is completed (the stages after them take seconds, not hours).
import type { LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import { nextStage, type CycleDegradation, type CycleStage, type CycleStageEvent } from '../../domain/learning/cycle-stages.js';

export type CycleProgressEvent = LearningCycleStarted | CycleStageEvent;

export interface StageProgress {
  readonly counts: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  readonly at: string;
}

export interface CycleProgress {
  readonly cycleId: string;
  readonly asOf: string | null;
  readonly stage: CycleStage | 'done';
  readonly startedAt: string | null;
  readonly elapsedMs: number;
  readonly etaMs: number | null;
  readonly planned: number | null;
  readonly backtested: number;
  /** Elapsed time of the backtest stage at the last progress (for the rate). */
  readonly backtestElapsedMs: number;
  readonly stages: Readonly<Partial<Record<CycleStage, StageProgress>>>;
  readonly budget: { readonly planned: number; readonly backtested: number; readonly leftOut: number; readonly budgetMs: number } | null;
  readonly degradations: readonly CycleDegradation[];
  readonly finishedAt: string | null;
  readonly completed: Readonly<Record<string, number>> | null;
  readonly revision: number;
}

export const emptyProgress = (cycleId: string): CycleProgress => ({
  cycleId,
  asOf: null,
  stage: 'data',
  startedAt: null,
  elapsedMs: 0,
  etaMs: null,
  planned: null,
  backtested: 0,
  backtestElapsedMs: 0,
  stages: {},
  budget: null,
  degradations: [],
  finishedAt: null,
  completed: null,
  revision: -1,
});

const since = (start: string | null, at: string) => (start === null ? 0 : Math.max(0, Date.parse(at) - Date.parse(start)));

/** Time left for the backtests at the rate so far; null before any is done. */
const estimate = (p: CycleProgress): number | null => {
  if (p.stage === 'done') return 0;
  if (p.planned === null || p.backtested === 0) return null;
  if (p.stage !== 'data' && p.stage !== 'generate' && p.stage !== 'backtest') return null;
  return Math.round(((p.planned - p.backtested) * p.backtestElapsedMs) / p.backtested);
};

/** One event folded in; `occurredAt` is the event's time (LearningCycleStarted carries none of its own). */
export const foldProgress = (p: CycleProgress, event: CycleProgressEvent, occurredAt: string, revision: number): CycleProgress => {
  if (revision <= p.revision) return p; // applied already
  let next: CycleProgress = { ...p, revision };
  const at = 'at' in event.data ? event.data.at : occurredAt;
  switch (event.type) {
    case 'LearningCycleStarted':
      next = {
        ...next,
        asOf: event.data.asOf,
        startedAt: occurredAt,
        planned: next.planned ?? event.data.n,
        degradations: event.data.leftOut ?? next.degradations,
      };
      break;
    case 'CycleStageCompleted': {
      const d = event.data;
      const stages = { ...next.stages, [d.stage]: { counts: d.counts, elapsedMs: d.elapsedMs, at: d.at } };
      next = { ...next, stages, stage: nextStage(d.stage) ?? next.stage };
      if (d.stage === 'generate' && d.counts['planned'] !== undefined) next = { ...next, planned: d.counts['planned'] };
      if (d.stage === 'backtest') next = { ...next, backtested: d.counts['backtested'] ?? next.backtested, backtestElapsedMs: d.elapsedMs };
      if (d.degradations !== undefined) next = { ...next, degradations: d.degradations };
      if (d.stage === 'promote') next = { ...next, stage: next.completed === null ? 'promote' : 'done' };
      break;
    }
    case 'CycleBacktestsProgressed':
      next = { ...next, stage: 'backtest', planned: event.data.planned, backtested: event.data.done, backtestElapsedMs: event.data.elapsedMs };
      break;
    case 'CycleBudgetExhausted': {
      const d = event.data;
      next = { ...next, budget: { planned: d.planned, backtested: d.backtested, leftOut: d.leftOut.length, budgetMs: d.budgetMs } };
      break;
    }
    case 'CycleCompleted': {
      const { cycleId: _c, at: _a, ...figures } = event.data;
      next = { ...next, stage: 'done', finishedAt: event.data.at, completed: figures };
      break;
    }
    default: {
      const unknown: never = event;
      throw new Error(`cycle_progress: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
  next = { ...next, elapsedMs: Math.max(next.elapsedMs, since(next.startedAt, at)) };
  return { ...next, etaMs: estimate(next) };
};
