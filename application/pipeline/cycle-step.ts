// The pipeline's daily learning cycle (application/learning/daily-cycle.ts): due once a day from `hour` UTC (03:00
// by default, PIPELINE_CYCLE_HOUR), after the selection step of the same hour has run, so it trades the day's
// selected pairs when there is a selection (else the previous one: cycle-start.ts). Its asOf is the tick's time. A
// day whose CycleCompleted is stored is done; a day started and not completed (a crash) is resumed by the next tick.
import { either } from 'fp-ts';
import { runDailyCycle, type DailyCycleDeps, type DailyCycleOptions } from '../learning/daily-cycle.js';
import { loadStages } from '../learning/cycle-stage-recording.js';
import { utcDay } from '../market-data/pair-selection.js';
import { NOTHING_DUE, type PipelineStep } from './step.js';

export interface CycleStepDeps {
  readonly cycle: DailyCycleDeps;
  /** UTC hour from which the day's cycle is due. Default 3. */
  readonly hour?: number;
  /** What every run asks for (the configured timeframes as defaultTimeframes, …); asOf is the tick's time. */
  readonly options?: Omit<DailyCycleOptions, 'asOf' | 'trigger'>;
}

export const createCycleStep = (deps: CycleStepDeps): PipelineStep => {
  // The last day found without data (a replay's first weeks have no window yet): said once, not tried every hour.
  // Only spares work: after a restart the day is tried (and said) once more.
  let withoutData: string | undefined;
  return {
    name: 'cycle',
    tick: async (now) => {
      if (now.getUTCHours() < (deps.hour ?? 3)) return NOTHING_DUE;
      const day = utcDay(now);
      if (day === withoutData) return NOTHING_DUE;
      if ((await loadStages(deps.cycle.store, day)).completed !== undefined) return NOTHING_DUE;
      const run = await runDailyCycle(deps.cycle, { ...deps.options, asOf: now, trigger: 'the pipeline' });
      if (either.isLeft(run)) {
        if (run.left.kind === 'CycleWithoutData') withoutData = day;
        return { appended: 0, notes: [run.left.message] };
      }
      const r = run.right;
      return {
        appended: r.appended,
        notes: [
          `cycle ${r.cycleId}: ${r.generated} of ${r.planned} backtested${r.leftOut > 0 ? ` (${r.leftOut} left out by the time budget)` : ''}, ` +
            `${r.passed} passed, ${r.promoted.length} promoted to paper, ${r.paperResultsLearned} paper result(s) learned from`,
          ...r.notes.filter((n) => /left out|no pair selection|budget/.test(n)),
        ],
      };
    },
  };
};
