// The forecasters this build can train and load: the ridge baseline, and the LSTM-Transformer network
// (infrastructure/predictor/network.ts) in each profile. The network's TensorFlow.js backend (tfjs-node → WASM → cpu)
// is selected once, before its first training or load. The pipeline's trainers (loadingTrainers with a NetworkWorker)
// run the network on a worker thread, so its training never blocks the event loop that serves everyone else.
import type { ForecasterTrainer } from '../../application/ports/forecaster.js';
import { selectBackend, type SelectedBackend } from '../predictor/backend.js';
import { NETWORK_KIND, networkTrainer } from '../predictor/network.js';
import { workerNetworkTrainer, workerRidgeTrainer, type NetworkWorker } from '../predictor/worker-trainer.js';
import { ridgeTrainer } from './ridge-forecaster.js';

export const MODEL_KINDS = ['network', 'ridge'] as const;
export type ModelChoice = (typeof MODEL_KINDS)[number];
export const PROFILES = ['small', 'full'] as const;
export type ProfileChoice = (typeof PROFILES)[number];

let backend: Promise<SelectedBackend> | undefined;
/** The backend the network runs on (selected at the first call). */
export const networkBackend = (): Promise<SelectedBackend> => (backend ??= selectBackend());

type WindowedTrainer = ForecasterTrainer & { readonly window: number };

const network = (profile: ProfileChoice): WindowedTrainer => {
  const t = networkTrainer(profile);
  return {
    kind: t.kind,
    profile: t.profile,
    window: t.network.window,
    train: async (train, validation, options) => {
      await networkBackend();
      return t.train(train, validation, options);
    },
    load: async (dir, expected) => {
      await networkBackend();
      return t.load(dir, expected);
    },
  };
};

/** The trainer for a CLI choice. */
export const trainerFor = (model: ModelChoice, profile: ProfileChoice): WindowedTrainer =>
  model === 'ridge' ? { ...ridgeTrainer, window: 60 } : network(profile);

/** The window (steps per sample) a trainer is built for: the network's profile fixes it; 60 otherwise. */
export const windowOf = (trainer: ForecasterTrainer): number => (trainer as Partial<WindowedTrainer>).window ?? 60;

/**
 * Every kind a stored model may name, for loading and retraining: `ridge`, and the network by `<kind>/<profile>`
 * (its files say which profile built it, and a load checks it). With `worker`, the network trains, loads and
 * predicts on that worker thread, and a retraining's whole fit (features, windows, the ridge baseline — for a ridge
 * model too) runs there (the pipeline); without, in this thread.
 */
export const loadingTrainers = (worker?: NetworkWorker): Readonly<Record<string, ForecasterTrainer>> => ({
  [ridgeTrainer.kind]: worker === undefined ? ridgeTrainer : workerRidgeTrainer(worker),
  [`${NETWORK_KIND}/small`]: worker === undefined ? network('small') : workerNetworkTrainer(worker, 'small'),
  [`${NETWORK_KIND}/full`]: worker === undefined ? network('full') : workerNetworkTrainer(worker, 'full'),
});
