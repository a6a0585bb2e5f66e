// The predictor's features: one row per hourly candle, known at that candle's close (row i uses candles 0..i only,
// and Fear & Greed as domain/market/daily-features.ts aligns it to the candle's open), and the target of a row: the
// next hour's SIMPLE return close[i+1]/close[i] − 1 (the unit PredictionSeries.expectedReturn is in).
//
// 4 price/volume features, 17 catalog indicators (each made scale-free: a ratio to the close or a bounded oscillator),
// and Fear & Greed with a flag saying whether it was known. Before the index's first value (and when its last value is
// older than FEAR_GREED_MAX_AGE_MS) the value is 0 (neutral, (50−50)/50) and the flag 0: a model sees "unknown", never
// a stale or invented reading. Warm-up rows (and any row where a formula divided by zero) are not finite: the window
// builder (windows.ts) drops every window that touches one and says how many.
import { computeIndicatorSync } from '../indicators/compute.js';
import type { IndicatorName } from '../indicators/catalog.js';
import type { IndicatorParams } from '../indicators/params.js';
import type { CandleSeries } from '../market/candles.js';
import { alignDailyToCandles, type PublishedValues } from '../market/daily-features.js';

/** A reading older than this is treated as unknown (the index is daily: three missed days means the feed stopped). */
export const FEAR_GREED_MAX_AGE_MS = 3 * 86_400_000;

export interface FeatureMatrix {
  readonly names: readonly string[];
  /** Rows (one per candle) × names.length, row-major; NaN where a value is not defined (warm-up). */
  readonly values: Float64Array;
  readonly rows: number;
  /** The candle's open time of each row. */
  readonly openTime: Float64Array;
  /** The next hour's simple return of each row; NaN for the last row (not known yet). */
  readonly target: Float64Array;
  /** Rows with a known Fear & Greed value. */
  readonly fearGreedRows: number;
}

interface IndicatorFeature {
  readonly name: string;
  readonly indicator: IndicatorName;
  readonly params: IndicatorParams;
  /** Turns the indicator's outputs at row i into a scale-free number. */
  readonly value: (out: Readonly<Record<string, Float64Array>>, close: number, i: number) => number;
}

const ratio = (output: string) => (out: Readonly<Record<string, Float64Array>>, close: number, i: number) => out[output]![i]! / close - 1;
const raw = (output: string) => (out: Readonly<Record<string, Float64Array>>, _close: number, i: number) => out[output]![i]!;
const scaled = (output: string, by: number) => (out: Readonly<Record<string, Float64Array>>, close: number, i: number) => out[output]![i]! / (by * close);

/** 17 of the catalog's 19 indicators (wma and dema add nothing sma, ema and tema do not). */
export const INDICATOR_FEATURES: readonly IndicatorFeature[] = [
  { name: 'rsi_14', indicator: 'rsi', params: { period: 14 }, value: raw('value') },
  { name: 'macd_hist', indicator: 'macd', params: { short: 12, long: 26, signal: 9 }, value: scaled('histogram', 1) },
  {
    name: 'bbands_pct_b',
    indicator: 'bbands',
    params: { period: 20, stddev: 2 },
    value: (out, close, i) => {
      const width = out['upper']![i]! - out['lower']![i]!;
      return width > 0 ? (close - out['lower']![i]!) / width : 0.5;
    },
  },
  { name: 'atr_14', indicator: 'atr', params: { period: 14 }, value: scaled('value', 1) },
  { name: 'adx_14', indicator: 'adx', params: { period: 14 }, value: raw('value') },
  { name: 'stoch_k', indicator: 'stoch', params: { k: 14, kslow: 3, d: 3 }, value: raw('k') },
  { name: 'cci_20', indicator: 'cci', params: { period: 20 }, value: raw('value') },
  { name: 'mfi_14', indicator: 'mfi', params: { period: 14 }, value: raw('value') },
  { name: 'willr_14', indicator: 'willr', params: { period: 14 }, value: raw('value') },
  { name: 'roc_24', indicator: 'roc', params: { period: 24 }, value: raw('value') },
  { name: 'sma_20', indicator: 'sma', params: { period: 20 }, value: ratio('value') },
  { name: 'ema_50', indicator: 'ema', params: { period: 50 }, value: ratio('value') },
  { name: 'tema_20', indicator: 'tema', params: { period: 20 }, value: ratio('value') },
  { name: 'vwma_20', indicator: 'vwma', params: { period: 20 }, value: ratio('value') },
  { name: 'vwap_24', indicator: 'vwap', params: { period: 24 }, value: ratio('value') },
  { name: 'stddev_20', indicator: 'stddev', params: { period: 20 }, value: scaled('value', 1) },
  {
    // OBV is a running sum from the series' start: its level depends on where the history begins, its 24-hour change
    // over the 24-hour volume does not.
    name: 'obv_change_24',
    indicator: 'obv',
    params: {},
    value: (out, _close, i) => (i < 24 ? NaN : out['value']![i]! - out['value']![i - 24]!),
  },
];

