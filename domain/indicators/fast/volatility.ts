// Volatility measures straight on Float64Array: standard deviation, Bollinger bands, average true range.
// Same arithmetic as tulip indicators (running sums, Wilder smoothing), so they match tulind to rounding.
// One deliberate difference: a window whose rounded variance comes out negative (a flat window, e.g. two equal
// closes) gives a deviation of 0 here; tulip gives NaN bands and a negative "deviation". compute.ts applies the
// same fix to tulind's output, so both engines agree.
import { prepare } from './moving-averages.js';

export const stddevStart = (period: number): number => period - 1;

/** Population standard deviation over `period` candles. */
export function stddev(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, stddevStart(period))) return out;
  const scale = 1 / period;
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < period; i++) {
    sum += input[i]!;
    sum2 += input[i]! * input[i]!;
  }
  let v = sum2 * scale - sum * scale * (sum * scale);
  out[period - 1] = v > 0 ? Math.sqrt(v) : 0;
  for (let i = period; i < n; i++) {
    const x = input[i]!;
    const old = input[i - period]!;
    sum += x;
    sum2 += x * x;
    sum -= old;
    sum2 -= old * old;
    v = sum2 * scale - sum * scale * (sum * scale);
    out[i] = v > 0 ? Math.sqrt(v) : 0;
  }
  return out;
}

export const bbandsStart = (period: number): number => period - 1;

/** Bollinger bands: SMA(period) ± k · population standard deviation. */
export function bbands(
  input: Float64Array,
  period: number,
  k: number,
  lower: Float64Array = new Float64Array(input.length),
  middle: Float64Array = new Float64Array(input.length),
  upper: Float64Array = new Float64Array(input.length),
): void {
  const n = input.length;
  const start = bbandsStart(period);
  prepare(n, middle, start);
  prepare(n, upper, start);
  if (!prepare(n, lower, start)) return;
  const scale = 1 / period;
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < period; i++) {
    sum += input[i]!;
    sum2 += input[i]! * input[i]!;
  }
  let v = sum2 * scale - sum * scale * (sum * scale);
  let sd = v > 0 ? Math.sqrt(v) : 0;
  let mid = sum * scale;
  middle[start] = mid;
  lower[start] = mid - k * sd;
  upper[start] = mid + k * sd;
  for (let i = period; i < n; i++) {
    const x = input[i]!;
    const old = input[i - period]!;
    sum += x;
    sum2 += x * x;
    sum -= old;
    sum2 -= old * old;
    v = sum2 * scale - sum * scale * (sum * scale);
    sd = v > 0 ? Math.sqrt(v) : 0;
    mid = sum * scale;
    middle[i] = mid;
    upper[i] = mid + k * sd;
    lower[i] = mid - k * sd;
  }
}

/** True range of candle i ≥ 1: the widest of high−low and the gaps to the previous close. */
export const trueRange = (high: Float64Array, low: Float64Array, close: Float64Array, i: number): number => {
  const h = high[i]!;
  const l = low[i]!;
  const c = close[i - 1]!;
  const ych = Math.abs(h - c);
  const ycl = Math.abs(l - c);
  let v = h - l;
  if (ych > v) v = ych;
  if (ycl > v) v = ycl;
  return v;
};

export const atrStart = (period: number): number => period - 1;

/** Wilder's ATR: the first value is the mean true range of candles 0..period−1 (candle 0's range is high−low). */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = Math.min(high.length, low.length, close.length);
  if (!prepare(n, out, atrStart(period))) return out;
  const per = 1 / period;
  let sum = high[0]! - low[0]!;
  for (let i = 1; i < period; i++) sum += trueRange(high, low, close, i);
  let val = sum / period;
  out[period - 1] = val;
  for (let i = period; i < n; i++) {
    val = (trueRange(high, low, close, i) - val) * per + val;
    out[i] = val;
  }
  return out;
}
