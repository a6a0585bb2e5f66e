// Training a model end to end: features → chronological split → the forecaster and the ridge baseline trained on the
// training part (fit-models.ts: here, or all of it on the network worker) → both scored with the persistence forecast
// on the held-out part → files saved under MODEL_DIR →
// ModelTrained appended to model-<name> (its version is the next one). A failure is a value: the caller decides
// whether it is a bad input (the CLI: exit 2) or a ModelTrainingFailed (the retrain step).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { ModelTrainedData, ModelTrainingFailedData, modelStream, type DataFingerprint, type ModelArtifact } from '../../domain/prediction/events.js';
import { forecastMetrics, residualStd, type ForecastMetrics } from '../../domain/prediction/metrics.js';
import { DEFAULT_WINDOW } from '../../domain/prediction/windows.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { eventMetadata } from '../commands/handle-command.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';
import type { Forecaster, ForecasterTrainer } from '../ports/forecaster.js';
import { fitModels, isFittingTrainer, type FitRequest } from './fit-models.js';

export interface TrainingDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly modelDir: string;
  readonly ridge: ForecasterTrainer;
  /** Hashes the candles a model was trained on (infrastructure/prediction/candle-fingerprint.ts). */
  readonly fingerprint: (candles: CandleSeries, requestedSymbol: string) => DataFingerprint;
}

export interface TrainingRequest {
  readonly model: string;
  readonly trainer: ForecasterTrainer;
  readonly purpose: 'serving' | 'walk-forward';
  readonly candles: CandleSeries;
  readonly requestedSymbol: string;
  readonly fearGreed?: PublishedValues;
  readonly seed: number;
  readonly window?: number;
  readonly minSamples?: number;
  readonly actor?: string;
  readonly onEpoch?: Parameters<ForecasterTrainer['train']>[2]['onEpoch'];
  /** Called when the windows and the ridge baseline are ready, before the model's own training (tests, progress). */
  readonly onPrepared?: () => void;
}

export type TrainingFailure = { readonly code: 'TOO_LITTLE_HISTORY' | 'TRAINING_FAILED' | 'APPEND_FAILED'; readonly message: string };

export interface TrainedModel {
  readonly trained: ModelTrainedData;
  readonly model: Forecaster;
  readonly ridge: Forecaster;
}

const metricsOf = (forecast: ArrayLike<number>, actual: ArrayLike<number>): ForecastMetrics => forecastMetrics(forecast, actual);

/** The number the next ModelTrained of the stream gets (1 for the first), and the stream's revision. */
export const nextVersion = async (store: EventStore, model: string): Promise<{ version: number; revision: bigint | 'no_stream' }> => {
  const events = await store.readStream(modelStream(model));
  const trained = events.filter((e) => e.type === 'ModelTrained').length;
  return { version: trained + 1, revision: events.length === 0 ? 'no_stream' : events[events.length - 1]!.revision };
};

export const trainModel = async (deps: TrainingDeps, req: TrainingRequest): Promise<Either<TrainingFailure, TrainedModel>> => {
  const window = req.window ?? DEFAULT_WINDOW;
  const fitRequest: FitRequest = {
    candles: req.candles,
    ...(req.fearGreed ? { fearGreed: req.fearGreed } : {}),
    window,
    ...(req.minSamples === undefined ? {} : { minSamples: req.minSamples }),
    seed: req.seed,
    ...(req.onEpoch ? { onEpoch: req.onEpoch } : {}),
    ...(req.onPrepared ? { onPrepared: req.onPrepared } : {}),
  };
  // A fitting trainer (the pipeline's, on the network worker) computes everything there, the ridge baseline included.
  const fitted = isFittingTrainer(req.trainer) ? await req.trainer.fit(fitRequest) : await fitModels(req.trainer, deps.ridge, fitRequest);
  if (either.isLeft(fitted)) return fitted;
  const { model, ridge, modelForecast, ridgeForecast, actual, split } = fitted.right;
  const { version, revision } = await nextVersion(deps.store, req.model);
  const base = `${req.model}/v${version}`;
  const save = async (role: ModelArtifact['role'], f: Forecaster): Promise<ModelArtifact> => {
    const directory = `${base}/${f.kind}`;
    const saved = await f.save(`${deps.modelDir}/${directory}`);
    return { role, kind: f.kind, profile: f.profile, directory, files: [...saved.files], sha256: saved.sha256 };
  };
  const artifacts = [await save('model', model)];
  if (model !== ridge) artifacts.push(await save('baseline', ridge));
  const raw = {
    model: req.model,
    version,
    purpose: req.purpose,
    kind: model.kind,
    profile: model.profile,
    seed: req.seed,
    trainedAt: deps.clock.now().toISOString(),
    data: deps.fingerprint(req.candles, req.requestedSymbol),
    window,
    features: [...fitted.right.features],
    normalisation: fitted.right.normalisation,
    split: {
      boundary: new Date(split.boundary).toISOString(),
      trainSamples: split.trainSamples,
      validationSamples: split.validationSamples,
      dropped: split.dropped,
      fearGreedRows: fitted.right.fearGreedRows,
    },
    validation: {
      model: metricsOf(modelForecast, actual),
      persistence: metricsOf(new Float32Array(actual.length), actual),
      ridge: metricsOf(ridgeForecast, actual),
    },
    residualStd: { model: residualStd(modelForecast, actual), ridge: residualStd(ridgeForecast, actual) },
    artifacts,
  };
  const data = ModelTrainedData.decode(raw);
  if (either.isLeft(data)) throw new Error(`ModelTrained would not read back: ${formatFieldErrors(fieldErrors(data.left))}`);
  const eventId = deps.ids.newId();
  const metadata = eventMetadata({ actor: (req.actor ?? 'system:predictor') as Actor }, deps.clock.now(), eventId);
  const appended = await deps.store.appendToStream(modelStream(req.model), [{ eventId, type: 'ModelTrained', data: data.right, metadata }], {
    expectedRevision: revision,
  });
  if (either.isLeft(appended)) return either.left({ code: 'APPEND_FAILED', message: `ModelTrained not recorded: ${appended.left.kind}` });
  return either.right({ trained: data.right, model, ridge });
};

/** Records why a training failed (the retrain step; the models already trained keep serving). */
export const recordTrainingFailure = async (
  deps: Pick<TrainingDeps, 'store' | 'clock' | 'ids'>,
  req: { readonly model: string; readonly trainer: ForecasterTrainer; readonly actor?: string },
  failure: TrainingFailure,
): Promise<void> => {
  const now = deps.clock.now();
  const data = ModelTrainingFailedData.decode({
    model: req.model,
    kind: req.trainer.kind,
    profile: req.trainer.profile,
    failedAt: now.toISOString(),
    code: failure.code,
    reason: failure.message.slice(0, 20_000),
  });
  if (either.isLeft(data)) throw new Error(`ModelTrainingFailed would not read back: ${formatFieldErrors(fieldErrors(data.left))}`);
  // One failure per model and hour: a retried tick records it once.
  const eventId = deps.ids.idFor(`model-training-failed:${req.model}:${Math.floor(now.getTime() / 3_600_000)}`);
  const metadata = eventMetadata({ actor: (req.actor ?? 'system:predictor') as Actor }, now, eventId);
  await deps.store.appendToStream(modelStream(req.model), [{ eventId, type: 'ModelTrainingFailed', data: data.right, metadata }], { expectedRevision: 'any' });
};
