// What strategies may read of a predictor: its forecasts in the order they were made. A forecast made at `madeAt`
// (epoch ms, the close of the hour it was made from) is visible to a bar only if the bar's decision is taken at
// or after `madeAt` (domain/backtest alignment); never earlier.
export interface PredictionSeries {
  /** The model's name (the `model-<name>` stream). */
  readonly model: string;
  /** Ascending, epoch ms. */
  readonly madeAt: Float64Array;
  /** The forecast of the next hour's return (0.01 is +1%). */
  readonly expectedReturn: Float64Array;
  /** The probability that the next hour's return is positive, from the validation error (0..1). */
  readonly upProbability: Float64Array;
}
