// Moving averages straight on Float64Array, for the backtester's hot path (no tulind, no copies, usable in any thread).
// Each one repeats tulip indicators' own arithmetic in the same order, so it matches tulind bit for bit
// (test/indicators/fast.unit.test.ts checks 1e-9 relative on real data). Output i = value at the close of candle i;
// indices before the warm-up are NaN. `out` may be passed in to reuse a buffer; nothing else is allocated.

/** Checks the output buffer and writes NaN over the warm-up. Returns false when the series is all warm-up. */
export const prepare = (n: number, out: Float64Array, start: number): boolean => {
  if (out.length !== n) throw new RangeError(`output has ${out.length} slots for ${n} candles`);
  out.fill(NaN, 0, Math.min(start, n));
  return n > start;
};

export const smaStart = (period: number): number => period - 1;

export function sma(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, smaStart(period))) return out;
  const scale = 1 / period;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += input[i]!;
  out[period - 1] = sum * scale;
  for (let i = period; i < n; i++) {
    sum += input[i]!;
    sum -= input[i - period]!;
    out[i] = sum * scale;
  }
  return out;
}

/** tulip seeds the EMA with the first input (no SMA seed), so it has no warm-up: early values lean on candle 0. */
export const emaStart = (_period: number): number => 0;

export function ema(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, 0)) return out;
  const per = 2 / (period + 1);
  let val = input[0]!;
  out[0] = val;
  for (let i = 1; i < n; i++) {
    val = (input[i]! - val) * per + val;
    out[i] = val;
  }
  return out;
}

export const wmaStart = (period: number): number => period - 1;

export function wma(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  if (!prepare(n, out, wmaStart(period))) return out;
  const weights = (period * (period + 1)) / 2;
  let sum = 0;
  let weightSum = 0;
  for (let i = 0; i < period - 1; i++) {
    weightSum += input[i]! * (i + 1);
    sum += input[i]!;
  }
  for (let i = period - 1; i < n; i++) {
    weightSum += input[i]! * period;
    sum += input[i]!;
    out[i] = weightSum / weights;
    weightSum -= sum;
    sum -= input[i - period + 1]!;
  }
  return out;
}

export const demaStart = (period: number): number => (period - 1) * 2;

/** DEMA = 2·EMA − EMA(EMA); the inner EMA is seeded at candle period−1 (tulip's convention). */
export function dema(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  const start = demaStart(period);
  if (!prepare(n, out, start)) return out;
  const per = 2 / (period + 1);
  const per1 = 1 - per;
  let e1 = input[0]!;
  let e2 = e1;
  for (let i = 0; i < n; i++) {
    e1 = e1 * per1 + input[i]! * per;
    if (i === period - 1) e2 = e1;
    if (i >= period - 1) {
      e2 = e2 * per1 + e1 * per;
      if (i >= start) out[i] = e1 * 2 - e2;
    }
  }
  return out;
}

export const temaStart = (period: number): number => (period - 1) * 3;

/** TEMA = 3·EMA − 3·EMA² + EMA³, each level seeded (period−1) candles after the previous one. */
export function tema(input: Float64Array, period: number, out: Float64Array = new Float64Array(input.length)): Float64Array {
  const n = input.length;
  const start = temaStart(period);
  if (!prepare(n, out, start)) return out;
  const per = 2 / (period + 1);
  const per1 = 1 - per;
  let e1 = input[0]!;
  let e2 = 0;
  let e3 = 0;
  for (let i = 0; i < n; i++) {
    e1 = e1 * per1 + input[i]! * per;
    if (i === period - 1) e2 = e1;
    if (i >= period - 1) {
      e2 = e2 * per1 + e1 * per;
      if (i === (period - 1) * 2) e3 = e2;
      if (i >= (period - 1) * 2) {
        e3 = e3 * per1 + e2 * per;
        if (i >= start) out[i] = 3 * e1 - 3 * e2 + e3;
      }
    }
  }
  return out;
}
