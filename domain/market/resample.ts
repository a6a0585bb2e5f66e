// Candles of a longer interval built from a shorter one (1m → 5m/15m/1h/4h/1d, 1h → 4h/1d, …): open = first
// open, high = max, low = min, close = last close, volume, quote volume and trades = sums. Buckets are aligned
// to UTC epoch multiples of the target interval (4h buckets open at 00, 04, … UTC; 1d at 00:00 UTC).
//
// Incomplete buckets are KEPT AND FLAGGED, not dropped: `complete[i]` is 1 only when the bucket holds every
// source candle it should and (given `asOf`) has closed. A bucket with a gap inside, the partial first bucket
// of a series and the still-open last one are all 0. A chart can show them as such; a backtest or indicator
// takes `completeOnly(...)`, which drops them (the dropped buckets then show up as gaps, as they should).
// Quote volume and trades stay NaN (unknown) in a bucket where any source candle lacks them.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { INTERVAL_MS, emptySeries, type CandleSeries, type Interval } from './candles.js';

export interface ResampledSeries extends CandleSeries {
  /** 1 where the bucket holds all `perBucket` source candles and is closed; 0 where it is incomplete. */
  readonly complete: Uint8Array;
  /** How many source candles each bucket holds. */
  readonly sources: Uint32Array;
  /** How many source candles a complete bucket holds (target / source interval). */
  readonly perBucket: number;
}

export interface ResampleOptions {
  /** The present, epoch ms: a bucket that closes after it is still open, hence incomplete. */
  readonly asOf?: number;
}

/** Whether `from` candles fit a whole number of times into `to` candles. */
export const canResample = (from: Interval, to: Interval): boolean => INTERVAL_MS[to] > INTERVAL_MS[from] && INTERVAL_MS[to] % INTERVAL_MS[from] === 0;

export const resample = (series: CandleSeries, target: Interval, options: ResampleOptions = {}): Either<string, ResampledSeries> => {
  const from = series.key.interval;
  if (!canResample(from, target)) return either.left(`cannot resample ${from} candles into ${target} candles`);
  const step = INTERVAL_MS[from];
  const size = INTERVAL_MS[target];
  const n = series.length;
  const t = series.openTime;

  // First pass: check the source is ascending and on its grid, and count the buckets.
  let buckets = 0;
  let bucket = -Infinity;
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    if (ti % step !== 0) return either.left(`candle ${i} opens at ${new Date(ti).toISOString()}, off the ${from} grid`);
    if (i > 0 && ti <= t[i - 1]!) return either.left(`candle ${i} opens at ${new Date(ti).toISOString()}, not after the candle before it`);
    const b = ti - (ti % size);
    if (b !== bucket) {
      buckets++;
      bucket = b;
    }
  }

  const out = emptySeries({ ...series.key, interval: target }, buckets);
  const complete = new Uint8Array(buckets);
  const sources = new Uint32Array(buckets);
  const perBucket = size / step;
  let j = -1;
  bucket = -Infinity;
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    const b = ti - (ti % size);
    if (b !== bucket) {
      j++;
      bucket = b;
      out.openTime[j] = b;
      out.open[j] = series.open[i]!;
      out.high[j] = series.high[i]!;
      out.low[j] = series.low[i]!;
      out.volume[j] = 0;
      out.quoteVolume[j] = 0;
      out.trades[j] = 0;
    } else {
      if (series.high[i]! > out.high[j]!) out.high[j] = series.high[i]!;
      if (series.low[i]! < out.low[j]!) out.low[j] = series.low[i]!;
    }
    out.close[j] = series.close[i]!;
    out.volume[j] = out.volume[j]! + series.volume[i]!;
    out.quoteVolume[j] = out.quoteVolume[j]! + series.quoteVolume[i]!;
    out.trades[j] = out.trades[j]! + series.trades[i]!;
    sources[j] = sources[j]! + 1;
  }
  const asOf = options.asOf ?? Infinity;
  for (let k = 0; k < buckets; k++) complete[k] = sources[k] === perBucket && out.openTime[k]! + size <= asOf ? 1 : 0;
  return either.right({ ...out, complete, sources, perBucket });
};

/** The complete buckets only: what a backtest or an indicator may use. */
export const completeOnly = (r: ResampledSeries): CandleSeries => {
  let count = 0;
  for (let k = 0; k < r.length; k++) count += r.complete[k]!;
  const out = emptySeries(r.key, count);
  let j = 0;
  for (let k = 0; k < r.length; k++) {
    if (r.complete[k] !== 1) continue;
    out.openTime[j] = r.openTime[k]!;
    out.open[j] = r.open[k]!;
    out.high[j] = r.high[k]!;
    out.low[j] = r.low[k]!;
    out.close[j] = r.close[k]!;
    out.volume[j] = r.volume[k]!;
    out.quoteVolume[j] = r.quoteVolume[k]!;
    out.trades[j] = r.trades[k]!;
    j++;
  }
  return out;
};
