// The daily cycle as a process on its `cycle-<day>` stream (doc/cycle.md): after LearningCycleStarted, one
// CycleStageCompleted per stage in a fixed order — data, generate, backtest, filter, learn, promote — then
// CycleCompleted. A stage's event is appended when the stage is done (its id derives from the day and the stage), so a
// run killed half-way resumes at the first stage without one, and the progress read model (projections/
// cycle-progress) reads where a cycle is from the stream alone.
//
// CycleBudgetExhausted (between backtest chunks) records the genomes the time budget left out: they are never
// generated as strategies (the strategy log keeps only tested strategies, and the genomes can be regenerated from the
// day's seed); the event lists each one's index and genome fingerprint.
import * as t from 'io-ts';
import { boundedArray, boundedRecord, IdString, IsoTimestamp, NonNegativeInt, Text } from '../primitives/codecs.js';
import { CycleDay, CycleDegradation } from './cycle-started.js';

export { CycleDegradation } from './cycle-started.js';

export const CYCLE_STAGES = ['data', 'generate', 'backtest', 'filter', 'learn', 'promote'] as const;
export type CycleStage = (typeof CYCLE_STAGES)[number];
export const CycleStageName = t.keyof(Object.fromEntries(CYCLE_STAGES.map((s) => [s, null])) as Record<CycleStage, null>, 'CycleStage');

/** The next stage after `stage`, or undefined after the last. */
export const nextStage = (stage: CycleStage): CycleStage | undefined => CYCLE_STAGES[CYCLE_STAGES.indexOf(stage) + 1];

const MAX_GENOMES = 5000; // cycle.genomes' maximum (domain/settings/definitions.ts)

export const CycleStageCompletedData = t.intersection([
  t.type({
    cycleId: CycleDay,
    stage: CycleStageName,
    /** What the stage counted (planned, backtested, passed, promoted, …): the progress read model shows them. */
    counts: boundedRecord(NonNegativeInt, 32),
    /** The stage's time on the cycle's clock (0 in replay, where the clock does not move during a tick). */
    elapsedMs: NonNegativeInt,
    at: IsoTimestamp,
  }),
  t.partial({
    /** Selected pairs left out (no candles over the windows) and what was done. */
    degradations: boundedArray(CycleDegradation, 64),
    notes: boundedArray(Text, 64),
  }),
]);
export type CycleStageCompletedData = t.TypeOf<typeof CycleStageCompletedData>;

/** Written between the backtest chunks while the stage runs: the progress read model's rate and time left. */
export const CycleBacktestsProgressedData = t.type({
  cycleId: CycleDay,
  done: NonNegativeInt,
  planned: NonNegativeInt,
  elapsedMs: NonNegativeInt,
  at: IsoTimestamp,
});
export type CycleBacktestsProgressedData = t.TypeOf<typeof CycleBacktestsProgressedData>;

export const LeftOutGenome = t.type({ index: NonNegativeInt, fingerprint: IdString }, 'LeftOutGenome');

export const CycleBudgetExhaustedData = t.type({
  cycleId: CycleDay,
  planned: NonNegativeInt,
  /** The first `backtested` planned genomes were backtested and go on; the rest are `leftOut`. */
  backtested: NonNegativeInt,
  leftOut: boundedArray(LeftOutGenome, MAX_GENOMES),
  budgetMs: NonNegativeInt,
  elapsedMs: NonNegativeInt,
  at: IsoTimestamp,
});
export type CycleBudgetExhaustedData = t.TypeOf<typeof CycleBudgetExhaustedData>;

export const CycleCompletedData = t.type({
  cycleId: CycleDay,
  planned: NonNegativeInt,
  backtested: NonNegativeInt,
  passed: NonNegativeInt,
  promoted: NonNegativeInt,
  /** Paper results the learner took in before planning (domain/learning/paper-feedback.ts). */
  paperResultsLearned: NonNegativeInt,
  at: IsoTimestamp,
});
export type CycleCompletedData = t.TypeOf<typeof CycleCompletedData>;

export type CycleStageCompleted = { readonly type: 'CycleStageCompleted'; readonly data: CycleStageCompletedData };
export type CycleBacktestsProgressed = { readonly type: 'CycleBacktestsProgressed'; readonly data: CycleBacktestsProgressedData };
export type CycleBudgetExhausted = { readonly type: 'CycleBudgetExhausted'; readonly data: CycleBudgetExhaustedData };
export type CycleCompleted = { readonly type: 'CycleCompleted'; readonly data: CycleCompletedData };
export type CycleStageEvent = CycleStageCompleted | CycleBacktestsProgressed | CycleBudgetExhausted | CycleCompleted;

export const CycleStageEventData = {
  CycleStageCompleted: CycleStageCompletedData,
  CycleBacktestsProgressed: CycleBacktestsProgressedData,
  CycleBudgetExhausted: CycleBudgetExhaustedData,
  CycleCompleted: CycleCompletedData,
} as const;

/**
 * The promotion order (pure): the passed strategies best first by score (OOS Sharpe; none last), ties by id, and the
 * first `freeSlots` of them. Deterministic, so a re-run promotes the same ones.
 */
export interface PromotionCandidate {
  readonly strategyId: string;
  readonly score: number | null;
}
export const promotionOrder = (candidates: readonly PromotionCandidate[], freeSlots: number): PromotionCandidate[] =>
  [...candidates].sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.strategyId.localeCompare(b.strategyId)).slice(0, Math.max(0, freeSlots));
