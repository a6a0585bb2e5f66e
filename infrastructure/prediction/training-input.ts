// Where the predictor's CLIs get candles and Fear & Greed: the platform's candle store (after `npm run import`) or a
// CSV file given with --file; and the BTCUSDC → BTCUSDT stand-in when the store lacks USDC history for the range.
import { existsSync } from 'node:fs';
import type { CandleStore } from '../../application/ports/candle-store.js';
import type { DailySeriesStore } from '../../application/ports/daily-series-store.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { FEAR_GREED } from '../../domain/market/daily-series.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { readCandleFile } from './candle-file.js';

export interface CandleChoice {
  readonly candles: CandleSeries;
  readonly requestedSymbol: string;
  /** Where they came from, and why (said in the output). */
  readonly note: string;
}

/** Stand-ins when a symbol's history is missing: BTCUSDC (listed 2023-03-12) → BTCUSDT. */
export const STAND_INS: Readonly<Record<string, string>> = { BTCUSDC: 'BTCUSDT' };

const dayRange = (c: CandleSeries) =>
  c.length === 0 ? 'none' : `${new Date(c.openTime[0]!).toISOString().slice(0, 16)}Z to ${new Date(c.openTime[c.length - 1]!).toISOString().slice(0, 16)}Z`;

export const chooseCandles = async (
  source: { readonly file?: string; readonly store: Pick<CandleStore, 'readSeries'> },
  want: { readonly exchange: string; readonly symbol: string; readonly from?: number; readonly to?: number; readonly minRows: number },
): Promise<CandleChoice | string> => {
  const range = { ...(want.from === undefined ? {} : { from: want.from }), ...(want.to === undefined ? {} : { to: want.to }) };
  if (source.file !== undefined) {
    if (!existsSync(source.file)) return `--file ${source.file}: no such file`;
    const read = await readCandleFile(source.file);
    if (typeof read === 'string') return read;
    const from = want.from ?? -Infinity;
    const to = want.to ?? Infinity;
    const keep: number[] = [];
    for (let i = 0; i < read.length; i++) if (read.openTime[i]! >= from && read.openTime[i]! < to) keep.push(i);
    const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
    const candles: CandleSeries = {
      key: read.key,
      length: keep.length,
      openTime: pick(read.openTime),
      open: pick(read.open),
      high: pick(read.high),
      low: pick(read.low),
      close: pick(read.close),
      volume: pick(read.volume),
      quoteVolume: pick(read.quoteVolume),
      trades: pick(read.trades),
    };
    return { candles, requestedSymbol: read.key.symbol, note: `${read.key.symbol} 1h from ${source.file}: ${candles.length} candles, ${dayRange(candles)}` };
  }
  const own = await source.store.readSeries({ exchange: want.exchange, symbol: want.symbol, interval: '1h' }, range);
  const standIn = STAND_INS[want.symbol];
  if (own.length >= want.minRows || standIn === undefined)
    return { candles: own, requestedSymbol: want.symbol, note: `${want.symbol} 1h from the candle store: ${own.length} candles, ${dayRange(own)}` };
  const other = await source.store.readSeries({ exchange: want.exchange, symbol: standIn, interval: '1h' }, range);
  return {
    candles: other,
    requestedSymbol: want.symbol,
    note:
      `${want.symbol} 1h has ${own.length} candles in the candle store for this range (at least ${want.minRows} needed): ` +
      `using ${standIn} instead, ${other.length} candles, ${dayRange(other)}`,
  };
};

export const fearGreedFrom = async (daily: Pick<DailySeriesStore, 'read'>): Promise<PublishedValues | undefined> => {
  const s = await daily.read(FEAR_GREED);
  return s.length === 0 ? undefined : { value: s.value, publishedAt: s.publishedAt };
};
