// How forecasts are scored on the held-out part (and over any range the API is asked about), and the confidence a
// forecast carries. Directional accuracy: the share of hours where "the forecast is above 0" and "the return was above
// 0" agree — so the persistence forecast (always 0) scores the share of hours that did not go up.
export interface ForecastMetrics {
  readonly samples: number;
  readonly mae: number;
  readonly rmse: number;
  readonly directionalAccuracy: number;
}

export const forecastMetrics = (forecast: ArrayLike<number>, actual: ArrayLike<number>): ForecastMetrics => {
  const n = actual.length;
  if (forecast.length !== n) throw new RangeError(`${forecast.length} forecasts for ${n} outcomes`);
  if (n === 0) return { samples: 0, mae: NaN, rmse: NaN, directionalAccuracy: NaN };
  let abs = 0;
  let sq = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const e = forecast[i]! - actual[i]!;
    abs += Math.abs(e);
    sq += e * e;
    if (forecast[i]! > 0 === actual[i]! > 0) hits++;
  }
  return { samples: n, mae: abs / n, rmse: Math.sqrt(sq / n), directionalAccuracy: hits / n };
};

/** Standard deviation of the validation residuals: the spread a forecast's error is expected to have. */
export const residualStd = (forecast: ArrayLike<number>, actual: ArrayLike<number>): number => {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i]! - forecast[i]!;
  mean /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (actual[i]! - forecast[i]! - mean) ** 2;
  return Math.sqrt(s / n);
};

/** Φ, the standard normal CDF (Abramowitz & Stegun 7.1.26 for erf, |error| < 1.5e-7). */
export const normalCdf = (z: number): number => {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
};

/**
 * The probability that the hour goes up, if the return is the forecast plus a normal error with the validation
 * residuals' spread: Φ(expected / σ). Confidence: how far that is from a coin toss, |2p − 1| (0..1).
 */
export const upProbability = (expected: number, sigma: number): number => (sigma > 0 ? normalCdf(expected / sigma) : expected > 0 ? 1 : 0.5);
export const confidenceOf = (up: number): number => Math.abs(2 * up - 1);
