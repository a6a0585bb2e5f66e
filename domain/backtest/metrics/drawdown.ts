// Drawdowns of an equity curve: the deepest fall from a running peak, how long it lasted, the longest
// time under water, the ulcer index, and the two ratios made from them (Calmar, recovery factor).
// One pass over the curve.
import { finiteOrNull, ratioOrNull, type Metric } from './degenerate.js';

export interface DrawdownMetrics {
  /** Deepest fall from a running peak, as a positive fraction: max over bars of 1 − E_i / peak_i. */
  readonly maxDrawdown: Metric;
  /** Largest fall from a running peak in the account currency: max of peak_i − E_i (may be another episode). */
  readonly maxDrawdownAmount: Metric;
  /** Bars from the peak before the deepest drawdown to the bar that regained it (or the last bar, if none did). */
  readonly maxDrawdownDurationBars: Metric;
  /** The same span in time: openTime[end] − openTime[peak], in ms. */
  readonly maxDrawdownDurationMs: Metric;
  /** Longest span under water of any drawdown, in bars (peak to recovery, or to the last bar). */
  readonly longestDrawdownBars: Metric;
  /** Longest span under water of any drawdown, in ms. */
  readonly longestDrawdownMs: Metric;
  /** Martin's ulcer index as a fraction: sqrt(mean over all bars of (1 − E_i / peak_i)²). */
  readonly ulcerIndex: Metric;
}

const NO_DRAWDOWN_METRICS: DrawdownMetrics = {
  maxDrawdown: null,
  maxDrawdownAmount: null,
  maxDrawdownDurationBars: null,
  maxDrawdownDurationMs: null,
  longestDrawdownBars: null,
  longestDrawdownMs: null,
  ulcerIndex: null,
};

/**
 * Drawdown metrics of `equity` (bar open times in `openTime`). Null without bars or when the first equity
 * is not positive (there is no peak to measure a fraction from). A drawdown episode starts at a bar that
 * set the peak and ends at the first bar whose equity is back at or above it.
 */
export const drawdownMetrics = (equity: Float64Array, openTime: Float64Array): DrawdownMetrics => {
  const n = equity.length;
  if (n === 0 || !(equity[0]! > 0)) return NO_DRAWDOWN_METRICS;
  let peak = equity[0]!;
  let peakIndex = 0;
  let underWater = false;
  let maxDrawdown = 0;
  let maxAmount = 0;
  // The deepest episode: its peak bar, and its end once it has recovered (-1 while it is still open).
  let deepestPeak = 0;
  let deepestEnd = 0;
  let longestBars = 0;
  let longestMs = 0;
  let sumSquares = 0;
  for (let i = 1; i < n; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      if (underWater) {
        underWater = false;
        if (deepestEnd === -1 && deepestPeak === peakIndex) deepestEnd = i;
        if (i - peakIndex > longestBars) {
          longestBars = i - peakIndex;
          longestMs = openTime[i]! - openTime[peakIndex]!;
        }
      }
      peak = e;
      peakIndex = i;
      continue;
    }
    underWater = true;
    const drawdown = 1 - e / peak;
    sumSquares += drawdown * drawdown;
    if (peak - e > maxAmount) maxAmount = peak - e;
    if (drawdown > maxDrawdown) {
      maxDrawdown = drawdown;
      deepestPeak = peakIndex;
      deepestEnd = -1;
    }
  }
  const last = n - 1;
  if (underWater && last - peakIndex > longestBars) {
    longestBars = last - peakIndex;
    longestMs = openTime[last]! - openTime[peakIndex]!;
  }
  if (deepestEnd === -1) deepestEnd = last;
  return {
    maxDrawdown: finiteOrNull(maxDrawdown),
    maxDrawdownAmount: finiteOrNull(maxAmount),
    maxDrawdownDurationBars: deepestEnd - deepestPeak,
    maxDrawdownDurationMs: finiteOrNull(openTime[deepestEnd]! - openTime[deepestPeak]!),
    longestDrawdownBars: longestBars,
    longestDrawdownMs: finiteOrNull(longestMs),
    ulcerIndex: finiteOrNull(Math.sqrt(sumSquares / n)),
  };
};

export interface DrawdownRatios {
  /** CAGR / max drawdown over the whole backtest. Null without a drawdown or a CAGR. */
  readonly calmar: Metric;
  /** Net profit / largest drawdown amount, both in the account currency. Null without a drawdown. */
  readonly recoveryFactor: Metric;
}

export const drawdownRatios = (cagr: Metric, netProfit: Metric, drawdowns: Pick<DrawdownMetrics, 'maxDrawdown' | 'maxDrawdownAmount'>): DrawdownRatios => ({
  calmar: cagr === null || drawdowns.maxDrawdown === null ? null : ratioOrNull(cagr, drawdowns.maxDrawdown),
  recoveryFactor: netProfit === null || drawdowns.maxDrawdownAmount === null ? null : ratioOrNull(netProfit, drawdowns.maxDrawdownAmount),
});
