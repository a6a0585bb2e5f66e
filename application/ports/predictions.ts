// The predictions a backtest, a paper or a live strategy may use: those recorded as PredictionMade (live, or
// walk-forward over history), never produced on demand by a model that may have seen the window.
import type { PredictionSeries } from '../../domain/prediction/prediction-series.js';

export type { PredictionSeries } from '../../domain/prediction/prediction-series.js';

export interface PredictionSource {
  /** The model's forecasts made in [fromMs, toMs), ascending; empty arrays when there are none. */
  series(model: string, fromMs: number, toMs: number): Promise<PredictionSeries>;
}