export const PRICE_FEATURES = ['return_1h', 'range_hl', 'body_oc', 'volume_change'] as const;
export const FEATURE_NAMES: readonly string[] = [...PRICE_FEATURES, ...INDICATOR_FEATURES.map((f) => f.name), 'fear_greed', 'fear_greed_known'];

/** Volume over the last 24 hours (to put OBV's change on the volume's scale). */
const volume24 = (volume: Float64Array, i: number): number => {
  let s = 0;
  for (let k = Math.max(0, i - 23); k <= i; k++) s += volume[k]!;
  return s;
};

/**
 * The feature rows of `candles` (hourly, in time order). `fearGreed`: the index's values and publication times
 * (domain/market/daily-series.ts), or undefined when none is stored (then every row has the flag 0).
 */
export const buildFeatures = (candles: CandleSeries, fearGreed?: PublishedValues): FeatureMatrix => {
  const n = candles.length;
  const F = FEATURE_NAMES.length;
  const values = new Float64Array(n * F).fill(NaN);
  const { open, high, low, close, volume } = candles;
  for (let i = 0; i < n; i++) {
    const row = i * F;
    if (i > 0) {
      values[row] = close[i]! / close[i - 1]! - 1;
      values[row + 3] = Math.log1p(volume[i]!) - Math.log1p(volume[i - 1]!);
    }
    values[row + 1] = (high[i]! - low[i]!) / close[i]!;
    values[row + 2] = close[i]! / open[i]! - 1;
  }
  INDICATOR_FEATURES.forEach((f, j) => {
    const col = PRICE_FEATURES.length + j;
    const r = computeIndicatorSync(candles, f.indicator, f.params);
    for (let i = r.firstValid; i < n; i++) {
      let v = f.value(r.outputs, close[i]!, i);
      if (f.indicator === 'obv') v /= volume24(volume, i) || NaN;
      values[i * F + col] = v;
    }
  });
  const fg = fearGreed === undefined ? undefined : alignDailyToCandles(candles.openTime, fearGreed, { maxAgeMs: FEAR_GREED_MAX_AGE_MS });
  let fearGreedRows = 0;
  for (let i = 0; i < n; i++) {
    const v = fg?.[i] ?? NaN;
    const known = Number.isFinite(v);
    if (known) fearGreedRows++;
    values[i * F + F - 2] = known ? (v - 50) / 50 : 0;
    values[i * F + F - 1] = known ? 1 : 0;
  }
  const target = new Float64Array(n).fill(NaN);
  for (let i = 0; i + 1 < n; i++) target[i] = close[i + 1]! / close[i]! - 1;
  return { names: FEATURE_NAMES, values, rows: n, openTime: candles.openTime.slice(0, n), target, fearGreedRows };
};
