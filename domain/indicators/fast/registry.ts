// The TypeScript implementation of each catalog indicator, in the shape compute.ts calls: candles and canonical
// parameters in, every output (catalog order, one slot per candle) written in place. All of them match tulind
// on real data (test/indicators/fast.unit.test.ts); vwap exists only here.
import type { CandleSeries } from '../../market/candles.js';
import type { IndicatorName } from '../catalog.js';
import type { IndicatorParams } from '../params.js';
import { dema, demaStart, ema, emaStart, sma, smaStart, tema, temaStart, wma, wmaStart } from './moving-averages.js';
import { adx, adxStart, cci, cciStart, macd, macdStart, roc, rocStart, rsi, rsiStart, stoch, stochStart, willr, willrStart } from './oscillators.js';
import { atr, atrStart, bbands, bbandsStart, stddev, stddevStart } from './volatility.js';
import { mfi, mfiStart, obv, obvStart, vwap, vwapStart, vwma, vwmaStart } from './volume.js';

export interface FastIndicator {
  /** Index of the first candle with a value (tulind's `start`). */
  readonly warmUp: (p: IndicatorParams) => number;
  readonly fill: (s: CandleSeries, p: IndicatorParams, out: readonly Float64Array[]) => void;
}

const num = (p: IndicatorParams, k: string): number => {
  const v = p[k];
  if (v === undefined) throw new RangeError(`missing parameter "${k}"`);
  return v;
};
const o = (out: readonly Float64Array[], i: number): Float64Array => out[i]!;

const onClose = (start: (period: number) => number, f: (input: Float64Array, period: number, out: Float64Array) => Float64Array): FastIndicator => ({
  warmUp: (p) => start(num(p, 'period')),
  fill: (s, p, out) => void f(s.close, num(p, 'period'), o(out, 0)),
});

const onHlc = (
  start: (period: number) => number,
  f: (h: Float64Array, l: Float64Array, c: Float64Array, period: number, out: Float64Array) => Float64Array,
): FastIndicator => ({
  warmUp: (p) => start(num(p, 'period')),
  fill: (s, p, out) => void f(s.high, s.low, s.close, num(p, 'period'), o(out, 0)),
});

export const FAST_INDICATORS: Readonly<Partial<Record<IndicatorName, FastIndicator>>> = {
  sma: onClose(smaStart, sma),
  ema: onClose(emaStart, ema),
  wma: onClose(wmaStart, wma),
  dema: onClose(demaStart, dema),
  tema: onClose(temaStart, tema),
  rsi: onClose(rsiStart, rsi),
  roc: onClose(rocStart, roc),
  stddev: onClose(stddevStart, stddev),
  macd: {
    warmUp: (p) => macdStart(num(p, 'short'), num(p, 'long')),
    fill: (s, p, out) => macd(s.close, num(p, 'short'), num(p, 'long'), num(p, 'signal'), o(out, 0), o(out, 1), o(out, 2)),
  },
  bbands: {
    warmUp: (p) => bbandsStart(num(p, 'period')),
    fill: (s, p, out) => bbands(s.close, num(p, 'period'), num(p, 'stddev'), o(out, 0), o(out, 1), o(out, 2)),
  },
  atr: onHlc(atrStart, atr),
  adx: onHlc(adxStart, adx),
  cci: onHlc(cciStart, cci),
  willr: onHlc(willrStart, willr),
  stoch: {
    warmUp: (p) => stochStart(num(p, 'k'), num(p, 'kslow'), num(p, 'd')),
    fill: (s, p, out) => stoch(s.high, s.low, s.close, num(p, 'k'), num(p, 'kslow'), num(p, 'd'), o(out, 0), o(out, 1)),
  },
  obv: { warmUp: obvStart, fill: (s, _p, out) => void obv(s.close, s.volume, o(out, 0)) },
  mfi: {
    warmUp: (p) => mfiStart(num(p, 'period')),
    fill: (s, p, out) => void mfi(s.high, s.low, s.close, s.volume, num(p, 'period'), o(out, 0)),
  },
  vwma: { warmUp: (p) => vwmaStart(num(p, 'period')), fill: (s, p, out) => void vwma(s.close, s.volume, num(p, 'period'), o(out, 0)) },
  vwap: {
    warmUp: (p) => vwapStart(num(p, 'period')),
    fill: (s, p, out) => void vwap(s.high, s.low, s.close, s.volume, num(p, 'period'), o(out, 0)),
  },
};
