// What a pair's recent candles say about it as a trading candidate: how much trades, how much it moves,
// how easily it is entered and left, and how strongly it trends. Pure: the caller passes the window.
import type { CandleSeries } from '../market/candles.js';

export interface CandidateMetrics {
  readonly symbol: string;
  /** Candles in the window. */
  readonly bars: number;
  /** Average traded value per day in the quote currency (quote volume, or volume × close where unknown). */
  readonly quoteVolumePerDay: number;
  /** Annualised standard deviation of per-bar log returns. */
  readonly volatility: number;
  /**
   * Liquidity: average order-book depth within ±1% of mid in the quote currency when snapshots exist;
   * otherwise the inverse of Amihud's illiquidity (traded value per 1% of absolute return), a standard proxy.
   */
  readonly liquidity: number;
  readonly liquiditySource: 'order_book' | 'amihud';
  /** Kaufman's efficiency ratio over the window, in [0, 1]: |net move| / sum of |bar moves|. 1 = a straight line. */
  readonly trendStrength: number;
}

/**
 * Metrics over candles [from, to) of `series` (indexes). `barsPerYear` annualises volatility
 * (8760 for 1h crypto bars). `depthQuote1pct` is the average ±1% depth when order-book snapshots are stored.
 */
export const candidateMetrics = (
  symbol: string,
  series: CandleSeries,
  range: { readonly from: number; readonly to: number },
  barsPerYear: number,
  barMs: number,
  depthQuote1pct?: number,
): CandidateMetrics | undefined => {
  const from = Math.max(0, range.from);
  const to = Math.min(series.length, range.to);
  const bars = to - from;
  if (bars < 2) return undefined;
  let value = 0;
  let sum = 0;
  let sumSq = 0;
  let absMoves = 0;
  let amihud = 0;
  let amihudBars = 0;
  for (let i = from; i < to; i++) {
    const close = series.close[i]!;
    const qv = series.quoteVolume[i]!;
    const traded = Number.isNaN(qv) ? series.volume[i]! * close : qv;
    value += traded;
    if (i > from) {
      const prev = series.close[i - 1]!;
      const r = Math.log(close / prev);
      sum += r;
      sumSq += r * r;
      absMoves += Math.abs(close - prev);
      if (traded > 0) {
        amihud += Math.abs(r) / traded;
        amihudBars++;
      }
    }
  }
  const n = bars - 1;
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  const days = (bars * barMs) / 86_400_000;
  const net = Math.abs(series.close[to - 1]! - series.close[from]!);
  const illiquidity = amihudBars > 0 ? amihud / amihudBars : 0;
  return {
    symbol,
    bars,
    quoteVolumePerDay: value / days,
    volatility: Math.sqrt(variance * barsPerYear),
    liquidity: depthQuote1pct ?? (illiquidity > 0 ? 0.01 / illiquidity : 0),
    liquiditySource: depthQuote1pct === undefined ? 'amihud' : 'order_book',
    trendStrength: absMoves > 0 ? net / absMoves : 0,
  };
};
