// The data a genome reads beyond its own candles (daily series, other symbols' candles, recorded predictions), and
// how each is laid onto the genome's bars without look-ahead. A signal at bar t is decided at t's close, so a value
// may reach bar t only if it was public by then; the rules below are stricter where the data's nature asks for it.
//
// Alignment rules (doc/operands.md):
// - Daily series (fear_greed, sp500, nasdaq, vix): the existing rule of domain/market/daily-features.ts — a bar gets
//   the most recent observation whose publication time (domain/market/publication-time.ts) is AT OR BEFORE THE BAR'S
//   OPEN; weekends and holidays carry the last value; a value older than DAILY_MAX_AGE_MS is unknown (NaN), so a
//   stopped import never stretches one reading over months. change/return over N days compare observation i with
//   observation i−N (N published observations: trading days for the indices) and are public when the later one is.
// - Another symbol's candles (same exchange and interval): its bar with the SAME OPEN TIME, which closes when ours
//   does. A bar it lacks is NaN (never filled from a neighbour). Indicators and returns are computed on its own
//   series first, then aligned; a return over N bars needs the bar exactly N intervals earlier, else NaN.
// - Predictions: a forecast made at madeAt is visible to a bar whose close (open + interval) is ≥ madeAt, and only
//   within its horizon (PREDICTION_HORIZON_MS: a 1-hour-ahead forecast says nothing two hours later): the bar takes
//   the latest forecast with close − horizon < madeAt ≤ close, else NaN.
//
// A genome that needs a source the data does not hold fails with OPERAND_DATA_MISSING naming the operand and the
// window; so does a backtest whose window has no value of a source at all (domain/backtest/engine.ts).
import type { PublishedValues } from '../market/daily-features.js';
import { alignDailyToCandles } from '../market/daily-features.js';
import { INTERVAL_MS, seriesRange, type CandleSeries } from '../market/candles.js';
import type { PredictionSeries } from '../prediction/prediction-series.js';
import type { DailyMeasure, DailyOperandSeries } from '../strategy/genome.js';

const DAY_MS = 86_400_000;
/** A daily value older than this at a bar's open is unknown (the longest market holiday run is 4 days). */
export const DAILY_MAX_AGE_MS = 7 * DAY_MS;
/** How long a forecast of the next hour stays the current one. */
export const PREDICTION_HORIZON_MS = 3_600_000;

/** Everything external a genome may read; only what its operands need must be there. */
export interface OperandData {
  /** Daily series in day order, each value with its publication time (epoch ms). */
  readonly daily?: Partial<Readonly<Record<DailyOperandSeries, PublishedValues>>>;
  /** Other symbols' candles, same exchange and interval as the genome's own. */
  readonly candles?: Readonly<Record<string, CandleSeries>>;
  /** Recorded predictions by model name. */
  readonly predictions?: Readonly<Record<string, PredictionSeries>>;
}

/** The external sources a genome needs (what the application must load). */
export interface OperandNeeds {
  readonly daily: readonly DailyOperandSeries[];
  readonly symbols: readonly string[];
  readonly models: readonly string[];
}

export const NO_NEEDS: OperandNeeds = { daily: [], symbols: [], models: [] };
export const needsNothing = (n: OperandNeeds): boolean => n.daily.length === 0 && n.symbols.length === 0 && n.models.length === 0;

/** A backtest or a runner asked for an operand whose data is not there. */
export class OperandDataError extends Error {
  override readonly name = 'OperandDataError';
  readonly code = 'OPERAND_DATA_MISSING' as const;
  constructor(
    /** The operand, e.g. `daily:fear_greed.level`, `BTCUSDT.return(24)`, `prediction:btc-1h.up_probability`. */
    readonly operand: string,
    /** The data behind it, e.g. `daily series fear_greed`, `candles of BTCUSDT`, `predictions of btc-1h`. */
    readonly source: string,
    /** The window [from, to) by open time, epoch ms. */
    readonly window: { readonly from: number; readonly to: number },
    detail = 'no value in the window',
  ) {
    super(`OPERAND_DATA_MISSING: ${operand} needs ${source}: ${detail} [${iso(window.from)}, ${iso(window.to)})`);
  }
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

// ---------------------------------------------------------------- derived daily values

/** A daily series' measure per observation, public when its later observation is. */
export const dailyMeasure = (values: PublishedValues, measure: DailyMeasure, days: number): PublishedValues => {
  if (measure === 'level') return values;
  const n = values.value.length;
  const value = new Float64Array(n);
  const publishedAt = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values.value[i]!;
    const p = i >= days ? values.value[i - days]! : NaN;
    value[i] = measure === 'change' ? v - p : p > 0 ? v / p - 1 : NaN;
    publishedAt[i] = i >= days ? Math.max(values.publishedAt[i]!, values.publishedAt[i - days]!) : values.publishedAt[i]!;
  }
  return { value, publishedAt };
};

