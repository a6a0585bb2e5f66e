// The tails of the per-bar return distribution, historical (no distribution assumed): value at risk,
// conditional value at risk (expected shortfall) and the tail ratio, all at 95%. The two percentiles are
// found by selection (Hoare / Wirth), O(n), rather than by sorting every return.
import { finiteOrNull, ratioOrNull, type Metric } from './degenerate.js';

/**
 * The p-quantile of ascending `sorted` values by linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's and R's default): h = (n − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export const quantileSorted = (sorted: Float64Array, p: number): number => {
  const n = sorted.length;
  if (n === 0) throw new RangeError('the quantile of no values is undefined');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
};

/**
 * Rearranges xs[from..to] (inclusive) so that xs[k] holds the value it would hold if that range were sorted,
 * with nothing larger before it and nothing smaller after it (Wirth's FIND). Deterministic; a range that
 * keeps partitioning badly is sorted instead, so the worst case stays O(n log n).
 */
const select = (xs: Float64Array, k: number, from: number, to: number): void => {
  let lo = from;
  let hi = to;
  let rounds = 2 * Math.ceil(Math.log2(to - from + 2)) + 8;
  while (lo < hi) {
    if (--rounds < 0) {
      xs.subarray(lo, hi + 1).sort();
      return;
    }
    const pivot = xs[k]!;
    let i = lo;
    let j = hi;
    do {
      while (xs[i]! < pivot) i++;
      while (pivot < xs[j]!) j--;
      if (i <= j) {
        const swap = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = swap;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
};

const minOf = (xs: Float64Array, from: number): number => {
  let m = Infinity;
  for (let i = from; i < xs.length; i++) if (xs[i]! < m) m = xs[i]!;
  return m;
};

/** The type-7 p-quantile of xs, once xs[k] (k = ⌊(n − 1)·p⌋) is in its sorted place and nothing after it is smaller. */
const interpolated = (xs: Float64Array, p: number): number => {
  const h = (xs.length - 1) * p;
  const k = Math.floor(h);
  const weight = h - k;
  return weight === 0 ? xs[k]! : xs[k]! + weight * (minOf(xs, k + 1) - xs[k]!);
};

export interface TailMetrics {
  /** 95% one-bar historical VaR as a positive loss fraction: −(5th percentile of per-bar returns). */
  readonly var95: Metric;
  /** 95% one-bar CVaR (expected shortfall): −mean of the per-bar returns at or below the 5th percentile. */
  readonly cvar95: Metric;
  /** 95th percentile / |5th percentile| of per-bar returns. Null when the 5th percentile is 0. */
  readonly tailRatio: Metric;
}

const TAIL = 0.05;

/** Tail metrics of per-bar `returns`, with quantiles as quantileSorted defines them. Reorders `returns`. */
export const tailMetrics = (returns: Float64Array): TailMetrics => {
  const n = returns.length;
  if (n === 0) return { var95: null, cvar95: null, tailRatio: null };
  const kLow = Math.floor((n - 1) * TAIL);
  const kHigh = Math.floor((n - 1) * (1 - TAIL));
  select(returns, kLow, 0, n - 1);
  const low = interpolated(returns, TAIL);
  // Everything after kLow is already at least returns[kLow]: the high order statistic is selected there.
  if (kHigh > kLow) select(returns, kHigh, kLow + 1, n - 1);
  const high = interpolated(returns, 1 - TAIL);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (returns[i]! <= low) {
      sum += returns[i]!;
      count++;
    }
  }
  // count ≥ 1: the minimum is at or below the interpolated 5th percentile. 0 − x, not −x: no −0 in the results.
  return {
    var95: finiteOrNull(0 - low),
    cvar95: finiteOrNull(0 - sum / count),
    tailRatio: ratioOrNull(high, Math.abs(low)),
  };
};
