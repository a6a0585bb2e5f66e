// The rule every forecast must keep, live, in replay and in a walk-forward backfill: it comes from a model whose
// training data ended before the hour it predicts (the last candle it used closed at or before madeAt), and — for the
// pipeline, whose clock may be a replay's — from a model available before then (`availableAt`). Pure, so the serving code, a
// test and an audit over recorded events share one definition.
import type { ModelTrainedData, PredictionMadeData } from './events.js';
import { HOUR_MS } from './windows.js';

/** Where a model's training data ends: the close of its last candle, the first hour it may forecast. */
export const trainingDataEnd = (m: Pick<ModelTrainedData, 'data'>): number => Date.parse(m.data.lastCandle) + HOUR_MS;

/**
 * The open times a model trained at `boundary` learns from: those before the returned bound (exclusive), i.e. the
 * candles closed by the boundary (opening at or before boundary − 1h). The backfill's periods and the pipeline's
 * retraining both cut their training candles here.
 */
export const trainingCandlesBefore = (boundary: number): number => boundary - HOUR_MS + 1;

/**
 * When a version became available on the pipeline's timeline: its training — or, for one trained after the clock
 * (a model trained today on candles up to a past date, seen from a replay over that past), the end of its training
 * data: everything it learnt from had closed by then, so it could have been trained then, and it knows nothing later.
 * The retrain step schedules by it too (a version trained "after" a replay's clock on data past that clock is not
 * available there, and does not count as recent).
 */
export const availableAt = (m: Pick<ModelTrainedData, 'data' | 'trainedAt'>, now: number): number => {
  const trained = Date.parse(m.trainedAt);
  return trained > now ? trainingDataEnd(m) : trained;
};

/**
 * Whether a model may serve a pipeline whose clock reads `now`: its training candles had all closed by then, and it
 * was available before then (`availableAt`). What decides look-ahead is the data, not the wall time of the training:
 * a model trained today on candles up to 2023-08-31 serves a replay of 2023-09; one trained on candles up to today
 * does not. A version trained at the tick itself serves from the next tick: live its training ends after the tick's
 * time anyway, and a replay's clock, which stands still during a tick, must not let a tick repeated after a kill
 * forecast with it what the first one could not. Which hours it may forecast is then `trainingDataEnd` onwards.
 */
export const servesAt = (m: Pick<ModelTrainedData, 'data' | 'trainedAt'>, now: number): boolean => trainingDataEnd(m) <= now && availableAt(m, now) < now;

export interface LookAheadViolation {
  readonly forHour: string;
  readonly modelVersion: number;
  readonly lastCandle: string;
  readonly message: string;
}

export const walkForwardViolations = (models: readonly ModelTrainedData[], predictions: readonly PredictionMadeData[]): LookAheadViolation[] => {
  const byVersion = new Map(models.map((m) => [`${m.model}:${m.version}`, m]));
  const out: LookAheadViolation[] = [];
  for (const p of predictions) {
    const m = byVersion.get(`${p.model}:${p.modelVersion}`);
    if (m === undefined) {
      out.push({ forHour: p.forHour, modelVersion: p.modelVersion, lastCandle: '-', message: `no ModelTrained v${p.modelVersion} of ${p.model}` });
      continue;
    }
    if (trainingDataEnd(m) > Date.parse(p.madeAt) || Date.parse(p.madeAt) > Date.parse(p.forHour))
      out.push({
        forHour: p.forHour,
        modelVersion: p.modelVersion,
        lastCandle: m.data.lastCandle,
        message: `v${p.modelVersion} was trained on candles up to ${m.data.lastCandle}, which closed after the prediction for ${p.forHour} was made`,
      });
  }
  return out;
};
