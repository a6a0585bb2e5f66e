// The forecasters this build can train and load, by kind: the ridge baseline always, the LSTM-Transformer network
// (infrastructure/predictor/network.ts) in the profile asked for.
import type { ForecasterTrainer } from '../../application/ports/forecaster.js';
import { ridgeTrainer } from './ridge-forecaster.js';

export const MODEL_KINDS = ['network', 'ridge'] as const;
export type ModelChoice = (typeof MODEL_KINDS)[number];
export const PROFILES = ['small', 'full'] as const;
export type ProfileChoice = (typeof PROFILES)[number];

/** The trainer for a CLI choice, or why there is none. */
export const trainerFor = (model: ModelChoice, _profile: ProfileChoice): ForecasterTrainer | string =>
  model === 'ridge' ? ridgeTrainer : 'the LSTM-Transformer network is not wired into this build yet (use --model ridge)';

/** The window (steps per sample) a trainer is built for: the network's profile fixes it; 60 otherwise. */
export const windowOf = (trainer: ForecasterTrainer): number => (trainer as { network?: { window?: number } }).network?.window ?? 60;

/** Every kind a stored model may name, for loading (the network in each profile it may have been saved with). */
export const loadingTrainers = (): Readonly<Record<string, ForecasterTrainer>> => ({ [ridgeTrainer.kind]: ridgeTrainer });
