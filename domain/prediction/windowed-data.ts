// Samples for a sequence forecaster: `samples` windows of `window` consecutive hourly steps × `features` values,
// row-major in one Float32Array (sample, then step, then feature), already normalised, and each window's target
// (the next hour's return). One layout for every forecaster (the network, the ridge baseline) and every caller.
export interface WindowedData {
  readonly samples: number;
  readonly window: number;
  readonly features: number;
  /** samples × window × features values. */
  readonly x: Float32Array;
  /** samples targets; absent when only predicting. */
  readonly y?: Float32Array;
}
