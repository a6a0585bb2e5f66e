// Real candle files read the plain way (gunzip, split, Number), independent of the CSV reader under test,
// and the facts ../shared/data/README.md states about them.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Candle, CandleSeries, Interval, SeriesKey } from '../../domain/market/candles.js';
import { HOURLY_PAIRS_SINCE_2021_04, sharedDataFile } from '../support/shared-data.js';

export const loadSeries = (fileName: string, key: SeriesKey): CandleSeries => {
  const lines = gunzipSync(readFileSync(sharedDataFile(fileName)))
    .toString('utf8')
    .trim()
    .split('\n');
  const header = lines[0]!.trim().split(',');
  const col = (name: string) => header.indexOf(name);
  const rows = lines.slice(1).map((l) => l.trim().split(','));
  const n = rows.length;
  const arr = (name: string) => {
    const i = col(name);
    return Float64Array.from(rows, (r) => (i < 0 || r[i] === '' ? NaN : Number(r[i])));
  };
  return {
    key,
    length: n,
    openTime: arr('open_time_ms'),
    open: arr('open'),
    high: arr('high'),
    low: arr('low'),
    close: arr('close'),
    volume: arr('volume'),
    quoteVolume: arr('quote_volume'),
    trades: arr('trades'),
  };
};

export const toCandles = (s: CandleSeries): Candle[] =>
  Array.from({ length: s.length }, (_, i) => ({
    openTime: s.openTime[i]!,
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close: s.close[i]!,
    volume: s.volume[i]!,
    ...(Number.isNaN(s.quoteVolume[i]!) ? {} : { quoteVolume: s.quoteVolume[i]! }),
    ...(Number.isNaN(s.trades[i]!) ? {} : { trades: s.trades[i]! }),
  }));

export const binanceKey = (symbol: string, interval: Interval): SeriesKey => ({ exchange: 'binance', symbol, interval });

/** The hourly files of ../shared/data/README.md: rows, gaps, missing candles. */
export const HOURLY: readonly { readonly symbol: string; readonly rows: number; readonly gaps: number; readonly missing: number }[] = [
  // The README's table: the 19 pairs since 2021-04 share 5 outage gaps (12 candles); ETHUSDT has one more row.
  ...HOURLY_PAIRS_SINCE_2021_04.map((symbol) => ({ symbol, rows: symbol === 'ETHUSDT' ? 23988 : 23987, gaps: 5, missing: 12 })),
  { symbol: 'SHIBUSDT', rows: 23138, gaps: 3, missing: 7 },
  { symbol: 'OPUSDT', rows: 13860, gaps: 1, missing: 1 },
  { symbol: 'APTUSDT', rows: 10507, gaps: 1, missing: 1 },
  { symbol: 'ARBUSDT', rows: 6773, gaps: 1, missing: 1 },
  { symbol: 'BTCUSDC', rows: 21355, gaps: 1, missing: 1 },
];

export const hourlyFile = (symbol: string) => `binance_${symbol}_1h.csv.gz`;

const h = (iso: string) => Date.parse(iso);
/** The Binance-wide outages every pair listed since 2021-04 shares (README, section 1). */
export const OUTAGE_GAPS = [
  { after: h('2021-04-20T01:00Z'), before: h('2021-04-20T04:00Z'), missing: 2 },
  { after: h('2021-04-25T04:00Z'), before: h('2021-04-25T08:00Z'), missing: 3 },
  { after: h('2021-08-13T01:00Z'), before: h('2021-08-13T06:00Z'), missing: 4 },
  { after: h('2021-09-29T06:00Z'), before: h('2021-09-29T09:00Z'), missing: 2 },
  { after: h('2023-03-24T12:00Z'), before: h('2023-03-24T14:00Z'), missing: 1 },
];

/** A series made of the given candles (tests build small ones by hand). */
export const seriesOf = (key: SeriesKey, candles: readonly Candle[]): CandleSeries => ({
  key,
  length: candles.length,
  openTime: Float64Array.from(candles, (c) => c.openTime),
  open: Float64Array.from(candles, (c) => c.open),
  high: Float64Array.from(candles, (c) => c.high),
  low: Float64Array.from(candles, (c) => c.low),
  close: Float64Array.from(candles, (c) => c.close),
  volume: Float64Array.from(candles, (c) => c.volume),
  quoteVolume: Float64Array.from(candles, (c) => c.quoteVolume ?? NaN),
  trades: Float64Array.from(candles, (c) => c.trades ?? NaN),
});
