// Walk-forward predictions over history (`npm run predictions:backfill`): the window [from, to) is cut at retraining
// boundaries every `retrainEveryMs`; for each period a model is trained on the candles that closed by the period's
// boundary (never on an hour it will predict), recorded as ModelTrained (purpose walk-forward), and used to forecast
// every hour of the period as PredictionMade — the forecasts a backtest may read as "made at the time".
// A run resumes where an earlier one stopped: a period whose forecastable hours are all recorded is skipped without
// training, and a period whose model was recorded (same kind, profile, seed, window, training candles by their
// sha256, and Fear & Greed rows) but whose forecasts were not all recorded reuses that model's files instead of
// training it again.
import { either } from 'fp-ts';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { modelStream, predictionsStream, type ModelTrainedData } from '../../domain/prediction/events.js';
import { buildFeatures } from '../../domain/prediction/features.js';
import { trainingCandlesBefore } from '../../domain/prediction/walk-forward-check.js';
import { DEFAULT_WINDOW, HOUR_MS } from '../../domain/prediction/windows.js';
import { decodeEvent } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';
import type { ForecasterTrainer } from '../ports/forecaster.js';
import { WARM_UP_HOURS, forecastHours, forecastableHours, recordPredictions } from './predict.js';
import { loadTrained, type ServedModel } from './served-model.js';
import { trainModel, type TrainingDeps, type TrainingFailure } from './train-model.js';

export interface WalkForwardRequest {
  readonly model: string;
  readonly trainer: ForecasterTrainer;
  /** Every candle available (the periods' training sets and the hours to predict are cut from it). */
  readonly candles: CandleSeries;
  readonly requestedSymbol: string;
  readonly fearGreed?: PublishedValues;
  readonly from: number;
  readonly to: number;
  readonly retrainEveryMs: number;
  readonly seed: number;
  readonly window?: number;
  readonly minSamples?: number;
  /** How much history before a boundary trains its model. Default: all of it. */
  readonly historyMs?: number;
  /**
   * Where a period's training data ends, from its boundary: the candles opening before it train. Only a test changes
   * it (to plant the leak the check must catch); the rule is `trainingCandlesBefore`, i.e. the candles closed by the boundary.
   */
  readonly trainingEnd?: (boundary: number, periodEnd: number) => number;
  /** After a period's forecasts are recorded; `reused` when its model was one an earlier run recorded. */
  readonly onPeriod?: (p: { readonly boundary: number; readonly version: number; readonly predictions: number; readonly reused: boolean }) => void;
  /** A period skipped because every hour it would forecast is already recorded. */
  readonly onSkipped?: (p: { readonly boundary: number; readonly hours: number }) => void;
}

export interface WalkForwardReport {
  /** Periods forecast by this run (trained or reused). */
  readonly periods: number;
  /** Periods skipped: every hour already recorded, nothing trained. */
  readonly skipped: number;
  /** Periods whose model an earlier run had recorded (loaded, not trained). */
  readonly reused: number;
  readonly predictions: number;
  readonly appended: number;
  readonly versions: readonly number[];
}

/** The candles with from ≤ openTime < to (copies: a model keeps nothing of the caller's arrays). */
export const sliceCandles = (c: CandleSeries, from: number, to: number): CandleSeries => {
  let a = 0;
  while (a < c.length && c.openTime[a]! < from) a++;
  let b = a;
  while (b < c.length && c.openTime[b]! < to) b++;
  return seriesRange(c, a, b, 'copy');
};

/** The open times of the hours model-<name> has a PredictionMade for. */
const recordedHours = async (store: EventStore, model: string): Promise<Set<number>> =>
  new Set((await store.readStream(predictionsStream(model))).map((r) => Date.parse((r.data as { readonly forHour: string }).forHour)));

/** The walk-forward ModelTrained events of model-<name>, newest first. */
const walkForwardModels = async (store: EventStore, model: string): Promise<ModelTrainedData[]> => {
  const out: ModelTrainedData[] = [];
  for (const r of await store.readStream(modelStream(model))) {
    const d = decodeEvent(r);
    if (either.isLeft(d)) throw new Error(`${modelStream(model)} revision ${r.revision}: ${d.left.message}`);
    if (d.right.event.type !== 'ModelTrained') continue;
    const data = d.right.event.data as ModelTrainedData;
    if (data.purpose === 'walk-forward') out.push(data);
  }
  return out.reverse();
};

const quiet = { warn: () => undefined, info: () => undefined };

