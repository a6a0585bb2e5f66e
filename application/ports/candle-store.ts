// Where candles are kept: bulk writes that never replace a stored candle with a worse one,
// and reads straight into columnar typed arrays.
import type { Candle, CandleSeries, SeriesKey } from '../../domain/market/candles.js';

export interface CandleWriteResult {
  readonly inserted: number;
  /** Rows already stored with the same values (idempotent re-import). */
  readonly unchanged: number;
  /** Stored rows completed with fields they lacked (e.g. quote volume). */
  readonly completed: number;
  /** Rows that disagree with a stored candle: the stored one is kept, and the disagreement reported. */
  readonly conflicts: readonly { readonly openTime: number; readonly reason: string }[];
}

export interface CandleWriteOptions {
  /** Provenance kept with newly inserted rows, e.g. `csv:binance_BTCUSDT_1h.csv.gz` or `ccxt:binance`. */
  readonly source?: string;
}

export interface CandleStore {
  /** Candles must be valid (domain/market/candle-validation.ts); an invalid one fails the whole write before anything is stored. */
  writeCandles(key: SeriesKey, candles: readonly Candle[], options?: CandleWriteOptions): Promise<CandleWriteResult>;
  /** Candles with from <= openTime < to, in time order. */
  readSeries(key: SeriesKey, range?: { readonly from?: number; readonly to?: number }): Promise<CandleSeries>;
  /** Open time of the first and last stored candle, or undefined when none is stored. */
  bounds(key: SeriesKey): Promise<{ readonly first: number; readonly last: number; readonly count: number } | undefined>;
  /** Every stored series with its bounds. */
  listSeries(): Promise<readonly (SeriesKey & { readonly first: number; readonly last: number; readonly count: number })[]>;
  /**
   * Retention: keeps, per series of the interval, the candles within `keepMs` of that series' newest candle
   * (so live series keep their recent window and an imported historical set is not wiped out). Returns how many were deleted.
   */
  trimSeries(interval: SeriesKey['interval'], keepMs: number): Promise<number>;
  /** Deletes candles older than `before` for the interval; returns how many. */
  deleteBefore(interval: SeriesKey['interval'], before: number): Promise<number>;
}
