// Volume measures straight on Float64Array: OBV, MFI, VWMA (as tulip computes them) and a rolling VWAP,
// which tulip does not have and which is therefore only implemented here. OBV, VWMA and VWAP allocate nothing but
// their output; MFI keeps two small running windows of `period` numbers, as tulip does.
import { prepare } from './moving-averages.js';
import { RunningWindow } from './running-window.js';

export const obvStart = (): number => 0;

/** On-balance volume, starting at 0 on candle 0 (tulip's convention; only its changes carry meaning). */
export function obv(close: Float64Array, volume: Float64Array, out: Float64Array = new Float64Array(close.length)): Float64Array {
  const n = Math.min(close.length, volume.length);
  if (!prepare(n, out, 0)) return out;
  let sum = 0;
  out[0] = sum;
  let prev = close[0]!;
  for (let i = 1; i < n; i++) {
    const c = close[i]!;
    if (c > prev) sum += volume[i]!;
    else if (c < prev) sum -= volume[i]!;
    prev = c;
    out[i] = sum;
  }
  return out;
}

const typical = (high: Float64Array, low: Float64Array, close: Float64Array, i: number): number => (high[i]! + low[i]! + close[i]!) * (1 / 3);

export const mfiStart = (period: number): number => period;

/** Money flow index over `period` typical-price changes; a candle whose typical price is unchanged counts for neither side. */
export function mfi(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = Math.min(high.length, low.length, close.length, volume.length);
  if (!prepare(n, out, mfiStart(period))) return out;
  const up = new RunningWindow(period);
  const down = new RunningWindow(period);
  let ytyp = typical(high, low, close, 0);
  for (let i = 1; i < n; i++) {
    const typ = typical(high, low, close, i);
    const flow = typ * volume[i]!;
    if (typ > ytyp) {
      up.push(flow);
      down.push(0);
    } else if (typ < ytyp) {
      down.push(flow);
      up.push(0);
    } else {
      up.push(0);
      down.push(0);
    }
    ytyp = typ;
    if (i >= period) out[i] = (up.sum / (up.sum + down.sum)) * 100;
  }
  return out;
}

export const vwmaStart = (period: number): number => period - 1;

/** Volume-weighted moving average of the close (running sums, as tulip). */
export function vwma(close: Float64Array, volume: Float64Array, period: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  const n = Math.min(close.length, volume.length);
  if (!prepare(n, out, vwmaStart(period))) return out;
  let sum = 0;
  let vsum = 0;
  for (let i = 0; i < period; i++) {
    sum += close[i]! * volume[i]!;
    vsum += volume[i]!;
  }
  out[period - 1] = sum / vsum;
  for (let i = period; i < n; i++) {
    sum += close[i]! * volume[i]!;
    sum -= close[i - period]! * volume[i - period]!;
    vsum += volume[i]!;
    vsum -= volume[i - period]!;
    out[i] = sum / vsum;
  }
  return out;
}

export const vwapStart = (period: number): number => period - 1;

/**
 * Rolling VWAP: Σ typical price · volume / Σ volume over the last `period` candles, typical price (high+low+close)/3.
 * Not anchored to a session (crypto trades around the clock). A window without volume (exchange outage candles
 * carry volume 0) has no VWAP: NaN. The running sums are recomputed from scratch every `period` candles so rounding
 * cannot pile up over long series.
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = Math.min(high.length, low.length, close.length, volume.length);
  const start = vwapStart(period);
  if (!prepare(n, out, start)) return out;
  let pv = 0;
  let v = 0;
  let traded = 0; // candles in the window with volume > 0: exact, unlike a rounded sum
  for (let i = 0; i < period; i++) {
    pv += typical(high, low, close, i) * volume[i]!;
    v += volume[i]!;
    if (volume[i]! > 0) traded++;
  }
  out[start] = traded > 0 ? pv / v : NaN;
  for (let i = period; i < n; i++) {
    const old = i - period;
    if (volume[old]! > 0) traded--;
    if (volume[i]! > 0) traded++;
    if ((i - start) % period === 0) {
      pv = 0;
      v = 0;
      for (let j = old + 1; j <= i; j++) {
        pv += typical(high, low, close, j) * volume[j]!;
        v += volume[j]!;
      }
    } else {
      pv += typical(high, low, close, i) * volume[i]! - typical(high, low, close, old) * volume[old]!;
      v += volume[i]! - volume[old]!;
    }
    out[i] = traded > 0 ? pv / v : NaN;
  }
  return out;
}
