// From feature rows to the samples a forecaster trains on: which windows are usable, the chronological 80/20 split,
// and normalisation with the training part's statistics only.
//
// A window ending at row e holds rows e−W+1..e and is usable when every one of its values is finite and its rows are
// consecutive hours (a gap in the candles is never bridged); a training or validation window also needs row e+1,
// the hour whose return it predicts, right after it. Unusable windows are dropped and counted, so no NaN ever reaches
// a model.
//
// Split: the usable windows in time order, the first 80% for training and the rest for validation. The boundary is
// the open time of the first validation target hour: every training window's features AND target lie strictly
// before it, so no validation target is ever seen in training (validation windows may look back into training
// hours: that is what a live prediction does too).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { FeatureMatrix } from './features.js';
import type { WindowedData } from './windowed-data.js';

export const HOUR_MS = 3_600_000;
export const DEFAULT_WINDOW = 60;
export const TRAIN_FRACTION = 0.8;
/** Fewer usable windows than this cannot train anything worth serving (a few weeks of hours). */
export const MIN_SAMPLES = 1000;

export interface Normalisation {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface ChronologicalSplit {
  readonly window: number;
  /** End rows of the training windows, ascending. */
  readonly trainEnds: Int32Array;
  /** End rows of the validation windows, ascending; all after every training window's target. */
  readonly validationEnds: Int32Array;
  /** Open time (epoch ms) of the first validation target hour: everything training saw is before it. */
  readonly boundary: number;
  readonly normalisation: Normalisation;
  /** Windows dropped for a non-finite value or a gap. */
  readonly dropped: number;
}

export type SplitError = { readonly code: 'TOO_LITTLE_HISTORY'; readonly message: string };

const isHourAfter = (m: FeatureMatrix, r: number) => m.openTime[r + 1]! - m.openTime[r]! === HOUR_MS;

/** Rows whose every feature is finite. */
export const finiteRows = (m: FeatureMatrix): Uint8Array => {
  const F = m.names.length;
  const ok = new Uint8Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let good = 1;
    for (let j = 0; j < F; j++)
      if (!Number.isFinite(m.values[r * F + j]!)) {
        good = 0;
        break;
      }
    ok[r] = good;
  }
  return ok;
};

/**
 * End rows of the usable windows, ascending. `withTarget`: also require the next hour's candle and a finite return
 * (training and evaluation); without it, a window ending at the last candle is usable (a live prediction).
 */
export const usableEnds = (m: FeatureMatrix, window: number, withTarget: boolean): { readonly ends: Int32Array; readonly dropped: number } => {
  const ok = finiteRows(m);
  const ends: number[] = [];
  let dropped = 0;
  // run = how many consecutive finite rows, each an hour after the previous, end at r.
  let run = 0;
  for (let r = 0; r < m.rows; r++) {
    run = ok[r] === 1 ? (r > 0 && ok[r - 1] === 1 && isHourAfter(m, r - 1) ? run + 1 : 1) : 0;
    if (r < window - 1) continue;
    const hasTarget = r + 1 < m.rows && isHourAfter(m, r) && Number.isFinite(m.target[r]!);
    if (withTarget && r + 1 >= m.rows) continue; // the newest row's target is not known yet: not a drop
    if (run >= window && (!withTarget || hasTarget)) ends.push(r);
    else dropped++;
  }
  return { ends: Int32Array.from(ends), dropped };
};

/** Mean and standard deviation (population) of each feature over the feature rows of the given windows. */
export const normalisationOf = (m: FeatureMatrix, ends: Int32Array, window: number): Normalisation => {
  const F = m.names.length;
  const used = new Uint8Array(m.rows);
  for (const e of ends) used.fill(1, e - window + 1, e + 1);
  const sum = new Float64Array(F);
  let count = 0;
  for (let r = 0; r < m.rows; r++) {
    if (used[r] !== 1) continue;
    count++;
    for (let j = 0; j < F; j++) sum[j]! += m.values[r * F + j]!;
  }
  const mean = Array.from(sum, (s) => s / count);
  const sq = new Float64Array(F);
  for (let r = 0; r < m.rows; r++) {
    if (used[r] !== 1) continue;
    for (let j = 0; j < F; j++) sq[j]! += (m.values[r * F + j]! - mean[j]!) ** 2;
  }
  // A constant feature (e.g. fear_greed_known when the index covers every training hour) is divided by 1, not 0.
  const std = Array.from(sq, (s) => Math.sqrt(s / count) || 1);
  return { mean, std };
};

/** The chronological split (see the top of this file) with the training part's normalisation. */
export const splitChronologically = (m: FeatureMatrix, window = DEFAULT_WINDOW, minSamples = MIN_SAMPLES): Either<SplitError, ChronologicalSplit> => {
  const { ends, dropped } = usableEnds(m, window, true);
  if (ends.length < minSamples) {
    const from = m.rows > 0 ? new Date(m.openTime[0]!).toISOString() : '-';
    const to = m.rows > 0 ? new Date(m.openTime[m.rows - 1]!).toISOString() : '-';
    return either.left({
      code: 'TOO_LITTLE_HISTORY',
      message: `${ends.length} usable ${window}-hour windows in ${m.rows} candles (${from} to ${to}), ${dropped} dropped for a gap or a warm-up value; at least ${minSamples} are needed`,
    });
  }
  const nTrain = Math.floor(ends.length * TRAIN_FRACTION);
  const trainEnds = ends.slice(0, nTrain);
  const validationEnds = ends.slice(nTrain);
  return either.right({
    window,
    trainEnds,
    validationEnds,
    boundary: m.openTime[validationEnds[0]! + 1]!,
    normalisation: normalisationOf(m, trainEnds, window),
    dropped,
  });
};

/** The windows ending at `ends`, normalised, with their targets when `withTarget`. */
export const windowedSamples = (m: FeatureMatrix, ends: Int32Array, window: number, norm: Normalisation, withTarget: boolean): WindowedData => {
  const F = m.names.length;
  if (norm.mean.length !== F || norm.std.length !== F) throw new RangeError(`normalisation has ${norm.mean.length} features, the rows ${F}`);
  const x = new Float32Array(ends.length * window * F);
  const y = withTarget ? new Float32Array(ends.length) : undefined;
  ends.forEach((e, s) => {
    for (let k = 0; k < window; k++) {
      const r = e - window + 1 + k;
      for (let j = 0; j < F; j++) {
        const v = (m.values[r * F + j]! - norm.mean[j]!) / norm.std[j]!;
        // usableEnds keeps only finite rows: a NaN here is a bug upstream, never something to train on.
        if (!Number.isFinite(v)) throw new Error(`non-finite feature ${m.names[j]} at row ${r} in a usable window`);
        x[(s * window + k) * F + j] = v;
      }
    }
    if (y) y[s] = m.target[e]!;
  });
  return { samples: ends.length, window, features: F, x, ...(y ? { y } : {}) };
};
