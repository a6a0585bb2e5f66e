// Oscillators and trend strength straight on Float64Array: RSI, MACD, ROC, stochastic, Williams %R, CCI, ADX.
// Same arithmetic as tulip indicators, in the same order, so they match tulind to rounding. RSI is allocation-free;
// stochastic, CCI use small running windows (a few numbers per period), as tulip does.
import { prepare } from './moving-averages.js';
import { RunningWindow } from './running-window.js';
import { trueRange } from './volatility.js';

export const rsiStart = (period: number): number => period;

/** Wilder's RSI: mean gain and loss of the first `period` changes, then smoothed with 1/period. */
export function rsi(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, rsiStart(period))) return out;
  const per = 1 / period;
  let up = 0;
  let down = 0;
  for (let i = 1; i <= period; i++) {
    const x = input[i]!;
    const y = input[i - 1]!;
    up += x > y ? x - y : 0;
    down += x < y ? y - x : 0;
  }
  up /= period;
  down /= period;
  out[period] = 100 * (up / (up + down));
  for (let i = period + 1; i < n; i++) {
    const x = input[i]!;
    const y = input[i - 1]!;
    up = ((x > y ? x - y : 0) - up) * per + up;
    down = ((x < y ? y - x : 0) - down) * per + down;
    out[i] = 100 * (up / (up + down));
  }
  return out;
}

export const macdStart = (_short: number, long: number): number => long - 1;

/**
 * MACD with tulip's conventions: both EMAs seeded with candle 0, the signal EMA seeded with the MACD at candle
 * long−1, and (tulip's quirk) MACD(12, 26, ·) uses smoothing 0.15 and 0.075 instead of 2/13 and 2/27.
 */
export function macd(
  input: Float64Array,
  short: number,
  long: number,
  signalPeriod: number,
  macdOut: Float64Array = new Float64Array(input.length),
  signalOut: Float64Array = new Float64Array(input.length),
  histOut: Float64Array = new Float64Array(input.length),
): void {
  if (short < 1 || long < 2 || long < short || signalPeriod < 1) throw new RangeError(`macd(${short}, ${long}, ${signalPeriod}): invalid periods`);
  const n = input.length;
  const start = macdStart(short, long);
  prepare(n, signalOut, start);
  prepare(n, histOut, start);
  if (!prepare(n, macdOut, start)) return;
  let shortPer = 2 / (short + 1);
  let longPer = 2 / (long + 1);
  const signalPer = 2 / (signalPeriod + 1);
  if (short === 12 && long === 26) {
    shortPer = 0.15;
    longPer = 0.075;
  }
  let shortEma = input[0]!;
  let longEma = input[0]!;
  let signal = 0;
  for (let i = 1; i < n; i++) {
    const x = input[i]!;
    shortEma = (x - shortEma) * shortPer + shortEma;
    longEma = (x - longEma) * longPer + longEma;
    const m = shortEma - longEma;
    if (i === long - 1) signal = m;
    if (i >= long - 1) {
      signal = (m - signal) * signalPer + signal;
      macdOut[i] = m;
      signalOut[i] = signal;
      histOut[i] = m - signal;
    }
  }
}

export const rocStart = (period: number): number => period;

/** Rate of change as a fraction (0.01 = +1 %), not a percentage. */
export function roc(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, rocStart(period))) return out;
  for (let i = period; i < n; i++) out[i] = (input[i]! - input[i - period]!) / input[i - period]!;
  return out;
}

export const stochStart = (k: number, kslow: number, d: number): number => k + kslow + d - 3;

/** Slow stochastic: %K over `k` candles smoothed by an SMA(kslow), %D = SMA(d) of that. A flat range gives %K 0. */
export function stoch(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  kPeriod: number,
  kSlow: number,
  dPeriod: number,
  kOut: Float64Array = new Float64Array(close.length),
  dOut: Float64Array = new Float64Array(close.length),
): void {
  const n = Math.min(high.length, low.length, close.length);
  const start = stochStart(kPeriod, kSlow, dPeriod);
  prepare(n, dOut, start);
  if (!prepare(n, kOut, start)) return;
  const kPer = 1 / kSlow;
  const dPer = 1 / dPeriod;
  const kSum = new RunningWindow(kSlow);
  const dSum = new RunningWindow(dPeriod);
  let trail = 0;
  let maxi = -1;
  let mini = -1;
  let max = high[0]!;
  let min = low[0]!;
  for (let i = 0; i < n; i++) {
    if (i >= kPeriod) ++trail;
    let bar = high[i]!;
    if (maxi < trail) {
      maxi = trail;
      max = high[maxi]!;
      for (let j = trail + 1; j <= i; j++) {
        bar = high[j]!;
        if (bar >= max) {
          max = bar;
          maxi = j;
        }
      }
    } else if (bar >= max) {
      maxi = i;
      max = bar;
    }
    bar = low[i]!;
    if (mini < trail) {
      mini = trail;
      min = low[mini]!;
      for (let j = trail + 1; j <= i; j++) {
        bar = low[j]!;
        if (bar <= min) {
          min = bar;
          mini = j;
        }
      }
    } else if (bar <= min) {
      mini = i;
      min = bar;
    }
    const kdiff = max - min;
    kSum.push(kdiff === 0 ? 0 : 100 * ((close[i]! - min) / kdiff));
    if (i >= kPeriod - 1 + kSlow - 1) {
      const k = kSum.sum * kPer;
      dSum.push(k);
      if (i >= start) {
        kOut[i] = k;
        dOut[i] = dSum.sum * dPer;
      }
    }
  }
}

