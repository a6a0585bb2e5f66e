// Missing candles in a series: a gap `after -> before (missing)` means the candle opening at `after` is
// followed directly by the one opening at `before`, with `missing` candles absent between them.
// Gaps are reported, never filled: a series with a gap is not contiguous.
import { INTERVAL_MS, type CandleSeries, type Interval } from './candles.js';

export interface Gap {
  readonly after: number;
  readonly before: number;
  readonly missing: number;
}

/** Which candle open times the market trades at; absent means around the clock (crypto). */
export type TradingSlots = (openTime: number) => boolean;

/**
 * Gaps in ascending open times on the interval's grid. With `tradingSlots`, only slots the market trades
 * at count as missing (a weekend is no gap for a weekday-only market).
 */
export const findGaps = (openTimes: ArrayLike<number>, interval: Interval, tradingSlots?: TradingSlots): Gap[] => {
  const step = INTERVAL_MS[interval];
  const gaps: Gap[] = [];
  for (let i = 1; i < openTimes.length; i++) {
    const after = openTimes[i - 1]!;
    const before = openTimes[i]!;
    if (before - after <= step) continue;
    let missing = Math.round((before - after) / step) - 1;
    if (tradingSlots) {
      missing = 0;
      for (let t = after + step; t < before; t += step) if (tradingSlots(t)) missing++;
    }
    if (missing > 0) gaps.push({ after, before, missing });
  }
  return gaps;
};

export const seriesGaps = (series: CandleSeries, tradingSlots?: TradingSlots): Gap[] =>
  findGaps(series.openTime.subarray(0, series.length), series.key.interval, tradingSlots);

export const missingCandles = (gaps: readonly Gap[]): number => gaps.reduce((n, g) => n + g.missing, 0);
