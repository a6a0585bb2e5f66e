// A profile is the network's whole size and training configuration under one name: how many steps it reads, the
// BiLSTM's depth and width, attention heads, dense widths, dropout, and the training loop's budget. `full` is the
// issue's seed architecture (the default where tfjs-node runs); `small` keeps the same shape of network at a size
// the WASM/cpu backends train in minutes (doc/predictor.md, "Why training is slow here, and what helps").
export interface NetworkProfile {
  readonly name: string;
  /** Steps per sample the network is built for (the caller's windows must match). */
  readonly window: number;
  readonly lstmLayers: number;
  readonly lstmUnits: number;
  readonly heads: number;
  readonly dense: readonly [number, number];
  readonly dropout: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** Early stopping: epochs without a better validation loss before stopping (best weights restored). */
  readonly patience: number;
  /** Learning-rate reduction: epochs without improvement before multiplying the rate by `factor`. */
  readonly plateauPatience: number;
  readonly plateauFactor: number;
  readonly minLearningRate: number;
}

export const PROFILES = {
  full: {
    name: 'full',
    window: 60,
    lstmLayers: 2,
    lstmUnits: 128,
    heads: 4,
    dense: [128, 64],
    dropout: 0.2,
    learningRate: 1e-3,
    batchSize: 128,
    maxEpochs: 100,
    patience: 10,
    plateauPatience: 4,
    plateauFactor: 0.5,
    minLearningRate: 1e-5,
  },
  // Same layers at a fraction of the work: one BiLSTM layer of 24 units, 24 steps (a day of hours) instead of 60.
  small: {
    name: 'small',
    window: 24,
    lstmLayers: 1,
    lstmUnits: 24,
    heads: 2,
    dense: [32, 16],
    dropout: 0.1,
    learningRate: 2e-3,
    batchSize: 256,
    maxEpochs: 30,
    patience: 5,
    plateauPatience: 2,
    plateauFactor: 0.5,
    minLearningRate: 1e-5,
  },
} as const satisfies Record<string, NetworkProfile>;

export type ProfileName = keyof typeof PROFILES;

export const isProfileName = (s: string): s is ProfileName => Object.prototype.hasOwnProperty.call(PROFILES, s);
