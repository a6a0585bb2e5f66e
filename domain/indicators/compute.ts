// Computes one catalog indicator over a candle series, aligned to the candle index: output[i] is the value known
// at the close of candle i (it uses candles 0..i only), NaN before `firstValid`, never shifted by one.
// Two engines give the same numbers (test/indicators/fast.unit.test.ts): the TypeScript implementations in fast/
// (default: no copies, no native addon, usable in worker threads) and tulind, the reference (fast: false).
import type { CandleSeries } from '../market/candles.js';
import { INDICATORS, type IndicatorName, type PriceInput } from './catalog.js';
import { FAST_INDICATORS } from './fast/registry.js';
import { canonicalParams, indicatorKey, type IndicatorParams } from './params.js';
import { TULIND_BINDINGS, callTulind, tulindOptions, tulindStart, type TulindBinding } from './tulind.js';

export type Engine = 'typescript' | 'tulind';

export interface ComputeOptions {
  /** Use the TypeScript implementation where one exists (default true); false forces tulind where tulind has the indicator. */
  readonly fast?: boolean;
}

export interface IndicatorResult {
  readonly name: IndicatorName;
  /** Canonical parameters (catalog order). */
  readonly params: IndicatorParams;
  /** `name(param=value,…)`, the same for equal settings. */
  readonly key: string;
  /**
   * The first index with a value: indices below it are NaN (warm-up). It can exceed the series length (all NaN).
   * Values at or after it can still be NaN or infinite where the formula divides by zero (e.g. RSI of a flat window).
   */
  readonly firstValid: number;
  /** One array per catalog output, each `length` long. Shared by every cache user: never write into them. */
  readonly outputs: Readonly<Record<string, Float64Array>>;
  readonly engine: Engine;
}

const engineFor = (name: IndicatorName, options: ComputeOptions): Engine => {
  const hasFast = FAST_INDICATORS[name] !== undefined;
  if (!hasFast && TULIND_BINDINGS[name] === undefined) throw new Error(`indicator "${name}" has no implementation`);
  if (!hasFast) return 'tulind';
  return options.fast === false && TULIND_BINDINGS[name] !== undefined ? 'tulind' : 'typescript';
};

/** Index of the first non-warm-up value of `name` with these parameters, without computing anything. */
export const warmUp = (name: IndicatorName, params: IndicatorParams, options: ComputeOptions = {}): number => {
  const p = canonicalParams(name, params);
  if (engineFor(name, options) === 'typescript') return FAST_INDICATORS[name]!.warmUp(p);
  const binding = TULIND_BINDINGS[name]!;
  return tulindStart(binding.fn, tulindOptions(binding, p));
};

/** The series with every field cut to `length` when an array is longer (views, no copies). */
const exact = (s: CandleSeries): CandleSeries => {
  const n = s.length;
  const fields = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;
  if (fields.every((f) => s[f].length === n)) return s;
  for (const f of fields) if (s[f].length < n) throw new RangeError(`candle series field ${f} has ${s[f].length} values for length ${n}`);
  return { ...s, ...Object.fromEntries(fields.map((f) => [f, s[f].subarray(0, n)])) };
};

const toNumbers = (a: Float64Array): number[] => {
  const out = new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
};

const fillTulind = (s: CandleSeries, name: IndicatorName, binding: TulindBinding, p: IndicatorParams, out: Float64Array[]): number => {
  const options = tulindOptions(binding, p);
  const start = tulindStart(binding.fn, options);
  for (const o of out) o.fill(NaN, 0, Math.min(start, s.length));
  // tulind misbehaves on inputs not longer than the warm-up (a negative output size; OBV writes past an empty buffer).
  if (s.length <= start) return start;
  const inputs = (INDICATORS[name].inputs as readonly PriceInput[]).map((field) => toNumbers(s[field]));
  const raw = callTulind(binding.fn, inputs, options);
  out.forEach((o, j) => o.set(raw[j]!, start));
  normaliseTulind(name, start, out);
  return start;
};

/**
 * tulip computes a window's variance as E[x²] − E[x]², which rounds to a tiny negative number on a flat window
 * (two equal closes suffice: BTCUSDT 1h has two such pairs). It then gives NaN Bollinger bands and a negative
 * "standard deviation"; a flat window's deviation is 0, which is what the TypeScript engine gives too.
 */
const normaliseTulind = (name: IndicatorName, start: number, out: Float64Array[]): void => {
  if (name === 'bbands') {
    const [lower, middle, upper] = out as [Float64Array, Float64Array, Float64Array];
    for (let i = start; i < middle.length; i++) if (Number.isNaN(lower[i]!) && !Number.isNaN(middle[i]!)) lower[i] = upper[i] = middle[i]!;
  } else if (name === 'stddev') {
    const [sd] = out as [Float64Array];
    for (let i = start; i < sd.length; i++) if (sd[i]! < 0) sd[i] = 0;
  }
};

/** Synchronous: both engines are (tulind calls its callback before returning). */
export const computeIndicatorSync = (series: CandleSeries, name: IndicatorName, params: IndicatorParams, options: ComputeOptions = {}): IndicatorResult => {
  const p = canonicalParams(name, params);
  const s = exact(series);
  const outputNames: readonly string[] = INDICATORS[name].outputs;
  const out = outputNames.map(() => new Float64Array(s.length));
  const engine = engineFor(name, options);
  let firstValid: number;
  if (engine === 'typescript') {
    const fast = FAST_INDICATORS[name]!;
    fast.fill(s, p, out);
    firstValid = fast.warmUp(p);
  } else firstValid = fillTulind(s, name, TULIND_BINDINGS[name]!, p, out);
  return {
    name,
    params: p,
    key: indicatorKey(name, p),
    firstValid,
    outputs: Object.fromEntries(outputNames.map((o, j) => [o, out[j]!])),
    engine,
  };
};

/** The same as a promise (errors become rejections). */
export const computeIndicator = async (
  series: CandleSeries,
  name: IndicatorName,
  params: IndicatorParams,
  options: ComputeOptions = {},
): Promise<IndicatorResult> => computeIndicatorSync(series, name, params, options);
