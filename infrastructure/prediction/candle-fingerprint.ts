// The data fingerprint a ModelTrained carries: which candles trained it, and a sha256 over them, so a model can be
// traced to (and retrained from) exactly its data.
import { createHash } from 'node:crypto';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { DataFingerprint } from '../../domain/prediction/events.js';

/** sha256 over open time, open, high, low, close, volume of every candle as little-endian float64, in time order. */
export const candlesSha256 = (c: CandleSeries): string => {
  const hash = createHash('sha256');
  const row = new Float64Array(6);
  const bytes = new Uint8Array(row.buffer);
  for (let i = 0; i < c.length; i++) {
    row[0] = c.openTime[i]!;
    row[1] = c.open[i]!;
    row[2] = c.high[i]!;
    row[3] = c.low[i]!;
    row[4] = c.close[i]!;
    row[5] = c.volume[i]!;
    hash.update(bytes);
  }
  return hash.digest('hex');
};

export const candleFingerprint = (c: CandleSeries, requestedSymbol: string): DataFingerprint => {
  if (c.length === 0) throw new RangeError('no candles to fingerprint');
  return {
    exchange: c.key.exchange,
    symbol: c.key.symbol,
    requestedSymbol,
    timeframe: '1h',
    firstCandle: new Date(c.openTime[0]!).toISOString(),
    lastCandle: new Date(c.openTime[c.length - 1]!).toISOString(),
    rows: c.length,
    sha256: candlesSha256(c),
  } as DataFingerprint;
};
