// Candles as the backtester wants them: one typed array per field, index i = the i-th candle in time.
import type { Timeframe } from '../strategy/genome.js';

export type Interval = Timeframe;
export const INTERVALS: readonly Interval[] = ['1m', '5m', '15m', '1h', '4h', '1d'];

export const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '1h': 3_600_000,
  '4h': 14_400_000,
  '1d': 86_400_000,
};

/** Which series: exchange id (ccxt's, e.g. `binance`), pair without separator (`BTCUSDT`), interval. */
export interface SeriesKey {
  readonly exchange: string;
  readonly symbol: string;
  readonly interval: Interval;
}

export const seriesKeyString = (k: SeriesKey): string => `${k.exchange}:${k.symbol}:${k.interval}`;

/** One candle, as parsed from a source before it is stored. Times are UTC epoch milliseconds of the open. */
export interface Candle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Volume in the quote asset, when the source has it. */
  readonly quoteVolume?: number;
  readonly trades?: number;
}

/** Two candles with the same prices, volumes and trade count (their open times are compared by the caller). */
export const sameCandleValues = (a: Candle, b: Candle): boolean =>
  a.open === b.open &&
  a.high === b.high &&
  a.low === b.low &&
  a.close === b.close &&
  a.volume === b.volume &&
  a.quoteVolume === b.quoteVolume &&
  a.trades === b.trades;

/** Columnar candles: every array has `length` entries; quoteVolume and trades are NaN where unknown. */
export interface CandleSeries {
  readonly key: SeriesKey;
  readonly length: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly quoteVolume: Float64Array;
  readonly trades: Float64Array;
}

/**
 * Bars [a, b) of a series: views over its arrays (no copy; a prefix is what the look-ahead check and the runner cut),
 * or with `copy` arrays of their own (a model or a cache that must keep nothing of the caller's).
 */
export const seriesRange = (s: CandleSeries, a: number, b: number, mode: 'view' | 'copy' = 'view'): CandleSeries => {
  const cut = (x: Float64Array) => (mode === 'copy' ? x.slice(a, b) : x.subarray(a, b));
  return {
    key: s.key,
    length: b - a,
    openTime: cut(s.openTime),
    open: cut(s.open),
    high: cut(s.high),
    low: cut(s.low),
    close: cut(s.close),
    volume: cut(s.volume),
    quoteVolume: cut(s.quoteVolume),
    trades: cut(s.trades),
  };
};

export const emptySeries = (key: SeriesKey, length: number): CandleSeries => ({
  key,
  length,
  openTime: new Float64Array(length),
  open: new Float64Array(length),
  high: new Float64Array(length),
  low: new Float64Array(length),
  close: new Float64Array(length),
  volume: new Float64Array(length),
  quoteVolume: new Float64Array(length).fill(NaN),
  trades: new Float64Array(length).fill(NaN),
});
