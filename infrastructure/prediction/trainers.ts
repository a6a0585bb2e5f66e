// The forecasters this build can train and load: the ridge baseline, and the LSTM-Transformer network
// (infrastructure/predictor/network.ts) in each profile. The network's TensorFlow.js backend (tfjs-node → WASM → cpu)
// is selected once, before its first training or load.
import type { ForecasterTrainer } from '../../application/ports/forecaster.js';
import { selectBackend, type SelectedBackend } from '../predictor/backend.js';
import { NETWORK_KIND, networkTrainer } from '../predictor/network.js';
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
 * (its files say which profile built it, and a load checks it).
 */
export const loadingTrainers = (): Readonly<Record<string, ForecasterTrainer>> => ({
  [ridgeTrainer.kind]: ridgeTrainer,
  [`${NETWORK_KIND}/small`]: network('small'),
  [`${NETWORK_KIND}/full`]: network('full'),
});
