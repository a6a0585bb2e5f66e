// Daily series (Fear & Greed, index closes, social sentiment) laid onto candles of any interval without look-ahead.
//
// Rule: a candle gets the most recent observation (by day) whose publication time is AT OR BEFORE THE CANDLE'S OPEN.
// Why the open and not the close: the value is then known for the whole life of the candle, so it is safe whether a
// strategy decides at the open or at the close, and the rule needs no interval (gaps in the candles do not matter).
// The cost is at most one candle of delay, e.g. a 1d candle opening 00:00 UTC does not see that day's S&P close.
// Weekends and holidays carry the last value forward; before the first publication the value is NaN.
import type { DailySeries } from './daily-series.js';

/** What alignment needs of a series: entries in day order, each with its value and publication time (epoch ms). */
export interface PublishedValues {
  readonly value: ArrayLike<number>;
  readonly publishedAt: ArrayLike<number>;
}

export interface AlignOptions {
  /** A value published longer than this before the candle's open is treated as unknown (NaN). Default: no limit. */
  readonly maxAgeMs?: number;
}

/**
 * For each candle open time, the index of the observation the candle may use, or -1 when none was published yet
 * (or the last one is older than `maxAgeMs`). Open times may come in any order.
 */
export const alignedIndices = (openTimes: ArrayLike<number>, series: PublishedValues, options: AlignOptions = {}): Int32Array => {
  const n = series.value.length;
  if (series.publishedAt.length !== n) throw new RangeError(`series has ${n} values but ${series.publishedAt.length} publication times`);
  const maxAge = options.maxAgeMs ?? Infinity;

  // Entries by publication time; `best[k]` = the latest day (highest index) among the first k+1 published,
  // so a late-published older day never displaces a newer day already known.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => series.publishedAt[a]! - series.publishedAt[b]! || a - b);
  const times = new Float64Array(n);
  const best = new Int32Array(n);
  let runningBest = -1;
  order.forEach((idx, k) => {
    times[k] = series.publishedAt[idx]!;
    runningBest = Math.max(runningBest, idx);
    best[k] = runningBest;
  });

  const out = new Int32Array(openTimes.length);
  for (let c = 0; c < openTimes.length; c++) {
    const t = openTimes[c]!;
    // Last k with times[k] <= t.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const idx = lo === 0 ? -1 : best[lo - 1]!;
    out[c] = idx >= 0 && t - series.publishedAt[idx]! <= maxAge ? idx : -1;
  }
  return out;
};

/** The series' values aligned to the candles (see the rule at the top): NaN where nothing was public yet. */
export const alignDailyToCandles = (openTimes: ArrayLike<number>, series: PublishedValues, options: AlignOptions = {}): Float64Array => {
  const idx = alignedIndices(openTimes, series, options);
  const out = new Float64Array(idx.length);
  for (let c = 0; c < idx.length; c++) out[c] = idx[c]! < 0 ? NaN : series.value[idx[c]!]!;
  return out;
};

/** Convenience for a stored series: its values, or its volumes (`field: 'volume'`, social mentions). */
export const alignSeriesToCandles = (
  openTimes: ArrayLike<number>,
  series: DailySeries,
  field: 'value' | 'volume' = 'value',
  options: AlignOptions = {},
): Float64Array => alignDailyToCandles(openTimes, { value: series[field], publishedAt: series.publishedAt }, options);
