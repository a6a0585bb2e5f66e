// Real candles for the indicator tests and the indicator benchmark: a gzip CSV from ../shared/data parsed with zlib
// (read in place, never copied). Replace with the production CSV importer once it exists.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { emptySeries, type CandleSeries } from '../../domain/market/candles.js';
import { sharedDataFile } from '../support/shared-data.js';

const HEADER = 'open_time_ms,open,high,low,close,volume';

export const loadCandles = (file: string, symbol: string): CandleSeries => {
  const lines = gunzipSync(readFileSync(sharedDataFile(file)))
    .toString('utf8')
    .trim()
    .split('\n');
  if (!lines[0]!.startsWith(HEADER)) throw new Error(`${file}: unexpected header ${lines[0]}`);
  const s = emptySeries({ exchange: 'binance', symbol, interval: '1h' }, lines.length - 1);
  const fields = [s.openTime, s.open, s.high, s.low, s.close, s.volume];
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i]!.split(',');
    fields.forEach((f, j) => {
      const v = Number(cols[j]);
      if (!Number.isFinite(v)) throw new Error(`${file}:${i + 1}: bad value ${cols[j]}`);
      f[i - 1] = v;
    });
  }
  return s;
};

let btc: CandleSeries | undefined;
/** binance BTCUSDT 1h, 2021-04-04 to 2023-12-30: 23,987 candles. Loaded once per process. */
export const btcusdt1h = (): CandleSeries => (btc ??= loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT'));

/** The first k candles: what the backtester knows at the close of candle k−1 (views, no copies). */
export const truncate = (s: CandleSeries, k: number): CandleSeries => ({
  key: s.key,
  length: k,
  openTime: s.openTime.subarray(0, k),
  open: s.open.subarray(0, k),
  high: s.high.subarray(0, k),
  low: s.low.subarray(0, k),
  close: s.close.subarray(0, k),
  volume: s.volume.subarray(0, k),
  quoteVolume: s.quoteVolume.subarray(0, k),
  trades: s.trades.subarray(0, k),
});

/** |a − b| / max(|a|, |b|); 0 when both are the same number or both NaN, Infinity when only one is NaN. */
export const relErr = (a: number, b: number): number => {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
};

/** The largest relative error between two arrays, and where. */
export const maxRelErr = (a: ArrayLike<number>, b: ArrayLike<number>): { err: number; at: number } => {
  if (a.length !== b.length) return { err: Infinity, at: -1 };
  let err = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const e = relErr(a[i]!, b[i]!);
    if (e > err) {
      err = e;
      at = i;
    }
  }
  return { err, at };
};
