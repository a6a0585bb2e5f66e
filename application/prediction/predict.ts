// Forecasts from a served model for chosen hours, and their recording as PredictionMade. A forecast for the hour
// opening at H uses the candles up to the one opening at H − 1h (closed at H) with the normalisation the model was
// trained with; it is made at H and visible from H. Event ids derive from (model, hour), so recording an hour twice
// appends nothing the second time, whichever model version made it.
import { either } from 'fp-ts';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { PredictionMadeData, predictionsStream } from '../../domain/prediction/events.js';
import { buildFeatures, type FeatureMatrix } from '../../domain/prediction/features.js';
import { confidenceOf, upProbability } from '../../domain/prediction/metrics.js';
import { HOUR_MS, usableEnds, windowedSamples } from '../../domain/prediction/windows.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { eventMetadata } from '../commands/handle-command.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, NewEvent } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { ServedModel } from './served-model.js';

/** Candles before the first window that the indicators need to warm up (EMA-type ones settle to ~1e-6 by then). */
export const WARM_UP_HOURS = 400;

/** The rows whose window is usable and whose next hour (the one forecast) opens in [fromHour, toHour). */
const forecastEnds = (m: FeatureMatrix, window: number, fromHour: number, toHour: number): Int32Array =>
  usableEnds(m, window, false).ends.filter((e) => m.openTime[e]! + HOUR_MS >= fromHour && m.openTime[e]! + HOUR_MS < toHour);

/** The hours (open times) in [fromHour, toHour) that forecastHours would forecast from these candles, no model needed. */
export const forecastableHours = (
  candles: CandleSeries,
  fearGreed: PublishedValues | undefined,
  window: number,
  fromHour: number,
  toHour: number,
): number[] => {
  const m = buildFeatures(candles, fearGreed);
  return Array.from(forecastEnds(m, window, fromHour, toHour), (e) => m.openTime[e]! + HOUR_MS);
};

/**
 * The forecasts for every hour H in [fromHour, toHour) whose preceding window is usable in `candles`. `candles`
 * should start WARM_UP_HOURS + window hours before fromHour.
 */
export const forecastHours = async (
  served: ServedModel,
  candles: CandleSeries,
  fearGreed: PublishedValues | undefined,
  fromHour: number,
  toHour: number,
): Promise<PredictionMadeData[]> => {
  const t = served.trained;
  const m = buildFeatures(candles, fearGreed);
  const chosen = forecastEnds(m, t.window, fromHour, toHour);
  if (chosen.length === 0) return [];
  const data = windowedSamples(m, chosen, t.window, t.normalisation, false);
  const expected = await served.model.predict(data);
  const ridge = served.ridge === served.model ? expected : await served.ridge.predict(data);
  return Array.from(chosen, (e, i) => {
    const hour = new Date(m.openTime[e]! + HOUR_MS).toISOString();
    const up = upProbability(expected[i]!, t.residualStd.model);
    const raw = {
      model: t.model,
      modelVersion: t.version,
      kind: t.kind,
      exchange: candles.key.exchange,
      symbol: candles.key.symbol,
      madeAt: hour,
      forHour: hour,
      expectedReturn: expected[i]!,
      upProbability: up,
      confidence: confidenceOf(up),
      baselines: { persistence: 0, ridge: ridge[i]! },
    };
    const d = PredictionMadeData.decode(raw);
    if (either.isLeft(d)) throw new Error(`PredictionMade would not read back: ${formatFieldErrors(fieldErrors(d.left))}`);
    return d.right;
  });
};

export interface RecordDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export const predictionEventId = (ids: IdGenerator, model: string, forHour: string): string => ids.idFor(`prediction:${model}:${forHour}`);

/** Appends the predictions not recorded yet; returns how many were new. */
export const recordPredictions = async (deps: RecordDeps, predictions: readonly PredictionMadeData[], actor = 'system:predictor'): Promise<number> => {
  let appended = 0;
  const toEvent = (p: PredictionMadeData): NewEvent => {
    const eventId = predictionEventId(deps.ids, p.model, p.forHour);
    return { eventId, type: 'PredictionMade', data: p, metadata: eventMetadata({ actor: actor as Actor }, deps.clock.now(), eventId) };
  };
  const one = async (p: PredictionMadeData) => {
    const r = await deps.store.appendToStream(predictionsStream(p.model), [toEvent(p)], { expectedRevision: 'any' });
    if (either.isLeft(r)) throw new Error(`PredictionMade for ${p.forHour} not recorded: ${r.left.kind}`);
    if (r.right.appended) appended++;
  };
  // Batches of 500 (a backfill writes thousands); a batch partly recorded before goes one by one.
  for (let i = 0; i < predictions.length; i += 500) {
    const batch = predictions.slice(i, i + 500);
    if (batch.length === 0) continue;
    const r = await deps.store.appendToStream(predictionsStream(batch[0]!.model), batch.map(toEvent), { expectedRevision: 'any' });
    if (either.isRight(r)) {
      if (r.right.appended) appended += batch.length;
    } else if (r.left.kind === 'PartialDuplicate') for (const p of batch) await one(p);
    else throw new Error(`PredictionMade not recorded: ${r.left.kind}`);
  }
  return appended;
};
