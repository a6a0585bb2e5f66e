// The predictor's facts. `model-<name>` (e.g. model-btc-1h) holds every training: ModelTrained with everything needed
// to reload, verify and judge the model (data fingerprint, features, normalisation, split, held-out metrics, files
// and their sha256), or ModelTrainingFailed with the reason. `predictions-<name>` holds PredictionMade, one per
// predicted hour (its event id derives from the model and the hour, so a replay or a restart appends nothing twice).
import * as t from 'io-ts';
import { Finite, IsoTimestamp, Name, NonNegativeInt, Text, boundedArray, boundedString } from '../primitives/codecs.js';

export const MODEL_CATEGORY = 'model';
export const PREDICTIONS_CATEGORY = 'predictions';

/** A model's name: lower-case letters, digits and dashes (`btc-1h`). */
export const ModelName = t.refinement(t.string, (s) => /^[a-z0-9][a-z0-9-]{0,59}$/.test(s), 'ModelName');
export const modelStream = (model: string): string => `${MODEL_CATEGORY}-${model}`;
export const predictionsStream = (model: string): string => `${PREDICTIONS_CATEGORY}-${model}`;

const PositiveInt = t.refinement(NonNegativeInt, (n) => n >= 1, 'PositiveInt');
/** A sha256 in hex. */
export const Sha256 = t.refinement(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'Sha256');
/** A path relative to MODEL_DIR, without `..` (a stored event never points outside the model folder). */
export const RelativePath = t.refinement(
  boundedString(300),
  (s) => s.length > 0 && !s.startsWith('/') && !s.split(/[\\/]/).some((p) => p === '..' || p === ''),
  'RelativePath',
);

export const MAX_FEATURES = 128;

export const MetricsCodec = t.type({ samples: PositiveInt, mae: Finite, rmse: Finite, directionalAccuracy: Finite });

export const DataFingerprint = t.type({
  exchange: Name,
  /** The symbol whose candles were used; `requestedSymbol` the one asked for (they differ when BTCUSDT stood in for BTCUSDC). */
  symbol: Name,
  requestedSymbol: Name,
  timeframe: t.literal('1h'),
  /** Open times of the first and last candle used (the last one's hour is the last target any training window saw). */
  firstCandle: IsoTimestamp,
  lastCandle: IsoTimestamp,
  rows: PositiveInt,
  /** sha256 over the candles' open time, open, high, low, close and volume as little-endian float64, in time order. */
  sha256: Sha256,
});
export type DataFingerprint = t.TypeOf<typeof DataFingerprint>;

export const ModelArtifact = t.type({
  role: t.keyof({ model: null, baseline: null }),
  kind: Name,
  profile: Name,
  /** Under MODEL_DIR. */
  directory: RelativePath,
  files: boundedArray(RelativePath, 32),
  sha256: Sha256,
});
export type ModelArtifact = t.TypeOf<typeof ModelArtifact>;

export const ModelTrainedData = t.type({
  model: ModelName,
  version: PositiveInt,
  /** `serving`: the model the pipeline loads; `walk-forward`: trained by the backfill for one retraining period only. */
  purpose: t.keyof({ serving: null, 'walk-forward': null }),
  kind: Name,
  profile: Name,
  seed: NonNegativeInt,
  trainedAt: IsoTimestamp,
  data: DataFingerprint,
  window: PositiveInt,
  features: boundedArray(Name, MAX_FEATURES),
  normalisation: t.type({ mean: boundedArray(Finite, MAX_FEATURES), std: boundedArray(Finite, MAX_FEATURES) }),
  split: t.type({
    /** Open time of the first validation target hour: training saw nothing from it on. */
    boundary: IsoTimestamp,
    trainSamples: PositiveInt,
    validationSamples: PositiveInt,
    dropped: NonNegativeInt,
    fearGreedRows: NonNegativeInt,
  }),
  validation: t.type({ model: MetricsCodec, persistence: MetricsCodec, ridge: MetricsCodec }),
  /** Standard deviations of the validation residuals, from which upProbability is computed. */
  residualStd: t.type({ model: Finite, ridge: Finite }),
  artifacts: boundedArray(ModelArtifact, 4),
});
export type ModelTrainedData = t.TypeOf<typeof ModelTrainedData>;

export const ModelTrainingFailedData = t.type({
  model: ModelName,
  kind: Name,
  profile: Name,
  failedAt: IsoTimestamp,
  code: Name,
  reason: Text,
});
export type ModelTrainingFailedData = t.TypeOf<typeof ModelTrainingFailedData>;

export const PredictionMadeData = t.type({
  model: ModelName,
  modelVersion: PositiveInt,
  kind: Name,
  exchange: Name,
  symbol: Name,
  /** The close of the last hour the forecast used: strategies see it from here on. */
  madeAt: IsoTimestamp,
  /** Open time of the hour whose return is forecast (= madeAt). */
  forHour: IsoTimestamp,
  expectedReturn: Finite,
  upProbability: Finite,
  confidence: Finite,
  baselines: t.type({ persistence: Finite, ridge: Finite }),
});
export type PredictionMadeData = t.TypeOf<typeof PredictionMadeData>;

export const PredictorEventData = {
  ModelTrained: ModelTrainedData,
  ModelTrainingFailed: ModelTrainingFailedData,
  PredictionMade: PredictionMadeData,
} as const;

export type ModelTrained = { readonly type: 'ModelTrained'; readonly data: ModelTrainedData };
export type ModelTrainingFailed = { readonly type: 'ModelTrainingFailed'; readonly data: ModelTrainingFailedData };
export type PredictionMade = { readonly type: 'PredictionMade'; readonly data: PredictionMadeData };
