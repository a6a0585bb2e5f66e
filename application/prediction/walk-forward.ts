// Walk-forward predictions over history (`npm run predictions:backfill`): the window [from, to) is cut at retraining
// boundaries every `retrainEveryMs`; for each period a model is trained on the candles that closed by the period's
// boundary (never on an hour it will predict), recorded as ModelTrained (purpose walk-forward), and used to forecast
// every hour of the period as PredictionMade — the forecasts a backtest may read as "made at the time".
import { either } from 'fp-ts';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { HOUR_MS } from '../../domain/prediction/windows.js';
import type { ForecasterTrainer } from '../ports/forecaster.js';
import { forecastHours, recordPredictions } from './predict.js';
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
   * it (to plant the leak the check must catch); the rule is `boundary − 1h + 1`, i.e. the candles closed by the boundary.
   */
  readonly trainingEnd?: (boundary: number, periodEnd: number) => number;
  readonly onPeriod?: (p: { readonly boundary: number; readonly version: number; readonly predictions: number }) => void;
}

export interface WalkForwardReport {
  readonly periods: number;
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
  return {
    key: c.key,
    length: b - a,
    openTime: c.openTime.slice(a, b),
    open: c.open.slice(a, b),
    high: c.high.slice(a, b),
    low: c.low.slice(a, b),
    close: c.close.slice(a, b),
    volume: c.volume.slice(a, b),
    quoteVolume: c.quoteVolume.slice(a, b),
    trades: c.trades.slice(a, b),
  };
};

export const walkForward = async (deps: TrainingDeps, req: WalkForwardRequest): Promise<either.Either<TrainingFailure, WalkForwardReport>> => {
  const trainingEnd = req.trainingEnd ?? ((boundary: number) => boundary - HOUR_MS + 1);
  let predictions = 0;
  let appended = 0;
  const versions: number[] = [];
  let periods = 0;
  for (let boundary = req.from; boundary < req.to; boundary += req.retrainEveryMs) {
    const periodEnd = Math.min(boundary + req.retrainEveryMs, req.to);
    const trainTo = trainingEnd(boundary, periodEnd);
    const trainFrom = req.historyMs === undefined ? -Infinity : trainTo - req.historyMs;
    const trained = await trainModel(deps, {
      model: req.model,
      trainer: req.trainer,
      purpose: 'walk-forward',
      candles: sliceCandles(req.candles, trainFrom, trainTo),
      requestedSymbol: req.requestedSymbol,
      ...(req.fearGreed ? { fearGreed: req.fearGreed } : {}),
      seed: req.seed,
      ...(req.window === undefined ? {} : { window: req.window }),
      ...(req.minSamples === undefined ? {} : { minSamples: req.minSamples }),
      actor: 'system:predictions-backfill',
    });
    if (either.isLeft(trained)) return either.left({ ...trained.left, message: `period from ${new Date(boundary).toISOString()}: ${trained.left.message}` });
    const served = trained.right;
    try {
      const window = served.trained.window;
      // The forecast for hour H reads candles up to H − 1h; the slice ends at the period's end.
      const candles = sliceCandles(req.candles, boundary - (400 + window + 1) * HOUR_MS, periodEnd);
      const made = await forecastHours(served, candles, req.fearGreed, boundary, periodEnd);
      predictions += made.length;
      appended += await recordPredictions(deps, made, 'system:predictions-backfill');
      versions.push(served.trained.version);
      periods++;
      req.onPeriod?.({ boundary, version: served.trained.version, predictions: made.length });
    } finally {
      served.model.dispose();
      if (served.ridge !== served.model) served.ridge.dispose();
    }
  }
  return either.right({ periods, predictions, appended, versions });
};
