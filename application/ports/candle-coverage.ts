// What is stored, without loading it: the API asks before it accepts a backtest whether the exchange and each
// symbol have candles and whether the period lies inside them (domain/backtest/request-limits.ts).
import type { SeriesKey } from '../../domain/market/candles.js';

export interface SeriesCoverage {
  /** Open time of the first and the last stored candle of the series. */
  readonly first: number;
  readonly last: number;
  /** Stored candles with from <= openTime < to. */
  readonly inPeriod: number;
}

export interface CandleCoverage {
  /** The series' stored span and its candles in [from, to); undefined when the series has no candle. */
  coverage(key: SeriesKey, period: { readonly from: number; readonly to: number }): Promise<SeriesCoverage | undefined>;
  /** Whether any candle of this exchange is stored. */
  hasExchange(exchange: string): Promise<boolean>;
}
