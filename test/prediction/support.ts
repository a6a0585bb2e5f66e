// Real data for the predictor's tests: BTCUSDT / BTCUSDC hourly candles and the Fear & Greed index from ../shared/data,
// read in place; and a few helpers (a slice of the candles, a quiet log).
import { either } from 'fp-ts';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { parseSentimentFile } from '../../infrastructure/market-data/sentiment-files.js';
import { loadCandles } from '../indicators/real-candles.js';
import { sharedDataFile } from '../support/shared-data.js';

let usdt: CandleSeries | undefined;
let usdc: CandleSeries | undefined;
/** binance BTCUSDT 1h, 2021-04-04 to 2023-12-30 (23,987 candles, 5 gaps). */
export const btcusdt = (): CandleSeries => (usdt ??= loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT'));
/** binance BTCUSDC 1h, 2023-03-12 to 2025-08-18 (21,355 candles). */
export const btcusdc = (): CandleSeries => (usdc ??= loadCandles('binance_BTCUSDC_1h.csv.gz', 'BTCUSDC'));

let fg: PublishedValues | undefined;
/** Alternative.me Fear & Greed, 2018-02-01 to 2025-05-02, with publication times (00:00 UTC of the day). */
export const fearGreed = async (): Promise<PublishedValues> => {
  if (fg) return fg;
  const r = await parseSentimentFile(sharedDataFile('fear_greed_index_daily.csv.gz'));
  if (either.isLeft(r)) throw new Error(r.left.message);
  const obs = r.right.observations;
  fg = { value: Float64Array.from(obs, (o) => o.value), publishedAt: Float64Array.from(obs, (o) => o.publishedAt) };
  return fg;
};

/** Candles [a, b) of a series (copies). */
export const slice = (c: CandleSeries, a: number, b: number): CandleSeries => seriesRange(c, a, b, 'copy');

export interface LogLine {
  readonly level: 'warn' | 'info';
  readonly obj: object;
  readonly msg?: string;
}
export const memoryLog = () => {
  const lines: LogLine[] = [];
  return {
    lines,
    warn: (obj: object, msg?: string) => void lines.push({ level: 'warn', obj, ...(msg === undefined ? {} : { msg }) }),
    info: (obj: object, msg?: string) => void lines.push({ level: 'info', obj, ...(msg === undefined ? {} : { msg }) }),
  };
};

export const HOUR = 3_600_000;
