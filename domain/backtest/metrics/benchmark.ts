// The strategy against buy-and-hold of the same symbol: beta and alpha from the regression of per-bar
// strategy returns on per-bar benchmark returns (CAPM, both in excess of the risk-free rate), and the
// benchmark's own return. Two passes (means, then centred co-moments) over the strategy's per-bar returns, which
// the caller has already computed, and the benchmark's, computed once into a scratch buffer; no allocation.
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
 * with `equity` (only ratios of consecutive values are used, so the scale does not matter). `returns` holds the
 * strategy's per-bar returns in bar order (returns[i − 1] = barReturn(equity[i − 1], equity[i]), as scanReturns
 * writes them, before anything reorders them); `scratch` (at least bars − 1 long) receives the benchmark's, so
 * each return is divided out once.
 */
export const benchmarkMetrics = (
  equity: Float64Array,
  returns: Float64Array,
  benchmark: Float64Array | undefined,
  ppy: number,
  riskFreePerBar: number,
  scratch: Float64Array,
): BenchmarkMetrics => {
  if (benchmark === undefined || benchmark.length === 0) return NO_BENCHMARK;
  const n = equity.length;
  const first = benchmark[0]!;
  const benchmarkReturn = first > 0 ? finiteOrNull(benchmark[n - 1]! / first - 1) : null;
  const count = n - 1;
  if (count < 2) return { ...NO_BENCHMARK, benchmarkReturn };
  if (returns.length < count || scratch.length < count) throw new RangeError(`benchmarkMetrics: ${count} returns needed`);
  const b = scratch;
  let sumR = 0;
  let sumB = 0;
  let previous = first;
  for (let i = 1; i < n; i++) {
    sumR += returns[i - 1]!;
    const current = benchmark[i]!;
    const rb = barReturn(previous, current);
    b[i - 1] = rb;
    sumB += rb;
    previous = current;
  }
  const meanR = sumR / count;
  const meanB = sumB / count;
  let ssR = 0;
  let ssB = 0;
  let coMoment = 0;
  for (let i = 0; i < count; i++) {
    const dr = returns[i]! - meanR;
    const db = b[i]! - meanB;
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