/** Another series' close return over `bars` of its own bars; NaN unless the earlier bar is exactly `bars` intervals back. */
export const barReturns = (s: CandleSeries, bars: number): Float64Array => {
  const out = new Float64Array(s.length).fill(NaN);
  const span = bars * INTERVAL_MS[s.key.interval];
  for (let j = bars; j < s.length; j++)
    if (s.openTime[j]! - s.openTime[j - bars]! === span && s.close[j - bars]! > 0) out[j] = s.close[j]! / s.close[j - bars]! - 1;
  return out;
};

// ---------------------------------------------------------------- alignment

/** How external values reach the bars. One honest implementation; the look-ahead tests plant leaky ones. */
export interface OperandAligner {
  /** Daily values (already a measure) per bar, by open time. */
  daily(openTime: Float64Array, values: PublishedValues): Float64Array;
  /** `values` (one per bar of `other`) per bar of ours. */
  crossAsset(openTime: Float64Array, intervalMs: number, otherOpenTime: Float64Array, values: Float64Array): Float64Array;
  /** One forecast field per bar. */
  predictions(openTime: Float64Array, intervalMs: number, madeAt: Float64Array, values: Float64Array): Float64Array;
}

export const alignDaily = (openTime: Float64Array, values: PublishedValues): Float64Array =>
  alignDailyToCandles(openTime, values, { maxAgeMs: DAILY_MAX_AGE_MS });

/** By equal open times; both ascending. */
export const alignByOpenTime = (openTime: Float64Array, otherOpenTime: Float64Array, values: Float64Array): Float64Array => {
  const out = new Float64Array(openTime.length).fill(NaN);
  let j = 0;
  for (let t = 0; t < openTime.length; t++) {
    const time = openTime[t]!;
    while (j < otherOpenTime.length && otherOpenTime[j]! < time) j++;
    if (j < otherOpenTime.length && otherOpenTime[j] === time) out[t] = values[j]!;
  }
  return out;
};

/** The latest forecast with close − horizon < madeAt ≤ close; madeAt ascending. */
export const alignPredictions = (openTime: Float64Array, intervalMs: number, madeAt: Float64Array, values: Float64Array): Float64Array => {
  const out = new Float64Array(openTime.length).fill(NaN);
  let j = 0; // first forecast with madeAt > close
  for (let t = 0; t < openTime.length; t++) {
    const close = openTime[t]! + intervalMs;
    while (j < madeAt.length && madeAt[j]! <= close) j++;
    if (j > 0 && madeAt[j - 1]! > close - PREDICTION_HORIZON_MS) out[t] = values[j - 1]!;
  }
  return out;
};

export const HONEST_ALIGNER: OperandAligner = {
  daily: alignDaily,
  crossAsset: (openTime, _intervalMs, otherOpenTime, values) => alignByOpenTime(openTime, otherOpenTime, values),
  predictions: alignPredictions,
};

// ---------------------------------------------------------------- truncation (the look-ahead check)

const keepPublished = (v: PublishedValues, cutMs: number): PublishedValues => {
  const keep: number[] = [];
  for (let i = 0; i < v.value.length; i++) if (v.publishedAt[i]! <= cutMs) keep.push(i);
  return { value: Float64Array.from(keep, (i) => v.value[i]!), publishedAt: Float64Array.from(keep, (i) => v.publishedAt[i]!) };
};

const candlesUpTo = (s: CandleSeries, lastOpen: number): CandleSeries => {
  let k = 0;
  while (k < s.length && s.openTime[k]! <= lastOpen) k++;
  return seriesRange(s, 0, k);
};

/**
 * What was known at the close of the bar opening at `lastOpen` (interval `intervalMs`): daily values published by
 * then, the other symbols' bars up to the same open time, forecasts made by then.
 */
export const truncateOperandData = (data: OperandData, lastOpen: number, intervalMs: number): OperandData => {
  const cutMs = lastOpen + intervalMs;
  const daily: Partial<Record<DailyOperandSeries, PublishedValues>> = {};
  for (const [k, v] of Object.entries(data.daily ?? {}) as [DailyOperandSeries, PublishedValues][]) daily[k] = keepPublished(v, cutMs);
  const candles: Record<string, CandleSeries> = {};
  for (const [k, s] of Object.entries(data.candles ?? {})) candles[k] = candlesUpTo(s, lastOpen);
  const predictions: Record<string, PredictionSeries> = {};
  for (const [k, p] of Object.entries(data.predictions ?? {})) {
    let n = 0;
    while (n < p.madeAt.length && p.madeAt[n]! <= cutMs) n++;
    predictions[k] = {
      model: p.model,
      madeAt: p.madeAt.subarray(0, n),
      expectedReturn: p.expectedReturn.subarray(0, n),
      upProbability: p.upProbability.subarray(0, n),
    };
  }
  return { daily, candles, predictions };
};
