// The strategy against buy-and-hold of the same symbol: beta and alpha from the regression of per-bar
// strategy returns on per-bar benchmark returns (CAPM, both in excess of the risk-free rate), and the
// benchmark's own return. Two passes over both curves (means, then centred co-moments), no allocation.
import { barReturn } from './returns.js';
import { finiteOrNull, ZERO_DISPERSION, type Metric } from './degenerate.js';

export interface BenchmarkMetrics {
  /** Buy-and-hold return over the backtest: B_last / B_first − 1. Null without a benchmark. */
  readonly benchmarkReturn: Metric;
  /** cov(r, b) / var(b) of per-bar returns. Null without a benchmark, with < 2 returns or a flat benchmark. */
  readonly beta: Metric;
  /** Jensen's alpha per bar, mean(r − rf) − β·mean(b − rf), annualised arithmetically: × periodsPerYear. */
  readonly alpha: Metric;
  /** Pearson correlation of per-bar strategy and benchmark returns. Null when either is flat. */
  readonly benchmarkCorrelation: Metric;
}

const NO_BENCHMARK: BenchmarkMetrics = { benchmarkReturn: null, beta: null, alpha: null, benchmarkCorrelation: null };

/**
 * `benchmark` is the buy-and-hold equity curve or simply the close prices of the same symbol, index-aligned
 * with `equity` (only ratios of consecutive values are used, so the scale does not matter).
 */
export const benchmarkMetrics = (
  equity: Float64Array,
  benchmark: Float64Array | undefined,
  ppy: number,
  riskFreePerBar: number,
): BenchmarkMetrics => {
  if (benchmark === undefined || benchmark.length === 0) return NO_BENCHMARK;
  const n = equity.length;
  const first = benchmark[0]!;
  const benchmarkReturn = first > 0 ? finiteOrNull(benchmark[n - 1]! / first - 1) : null;
  const count = n - 1;
  if (count < 2) return { ...NO_BENCHMARK, benchmarkReturn };
  let sumR = 0;
  let sumB = 0;
  for (let i = 1; i < n; i++) {
    sumR += barReturn(equity[i - 1]!, equity[i]!);
    sumB += barReturn(benchmark[i - 1]!, benchmark[i]!);
  }
  const meanR = sumR / count;
  const meanB = sumB / count;
  let ssR = 0;
  let ssB = 0;
  let coMoment = 0;
  for (let i = 1; i < n; i++) {
    const dr = barReturn(equity[i - 1]!, equity[i]!) - meanR;
    const db = barReturn(benchmark[i - 1]!, benchmark[i]!) - meanB;
    ssR += dr * dr;
    ssB += db * db;
    coMoment += dr * db;
  }
  if (Math.sqrt(ssB / (count - 1)) <= ZERO_DISPERSION) return { ...NO_BENCHMARK, benchmarkReturn };
  const beta = coMoment / ssB;
  const flatStrategy = Math.sqrt(ssR / (count - 1)) <= ZERO_DISPERSION;
  return {
    benchmarkReturn,
    beta: finiteOrNull(beta),
    alpha: finiteOrNull((meanR - riskFreePerBar - beta * (meanB - riskFreePerBar)) * ppy),
    benchmarkCorrelation: flatStrategy ? null : finiteOrNull(coMoment / Math.sqrt(ssR * ssB)),
  };
};
