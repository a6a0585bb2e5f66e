// Per-bar returns of an equity curve and the metrics made from their moments: total return, CAGR,
// volatility, Sharpe, Sortino, skew and kurtosis. No allocation but the returns buffer the caller hands
// in (the tail metrics reorder it afterwards).
import { finiteOrNull, ZERO_DISPERSION, type Metric } from './degenerate.js';

/**
 * The return of one bar: E_i / E_{i-1} − 1. An account at or below zero has no return to speak of
 * (dividing by it would give ±Infinity or a meaningless sign): the bar after it returns 0.
 */
export const barReturn = (previous: number, current: number): number => (previous > 0 ? current / previous - 1 : 0);

/** Moments of the per-bar returns. */
export interface ReturnStats {
  /** Number of per-bar returns: bars − 1 (0 for zero or one bar). */
  readonly count: number;
  readonly mean: number;
  /** Sample variance (n − 1 in the denominator); 0 when count < 2. */
  readonly variance: number;
  /** Population skewness m3 / m2^1.5; null when count < 3 or the returns are constant. */
  readonly skew: Metric;
  /** Population excess kurtosis m4 / m2² − 3; null when count < 3 or the returns are constant. */
  readonly excessKurtosis: Metric;
  /** sqrt(Σ min(0, r − target)² / count), over all bars, not only the losing ones. */
  readonly downsideDeviation: number;
}

/**
 * Writes the per-bar returns of `equity` into `out` (length ≥ equity.length − 1) and returns their moments.
 * `target` is the per-bar target of the downside deviation (Sortino). Two tight passes, the returns and
 * their sum, then the central moments over `out` (the corrected two-pass algorithm): exact for a constant
 * series, where raw power sums would cancel catastrophically, and several times faster than a one-pass
 * Welford update, whose chain of divisions bounds it by latency.
 */
export const scanReturns = (equity: Float64Array, out: Float64Array, target: number): ReturnStats => {
  const n = Math.max(0, equity.length - 1);
  let sum = 0;
  let downsideSq = 0;
  for (let i = 0; i < n; i++) {
    const r = barReturn(equity[i]!, equity[i + 1]!);
    out[i] = r;
    sum += r;
    // Branch-free: a bar at or above the target adds +0, which leaves the (non-negative) sum unchanged.
    const below = Math.min(r - target, 0);
    downsideSq += below * below;
  }
  const mean = n > 0 ? sum / n : 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const d = out[i]! - mean;
    const d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  // s1 is 0 up to rounding; subtracting s1²/n corrects the rounding of the mean (Chan, Golub & LeVeque).
  const m2 = n > 0 ? Math.max(0, s2 - (s1 * s1) / n) : 0;
  const populationVariance = n > 0 ? m2 / n : 0;
  const shaped = n >= 3 && Math.sqrt(populationVariance) > ZERO_DISPERSION;
  return {
    count: n,
    mean,
    variance: n >= 2 ? m2 / (n - 1) : 0,
    skew: shaped ? finiteOrNull(s3 / n / Math.pow(populationVariance, 1.5)) : null,
    excessKurtosis: shaped ? finiteOrNull(s4 / n / (populationVariance * populationVariance) - 3) : null,
    downsideDeviation: n > 0 ? Math.sqrt(downsideSq / n) : 0,
  };
};

export interface ReturnMetrics {
  /** E_last / E_first − 1. Null without bars or when the first equity is not positive. */
  readonly totalReturn: Metric;
  /** E_last − E_first, in the account currency. Null without bars. */
  readonly netProfit: Metric;
  /**
   * Compound annual growth: (E_last / E_first)^(1 / years) − 1 with years = returns / periodsPerYear.
   * −1 when the account ended at or below zero; null with fewer than two bars, a non-positive start or an overflow.
   */
  readonly cagr: Metric;
  /** Sample standard deviation of per-bar returns × sqrt(periodsPerYear). Null with fewer than two returns. */
  readonly annualVolatility: Metric;
  /** mean(r − rf) / std(r) × sqrt(periodsPerYear). Null with fewer than two returns or zero volatility. */
  readonly sharpe: Metric;
  /** (mean(r) − target) / downside deviation × sqrt(periodsPerYear). Null when no bar fell below the target. */
  readonly sortino: Metric;
  /** Population skewness of per-bar returns. */
  readonly skew: Metric;
  /** Population excess kurtosis of per-bar returns (a normal distribution gives 0). */
  readonly excessKurtosis: Metric;
}

/** Sharpe of one bar (not annualised): mean(r − rf) / std(r); null when it has no value. */
export const perBarSharpe = (stats: ReturnStats, riskFreePerBar: number): Metric => {
  if (stats.count < 2) return null;
  const sd = Math.sqrt(stats.variance);
  return sd > ZERO_DISPERSION ? finiteOrNull((stats.mean - riskFreePerBar) / sd) : null;
};

export const returnMetrics = (equity: Float64Array, stats: ReturnStats, ppy: number, riskFreePerBar: number, targetPerBar: number): ReturnMetrics => {
  const n = equity.length;
  const first = n > 0 ? equity[0]! : 0;
  const last = n > 0 ? equity[n - 1]! : 0;
  const growth = n > 0 && first > 0 ? last / first : null;
  const sharpe = perBarSharpe(stats, riskFreePerBar);
  return {
    totalReturn: growth === null ? null : finiteOrNull(growth - 1),
    netProfit: n > 0 ? finiteOrNull(last - first) : null,
    cagr: growth === null || stats.count === 0 ? null : growth <= 0 ? -1 : finiteOrNull(Math.pow(growth, ppy / stats.count) - 1),
    annualVolatility: stats.count >= 2 ? finiteOrNull(Math.sqrt(stats.variance * ppy)) : null,
    sharpe: sharpe === null ? null : finiteOrNull(sharpe * Math.sqrt(ppy)),
    sortino:
      stats.count > 0 && stats.downsideDeviation > ZERO_DISPERSION
        ? finiteOrNull(((stats.mean - targetPerBar) / stats.downsideDeviation) * Math.sqrt(ppy))
        : null,
    skew: stats.skew,
    excessKurtosis: stats.excessKurtosis,
  };
};
