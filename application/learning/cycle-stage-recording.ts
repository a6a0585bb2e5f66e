// The cycle's stage events on `cycle-<day>` (domain/learning/cycle-stages.ts): what a run finds stored (which stages
// are done, the budget's cut, the completion) and the appends, each with an id from the day and the stage so a
// resumed run appends only what is missing. Times are the cycle's clock (deps.clock): real in the platform, the
// simulated one in replay (where a tick takes no simulated time) — never Date.now().
import { either } from 'fp-ts';
import type {
  CycleBacktestsProgressed,
  CycleBudgetExhausted,
  CycleBudgetExhaustedData,
  CycleDegradation,
  CycleCompleted,
  CycleCompletedData,
  CycleStage,
  CycleStageCompleted,
  CycleStageCompletedData,
  CycleStageEvent,
} from '../../domain/learning/cycle-stages.js';
import { decodeAll } from '../events/decode-event.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { CycleAppender } from './cycle-recording.js';
import { cycleStream } from './cycle-start.js';

export interface StoredStages {
  readonly done: ReadonlySet<CycleStage>;
  /** Each completed stage's counts. */
  readonly counts: ReadonlyMap<CycleStage, Readonly<Record<string, number>>>;
  readonly budget: CycleBudgetExhaustedData | undefined;
  readonly completed: CycleCompletedData | undefined;
}

export const loadStages = async (store: EventStore, cycleId: string): Promise<StoredStages> => {
  const TYPES = new Set(['CycleStageCompleted', 'CycleBudgetExhausted', 'CycleCompleted', 'CycleBacktestsProgressed']);
  const decoded = decodeAll<CycleStageEvent>((await store.readStream(cycleStream(cycleId))).filter((r) => TYPES.has(r.type)));
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  const done = new Set<CycleStage>();
  const counts = new Map<CycleStage, Readonly<Record<string, number>>>();
  let budget: CycleBudgetExhaustedData | undefined;
  let completed: CycleCompletedData | undefined;
  for (const { event } of decoded.right) {
    if (event.type === 'CycleStageCompleted') {
      done.add(event.data.stage);
      counts.set(event.data.stage, event.data.counts);
    }
    if (event.type === 'CycleBudgetExhausted') budget = event.data;
    if (event.type === 'CycleCompleted') completed = event.data;
  }
  return { done, counts, budget, completed };
};

type Counts = Readonly<Record<string, number>>;

/** The appends of a run's stage events, timed on the cycle's clock from `stageStarted()`. */
export const stageRecorder = (append: CycleAppender['append'], clock: Clock, cycleId: string) => {
  let started = clock.now().getTime();
  const stream = cycleStream(cycleId);
  const elapsed = () => Math.max(0, Math.round(clock.now().getTime() - started));
  const int = (x: number) => Math.max(0, Math.round(x));
  return {
    /** Starts timing a stage. */
    stageStarted: () => {
      started = clock.now().getTime();
    },
    elapsed,
    completed: async (
      stage: CycleStage,
      counts: Counts,
      extra: { readonly degradations?: readonly CycleDegradation[]; readonly notes?: readonly string[] } = {},
    ) => {
      const event: CycleStageCompleted = {
        type: 'CycleStageCompleted',
        data: {
          cycleId,
          stage,
          counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, int(v)])),
          elapsedMs: elapsed(),
          at: clock.now().toISOString(),
          ...(extra.degradations === undefined || extra.degradations.length === 0 ? {} : { degradations: extra.degradations.slice(0, 64) }),
          ...(extra.notes === undefined || extra.notes.length === 0 ? {} : { notes: extra.notes.slice(0, 64) }),
        } as CycleStageCompletedData,
      };
      return append(stream, event, `stage:${stage}`, 'any');
    },
    progressed: async (done: number, planned: number) => {
      const event: CycleBacktestsProgressed = {
        type: 'CycleBacktestsProgressed',
        data: { cycleId, done, planned, elapsedMs: elapsed(), at: clock.now().toISOString() } as CycleBacktestsProgressed['data'],
      };
      return append(stream, event, `progress:${done}`, 'any');
    },
    budgetExhausted: async (data: Omit<CycleBudgetExhaustedData, 'cycleId' | 'at' | 'elapsedMs'>) => {
      const event: CycleBudgetExhausted = {
        type: 'CycleBudgetExhausted',
        data: { ...data, cycleId, elapsedMs: elapsed(), at: clock.now().toISOString() } as CycleBudgetExhaustedData,
      };
      return append(stream, event, 'budget-exhausted', 'any');
    },
    cycleCompleted: async (data: Omit<CycleCompletedData, 'cycleId' | 'at'>) => {
      const event: CycleCompleted = { type: 'CycleCompleted', data: { ...data, cycleId, at: clock.now().toISOString() } as CycleCompletedData };
      return append(stream, event, 'completed', 'any');
    },
  };
};
export type StageRecorder = ReturnType<typeof stageRecorder>;