export const willrStart = (period: number): number => period - 1;

/** Williams %R in [−100, 0]; a flat range gives 0. */
export function willr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = Math.min(high.length, low.length, close.length);
  if (!prepare(n, out, willrStart(period))) return out;
  let trail = 0;
  let maxi = -1;
  let mini = -1;
  let max = high[0]!;
  let min = low[0]!;
  for (let i = period - 1; i < n; i++, trail++) {
    let bar = high[i]!;
    if (maxi < trail) {
      maxi = trail;
      max = high[maxi]!;
      for (let j = trail + 1; j <= i; j++) {
        bar = high[j]!;
        if (bar >= max) {
          max = bar;
          maxi = j;
        }
      }
    } else if (bar >= max) {
      maxi = i;
      max = bar;
    }
    bar = low[i]!;
    if (mini < trail) {
      mini = trail;
      min = low[mini]!;
      for (let j = trail + 1; j <= i; j++) {
        bar = low[j]!;
        if (bar <= min) {
          min = bar;
          mini = j;
        }
      }
    } else if (bar <= min) {
      mini = i;
      min = bar;
    }
    const range = max - min;
    out[i] = range === 0 ? 0 : -100 * ((max - close[i]!) / range);
  }
  return out;
}

/** tulip's CCI waits 2·period−1 candles although period would do: the warm-up is kept identical to tulind's. */
export const cciStart = (period: number): number => (period - 1) * 2;

/** Commodity channel index over the typical price (high+low+close)/3 with the 0.015 constant. */
export function cci(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = Math.min(high.length, low.length, close.length);
  const start = cciStart(period);
  if (!prepare(n, out, start)) return out;
  const scale = 1 / period;
  const window = new RunningWindow(period);
  const vals = window.vals;
  for (let i = 0; i < n; i++) {
    const today = (high[i]! + low[i]! + close[i]!) * (1 / 3);
    window.push(today);
    if (i >= start) {
      const avg = window.sum * scale;
      let acc = 0;
      // Summed in ring order, as tulip does, so the result rounds the same way.
      for (let j = 0; j < period; j++) acc += Math.abs(avg - vals[j]!);
      out[i] = (today - avg) / (acc * scale * 0.015);
    }
  }
  return out;
}

export const adxStart = (period: number): number => (period - 1) * 2;

/** Wilder's ADX: smoothed directional movement over smoothed true range, then DX averaged over `period`. */
export function adx(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  if (period < 2) throw new RangeError(`adx(${period}): period must be at least 2`);
  const n = Math.min(high.length, low.length, close.length);
  if (!prepare(n, out, adxStart(period))) return out;
  const per = (period - 1) / period;
  const invper = 1 / period;
  let tr = 0;
  let dmup = 0;
  let dmdown = 0;
  let adxSum = 0;
  for (let i = 1; i < n; i++) {
    // Directional movement: only the larger of the up and down moves counts, and only if positive.
    let dp = high[i]! - high[i - 1]!;
    let dm = low[i - 1]! - low[i]!;
    if (dp < 0) dp = 0;
    else if (dp > dm) dm = 0;
    if (dm < 0) dm = 0;
    else if (dm > dp) dp = 0;
    if (i < period) {
      tr += trueRange(high, low, close, i);
      dmup += dp;
      dmdown += dm;
      if (i < period - 1) continue;
    } else {
      tr = tr * per + trueRange(high, low, close, i);
      dmup = dmup * per + dp;
      dmdown = dmdown * per + dm;
    }
    const diUp = dmup / tr;
    const diDown = dmdown / tr;
    const dx = (Math.abs(diUp - diDown) / (diUp + diDown)) * 100;
    // tulip: DX of candles period−1 .. 2·period−2 summed, then Wilder-smoothed; output = sum / period.
    if (i - period < period - 2) adxSum += dx;
    else if (i - period === period - 2) {
      adxSum += dx;
      out[i] = adxSum * invper;
    } else {
      adxSum = adxSum * per + dx;
      out[i] = adxSum * invper;
    }
  }
  return out;
}