/** A model an earlier run recorded for exactly this training (same trainer, seed, window and candles), loaded; else undefined. */
const recordedModel = async (
  deps: TrainingDeps,
  req: WalkForwardRequest,
  earlier: readonly ModelTrainedData[],
  candles: CandleSeries,
  window: number,
): Promise<ServedModel | undefined> => {
  if (candles.length === 0) return undefined;
  const data = deps.fingerprint(candles, req.requestedSymbol);
  const trainers = { [deps.ridge.kind]: deps.ridge, [`${req.trainer.kind}/${req.trainer.profile}`]: req.trainer };
  let fearGreedRows: number | undefined;
  for (const m of earlier) {
    const same =
      m.kind === req.trainer.kind &&
      m.profile === req.trainer.profile &&
      m.seed === req.seed &&
      m.window === window &&
      m.data.symbol === data.symbol &&
      m.data.sha256 === data.sha256 &&
      m.data.rows === data.rows &&
      m.data.lastCandle === data.lastCandle;
    if (!same) continue;
    // The fingerprint covers the candles; Fear & Greed (imported since, or not) must match too.
    fearGreedRows ??= buildFeatures(candles, req.fearGreed).fearGreedRows;
    if (m.split.fearGreedRows !== fearGreedRows) continue;
    // Files gone or damaged: train again (the new model gets its own version).
    const loaded = await loadTrained({ store: deps.store, modelDir: deps.modelDir, trainers, log: quiet }, m);
    if (either.isRight(loaded)) return loaded.right;
  }
  return undefined;
};

export const walkForward = async (deps: TrainingDeps, req: WalkForwardRequest): Promise<either.Either<TrainingFailure, WalkForwardReport>> => {
  const trainingEnd = req.trainingEnd ?? trainingCandlesBefore;
  const window = req.window ?? DEFAULT_WINDOW;
  const recorded = await recordedHours(deps.store, req.model);
  const earlier = await walkForwardModels(deps.store, req.model);
  let predictions = 0;
  let appended = 0;
  const versions: number[] = [];
  let periods = 0;
  let skipped = 0;
  let reused = 0;
  for (let boundary = req.from; boundary < req.to; boundary += req.retrainEveryMs) {
    const periodEnd = Math.min(boundary + req.retrainEveryMs, req.to);
    // The forecast for hour H reads candles up to H − 1h; the slice ends at the period's end.
    const forecastCandles = sliceCandles(req.candles, boundary - (WARM_UP_HOURS + window + 1) * HOUR_MS, periodEnd);
    const hours = forecastableHours(forecastCandles, req.fearGreed, window, boundary, periodEnd);
    if (hours.every((h) => recorded.has(h))) {
      skipped++;
      req.onSkipped?.({ boundary, hours: hours.length });
      continue;
    }
    const trainTo = trainingEnd(boundary, periodEnd);
    const trainFrom = req.historyMs === undefined ? -Infinity : trainTo - req.historyMs;
    const trainingCandles = sliceCandles(req.candles, trainFrom, trainTo);
    const again = await recordedModel(deps, req, earlier, trainingCandles, window);
    let served: ServedModel;
    if (again !== undefined) served = again;
    else {
      const trained = await trainModel(deps, {
        model: req.model,
        trainer: req.trainer,
        purpose: 'walk-forward',
        candles: trainingCandles,
        requestedSymbol: req.requestedSymbol,
        ...(req.fearGreed ? { fearGreed: req.fearGreed } : {}),
        seed: req.seed,
        window,
        ...(req.minSamples === undefined ? {} : { minSamples: req.minSamples }),
        actor: 'system:predictions-backfill',
      });
      if (either.isLeft(trained)) return either.left({ ...trained.left, message: `period from ${new Date(boundary).toISOString()}: ${trained.left.message}` });
      served = trained.right;
    }
    try {
      const made = await forecastHours(served, forecastCandles, req.fearGreed, boundary, periodEnd);
      predictions += made.length;
      appended += await recordPredictions(deps, made, 'system:predictions-backfill');
      versions.push(served.trained.version);
      periods++;
      if (again !== undefined) reused++;
      req.onPeriod?.({ boundary, version: served.trained.version, predictions: made.length, reused: again !== undefined });
    } finally {
      served.model.dispose();
      if (served.ridge !== served.model) served.ridge.dispose();
    }
  }
  return either.right({ periods, skipped, reused, predictions, appended, versions });
};
