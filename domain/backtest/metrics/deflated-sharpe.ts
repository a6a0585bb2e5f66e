// The probabilistic and deflated Sharpe ratios (Bailey & López de Prado, "The Sharpe ratio efficient
// frontier", 2012, and "The deflated Sharpe ratio", 2014). The daily cycle tries hundreds of strategies on the
// same data; the best Sharpe among them is inflated by the trying. The DSR is the probability that the true
// Sharpe beats the Sharpe the best of N skill-less trials would show by luck, given the sample's length,
// skewness and kurtosis. All Sharpe ratios here are per bar (not annualised), as in the papers.
import { inverseNormalCdf, normalCdf } from './normal.js';
import { finiteOrNull, type Metric } from './degenerate.js';
import type { ReturnStats } from './returns.js';

export const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Expected maximum Sharpe ratio of `trials` independent skill-less strategies whose Sharpe ratios have
 * variance `sharpeVariance` (DSR paper, eq. for SR₀, via the Euler–Mascheroni constant γ):
 *   SR₀ = sqrt(V) · ((1 − γ) · Φ⁻¹(1 − 1/N) + γ · Φ⁻¹(1 − 1/(N·e)))
 * A single trial selects nothing: SR₀ = 0 (the formula itself would need Φ⁻¹(0)).
 */
export const expectedMaxSharpe = (trials: number, sharpeVariance: number): number => {
  if (!(Number.isInteger(trials) && trials >= 1)) throw new RangeError(`trials must be an integer ≥ 1, got ${trials}`);
  if (!(Number.isFinite(sharpeVariance) && sharpeVariance >= 0)) {
    throw new RangeError(`the variance of the trials' Sharpe ratios must be finite and ≥ 0, got ${sharpeVariance}`);
  }
  if (trials === 1 || sharpeVariance === 0) return 0;
  return (
    Math.sqrt(sharpeVariance) * ((1 - EULER_MASCHERONI) * inverseNormalCdf(1 - 1 / trials) + EULER_MASCHERONI * inverseNormalCdf(1 - 1 / (trials * Math.E)))
  );
};

/** What the PSR needs to know about a strategy's per-bar returns. */
export interface SharpeSample {
  /** Per-bar Sharpe ratio SR^. */
  readonly sharpe: number;
  /** Number of per-bar returns T. */
  readonly observations: number;
  /** Skewness γ₃ of the returns. */
  readonly skew: number;
  /** Excess kurtosis of the returns (γ₄ − 3; a normal distribution gives 0). */
  readonly excessKurtosis: number;
}

/**
 * Probabilistic Sharpe ratio against a benchmark Sharpe SR* (per bar):
 *   PSR = Φ( (SR^ − SR*) · sqrt(T − 1) / sqrt(1 − γ₃·SR^ + (γ₄ − 1)/4 · SR^²) )
 * Null with fewer than two observations or when the variance term under the root is not positive
 * (a skewness large enough to make the approximation meaningless).
 */
export const probabilisticSharpe = (sample: SharpeSample, benchmarkSharpe: number): Metric => {
  const { sharpe, observations, skew, excessKurtosis } = sample;
  if (observations < 2) return null;
  const kurtosis = excessKurtosis + 3;
  const spread = 1 - skew * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(spread > 0)) return null;
  const z = ((sharpe - benchmarkSharpe) * Math.sqrt(observations - 1)) / Math.sqrt(spread);
  return Number.isFinite(z) ? normalCdf(z) : null;
};

/** DSR: the PSR against the expected maximum Sharpe of the trials (per-bar variance of their Sharpe ratios). */
export const deflatedSharpe = (sample: SharpeSample, trials: number, sharpeVariance: number): Metric =>
  probabilisticSharpe(sample, expectedMaxSharpe(trials, sharpeVariance));

/** The strategies tried in the same run, for the DSR. */
export interface Trials {
  /** N: how many strategies were tried (≥ 1). */
  readonly count: number;
  /** Variance of the trials' annualised Sharpe ratios, as their metrics store them (see trialSharpeVariance). */
  readonly annualisedSharpeVariance: number;
}

/** Sample variance (n − 1) of the trials' Sharpe ratios, skipping nulls; null with fewer than two. */
export const trialSharpeVariance = (sharpes: readonly Metric[]): Metric => {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const s of sharpes) {
    if (s === null) continue;
    n++;
    const d = s - mean;
    mean += d / n;
    m2 += d * (s - mean);
  }
  return n >= 2 ? finiteOrNull(m2 / (n - 1)) : null;
};

export interface DeflatedSharpeMetrics {
  /** PSR against a Sharpe of 0: the probability that the true Sharpe is positive. */
  readonly probabilisticSharpe: Metric;
  /** DSR in [0, 1]. Null without trials, a Sharpe, skewness or kurtosis. */
  readonly deflatedSharpe: Metric;
  /** SR₀ annualised (× sqrt(periodsPerYear)): the Sharpe the best skill-less trial would show. Null without trials. */
  readonly expectedMaxSharpe: Metric;
}

export const deflatedSharpeMetrics = (stats: ReturnStats, perBarSharpe: Metric, ppy: number, trials: Trials | undefined): DeflatedSharpeMetrics => {
  // Annualised variance = per-bar variance × ppy, since an annualised Sharpe is the per-bar one × sqrt(ppy).
  const sr0 = trials === undefined ? null : expectedMaxSharpe(trials.count, trials.annualisedSharpeVariance / ppy);
  const sample: SharpeSample | null =
    perBarSharpe === null || stats.skew === null || stats.excessKurtosis === null
      ? null
      : { sharpe: perBarSharpe, observations: stats.count, skew: stats.skew, excessKurtosis: stats.excessKurtosis };
  return {
    probabilisticSharpe: sample === null ? null : probabilisticSharpe(sample, 0),
    deflatedSharpe: sample === null || sr0 === null ? null : probabilisticSharpe(sample, sr0),
    expectedMaxSharpe: sr0 === null ? null : finiteOrNull(sr0 * Math.sqrt(ppy)),
  };
};
