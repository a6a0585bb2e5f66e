// The pipeline's pair selection (application/market-data/pair-selection.ts): due once a day from `hour` UTC (02:00 by
// default, PIPELINE_SELECTION_HOUR), as of the tick's time. A day whose selection-<day> stream holds its PairsSelected
// is done: a later tick, or a tick after a restart, appends nothing.
import { either } from 'fp-ts';
import { selectionStream } from '../../domain/selection/events.js';
import { selectPairs, utcDay, type PairSelectionConfig, type PairSelectionDeps } from '../market-data/pair-selection.js';
import { NOTHING_DUE, type PipelineStep } from './step.js';

export interface SelectionStepDeps extends PairSelectionDeps {
  readonly config: PairSelectionConfig;
  /** UTC hour from which the day's selection is due. Default 2. */
  readonly hour?: number;
}

export const createSelectionStep = (deps: SelectionStepDeps): PipelineStep => ({
  name: 'selection',
  tick: async (now) => {
    if (now.getUTCHours() < (deps.hour ?? 2)) return NOTHING_DUE;
    const day = utcDay(now);
    if ((await deps.store.readStream(selectionStream(day), { maxCount: 1 })).length > 0) return NOTHING_DUE;
    const result = await selectPairs(deps, deps.config, now);
    if (either.isLeft(result)) {
      // No selection today (no candidate with enough candles, …): the cycle then trades the previous one; said, not skipped.
      const why = 'message' in result.left ? result.left.message : JSON.stringify(result.left, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      return { appended: 0, notes: [`pair selection ${day}: none recorded (${why}); the cycle uses the previous selection`] };
    }
    return { appended: 1, notes: [`pair selection ${day}: ${result.right.selected.join(', ')}`] };
  },
});
