// The two epoch-end rules of the training loop, as plain state machines over validation losses (tfjs has no
// ReduceLROnPlateau, and its EarlyStopping callback cannot restore the best weights):
// - learning-rate reduction: after `patience` epochs without a better validation loss, rate × factor (floored);
// - early stopping: after `patience` epochs without a better validation loss, stop; the best epoch is remembered
//   so the caller restores its weights.
// "Better" means lower by more than `minDelta` (relative), so noise-level gains do not reset the patience.

export interface Plateau {
  /** Returns the learning rate to use for the next epoch. */
  observe(valLoss: number): number;
  readonly rate: number;
}

export const learningRateOnPlateau = (initial: number, patience: number, factor: number, floor: number, minDelta = 1e-4): Plateau => {
  let rate = initial;
  let best = Infinity;
  let wait = 0;
  return {
    get rate() {
      return rate;
    },
    observe(valLoss) {
      if (valLoss < best * (1 - minDelta)) {
        best = valLoss;
        wait = 0;
      } else if (++wait >= patience) {
        rate = Math.max(floor, rate * factor);
        wait = 0;
      }
      return rate;
    },
  };
};

export interface EarlyStopping {
  /** Records an epoch's validation loss; `improved` says its weights are the new best, `stop` that training ends. */
  observe(epoch: number, valLoss: number): { readonly improved: boolean; readonly stop: boolean };
  readonly bestEpoch: number;
  readonly bestLoss: number;
}

export const earlyStopping = (patience: number, minDelta = 1e-4): EarlyStopping => {
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let wait = 0;
  return {
    get bestEpoch() {
      return bestEpoch;
    },
    get bestLoss() {
      return bestLoss;
    },
    observe(epoch, valLoss) {
      if (valLoss < bestLoss * (1 - minDelta) || bestEpoch === 0) {
        bestLoss = valLoss;
        bestEpoch = epoch;
        wait = 0;
        return { improved: true, stop: false };
      }
      wait++;
      return { improved: false, stop: wait >= patience };
    },
  };
};
