// A next-hour return forecaster, trained on windowed samples (domain/prediction/windowed-data.ts). Implemented by the
// LSTM-Transformer network (infrastructure/predictor/) and by the ridge baseline, so training, evaluation, saving and
// serving treat them alike.
import type { Either } from 'fp-ts/lib/Either.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';

export interface TrainingProgress {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss: number;
  readonly learningRate: number;
}

export interface TrainOptions {
  /** Seeds weight initialisation and dropout, so a run can be repeated. */
  readonly seed: number;
  readonly onEpoch?: (p: TrainingProgress) => void;
  readonly signal?: AbortSignal;
}

export interface SavedForecaster {
  /** Files written under the directory, relative to it. */
  readonly files: readonly string[];
  /** sha256 (hex) over the files' bytes in `files` order: a load verifies it. */
  readonly sha256: string;
}

export interface Forecaster {
  readonly kind: string;
  /** Which configuration built it (e.g. the network's profile name). */
  readonly profile: string;
  readonly window: number;
  readonly features: number;
  readonly history: readonly TrainingProgress[];
  predict(data: WindowedData): Promise<Float32Array>;
  save(dir: string): Promise<SavedForecaster>;
  dispose(): void;
}

export type ForecasterLoadError =
  | { readonly code: 'MISSING'; readonly message: string }
  | { readonly code: 'CORRUPT'; readonly message: string }
  | { readonly code: 'SHAPE_MISMATCH'; readonly message: string };

export interface ForecasterTrainer {
  readonly kind: string;
  readonly profile: string;
  train(train: WindowedData, validation: WindowedData, options: TrainOptions): Promise<Forecaster>;
  /** Loads what `save` wrote; checks sha256 and that window and features match `expected`. */
  load(
    dir: string,
    expected: { readonly window: number; readonly features: number; readonly sha256: string },
  ): Promise<Either<ForecasterLoadError, Forecaster>>;
}
