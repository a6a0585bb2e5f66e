// The computing part of a training, separate from its recording (train-model.ts): features → chronological split →
// normalised windows → the ridge baseline and the forecaster trained on the training part → both forecasting the
// held-out part. It reads and writes nothing, so it runs wherever it is asked to: in the caller's thread (the CLIs),
// or whole on the network's worker thread (the pipeline: infrastructure/predictor/network-worker.ts), where the
// ~1.3 s of feature and window building on 21k candles no longer blocks the event loop that serves the API.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { buildFeatures } from '../../domain/prediction/features.js';
import { MIN_SAMPLES, splitChronologically, windowedSamples, type Normalisation } from '../../domain/prediction/windows.js';
import type { Forecaster, ForecasterTrainer, TrainingProgress } from '../ports/forecaster.js';

export interface FitRequest {
  readonly candles: CandleSeries;
  readonly fearGreed?: PublishedValues;
  readonly window: number;
  readonly minSamples?: number;
  readonly seed: number;
  readonly onEpoch?: (p: TrainingProgress) => void;
  /** Called once the windows are built and the ridge baseline is trained, before the forecaster's training. */
  readonly onPrepared?: () => void;
}

export type FitFailure = { readonly code: 'TOO_LITTLE_HISTORY' | 'TRAINING_FAILED'; readonly message: string };

/** What a training computed: the two forecasters, their forecasts of the held-out part, and what ModelTrained records. */
export interface Fitted {
  readonly features: readonly string[];
  readonly fearGreedRows: number;
  readonly normalisation: Normalisation;
  readonly split: { readonly boundary: number; readonly trainSamples: number; readonly validationSamples: number; readonly dropped: number };
  readonly model: Forecaster;
  /** The ridge baseline; `model` itself when the forecaster is the ridge. */
  readonly ridge: Forecaster;
  /** The held-out part's targets and both forecasts of them. */
  readonly actual: Float32Array;
  readonly modelForecast: Float32Array;
  readonly ridgeForecast: Float32Array;
}

/** A trainer that runs the whole fit elsewhere (the network worker), not only its own training. */
export interface FittingTrainer extends ForecasterTrainer {
  fit(req: FitRequest): Promise<Either<FitFailure, Fitted>>;
}

export const isFittingTrainer = (t: ForecasterTrainer): t is FittingTrainer => typeof (t as Partial<FittingTrainer>).fit === 'function';

/** The fit in this thread, with `trainer` for the model and `ridge` for the baseline (the ridge alone when alike). */
export const fitModels = async (trainer: ForecasterTrainer, ridgeTrainer: ForecasterTrainer, req: FitRequest): Promise<Either<FitFailure, Fitted>> => {
  const window = req.window;
  const features = buildFeatures(req.candles, req.fearGreed);
  const split = splitChronologically(features, window, req.minSamples ?? MIN_SAMPLES);
  if (either.isLeft(split)) return either.left({ code: 'TOO_LITTLE_HISTORY', message: `${req.candles.key.symbol} 1h: ${split.left.message}` });
  const s = split.right;
  const train = windowedSamples(features, s.trainEnds, window, s.normalisation, true);
  const validation = windowedSamples(features, s.validationEnds, window, s.normalisation, true);
  const actual = validation.y!;
  let model: Forecaster;
  let ridge: Forecaster;
  try {
    ridge = await ridgeTrainer.train(train, validation, { seed: req.seed });
    req.onPrepared?.();
    model =
      trainer.kind === ridgeTrainer.kind ? ridge : await trainer.train(train, validation, { seed: req.seed, ...(req.onEpoch ? { onEpoch: req.onEpoch } : {}) });
  } catch (e) {
    return either.left({ code: 'TRAINING_FAILED', message: `${trainer.kind}/${trainer.profile}: ${(e as Error).message}` });
  }
  const modelForecast = await model.predict(validation);
  const ridgeForecast = model === ridge ? modelForecast : await ridge.predict(validation);
  if (!modelForecast.every(Number.isFinite)) {
    model.dispose();
    if (ridge !== model) ridge.dispose();
    return either.left({ code: 'TRAINING_FAILED', message: `${trainer.kind}/${trainer.profile}: non-finite forecasts on the validation part` });
  }
  return either.right({
    features: [...features.names],
    fearGreedRows: features.fearGreedRows,
    normalisation: { mean: [...s.normalisation.mean], std: [...s.normalisation.std] },
    split: { boundary: s.boundary, trainSamples: train.samples, validationSamples: validation.samples, dropped: s.dropped },
    model,
    ridge,
    actual,
    modelForecast,
    ridgeForecast,
  });
};
