// The TypeScript implementations in domain/indicators/fast/ against tulind on real BTCUSDT 1h candles: the gate the
// issue sets for replacing tulind on the backtester's hot path (1e-9 relative, every output, every candle).
import { expect } from 'chai';
import { INDICATORS, INDICATOR_NAMES, type IndicatorName, type PriceInput } from '../../domain/indicators/catalog.js';
import { ema, sma } from '../../domain/indicators/fast/moving-averages.js';
import { rsi } from '../../domain/indicators/fast/oscillators.js';
import { FAST_INDICATORS } from '../../domain/indicators/fast/registry.js';
import { atr, bbands } from '../../domain/indicators/fast/volatility.js';
import { canonicalParams, indicatorKey, type IndicatorParams } from '../../domain/indicators/params.js';
import { TULIND_BINDINGS, callTulind, tulindOptions, tulindStart } from '../../domain/indicators/tulind.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { paramGrid } from './param-sets.js';
import { btcusdt1h, maxRelErr, relErr } from './real-candles.js';

/** tulind's output j aligned to the candle index: NaN warm-up, then the raw values. */
const tulindAligned = (s: CandleSeries, name: IndicatorName, params: IndicatorParams): { start: number; outputs: Float64Array[] } => {
  const b = TULIND_BINDINGS[name]!;
  const options = tulindOptions(b, params);
  const start = tulindStart(b.fn, options);
  const raw = callTulind(
    b.fn,
    (INDICATORS[name].inputs as readonly PriceInput[]).map((f) => Array.from(s[f])),
    options,
  );
  return {
    start,
    outputs: raw.map((r) => {
      const a = new Float64Array(s.length).fill(NaN);
      a.set(r, start);
      return a;
    }),
  };
};

/** Every period from the minimum to 50, then a spread up to the maximum. */
const settings = (name: IndicatorName): IndicatorParams[] => {
  const params = Object.entries(INDICATORS[name].params);
  if (params.length !== 1 || params[0]![0] !== 'period') return paramGrid(name);
  const { min, max } = params[0]![1];
  const periods = new Set<number>();
  for (let p = min; p <= Math.min(50, max); p++) periods.add(p);
  for (const p of [64, 99, 100, 128, 200, 256, 499, max]) if (p <= max) periods.add(p);
  return [...periods].map((period) => ({ period }));
};

/**
 * Where tulip's rounded variance of a flat window is negative, tulind gives NaN bands and a negative deviation;
 * fast/ gives middle ± 0 and 0 (see volatility.ts). Those candles are checked separately below.
 */
const flatWindow = (name: IndicatorName, j: number, tulindValue: number): boolean =>
  (name === 'bbands' && j !== 1 && Number.isNaN(tulindValue)) || (name === 'stddev' && tulindValue < 0);

describe('indicators: the TypeScript fast path matches tulind (BTCUSDT 1h)', function () {
  this.timeout(300_000);
  let btc: CandleSeries;
  const summary: string[] = [];
  before(() => {
    btc = btcusdt1h();
  });
  after(() => {
    if (process.env['INDICATOR_REPORT']) console.log(`\n      fast vs tulind, worst relative error per indicator:\n${summary.join('\n')}`);
  });

  for (const name of INDICATOR_NAMES.filter((n) => FAST_INDICATORS[n] !== undefined && TULIND_BINDINGS[n] !== undefined))
    it(`${name}: every output at every candle within 1e-9 relative, same warm-up (${settings(name).length} settings)`, () => {
      const fast = FAST_INDICATORS[name]!;
      const outputs = INDICATORS[name].outputs as readonly string[];
      let worst = 0;
      let identical = 0;
      let total = 0;
      for (const params of settings(name)) {
        const p = canonicalParams(name, params);
        const ref = tulindAligned(btc, name, p);
        expect(fast.warmUp(p), indicatorKey(name, p)).to.equal(ref.start);
        const out = outputs.map(() => new Float64Array(btc.length));
        fast.fill(btc, p, out);
        out.forEach((o, j) => {
          const t = ref.outputs[j]!;
          for (let i = 0; i < btc.length; i++) {
            if (flatWindow(name, j, t[i]!)) continue;
            total++;
            if (Object.is(o[i], t[i]) || (Number.isNaN(o[i]!) && Number.isNaN(t[i]!))) identical++;
            const e = relErr(o[i]!, t[i]!);
            if (e > worst) worst = e;
            if (!(e <= 1e-9)) expect.fail(`${indicatorKey(name, p)}.${outputs[j]} at ${i}: fast ${o[i]} vs tulind ${t[i]}`);
          }
        });
      }
      summary.push(`        ${name.padEnd(7)} ${worst.toExponential(1)}  (${((100 * identical) / total).toFixed(3)} % bit-identical)`);
    });

  it('bbands and stddev on flat windows: middle ± 0 and 0 where tulind has NaN and a negative deviation', () => {
    const out = [0, 1, 2].map(() => new Float64Array(btc.length));
    FAST_INDICATORS.bbands!.fill(btc, { period: 2, stddev: 2 }, out);
    const sd = [new Float64Array(btc.length)];
    FAST_INDICATORS.stddev!.fill(btc, { period: 2 }, sd);
    const ref = tulindAligned(btc, 'bbands', { period: 2, stddev: 2 });
    const refSd = tulindAligned(btc, 'stddev', { period: 2 });
    const flat: number[] = [];
    for (let i = 1; i < btc.length; i++) if (Number.isNaN(ref.outputs[0]![i]!)) flat.push(i);
    expect(flat).to.deep.equal([5154, 17237]);
    for (const i of flat) {
      expect(out[0]![i]).to.equal(out[1]![i]);
      expect(out[2]![i]).to.equal(out[1]![i]);
      expect(out[1]![i]).to.equal(ref.outputs[1]![i]);
      expect(refSd.outputs[0]![i]).to.be.below(0);
      expect(sd[0]![i]).to.equal(0);
    }
  });

  describe('the hot-path functions write into the buffer they are given and allocate nothing else', () => {
    const close = () => btc.close;
    const check = (got: Float64Array, expected: Float64Array) => expect(maxRelErr(got, expected).err).to.be.at.most(1e-9);

    it('sma, ema, rsi, atr return the buffer passed in, filled as tulind would', () => {
      const buf = new Float64Array(btc.length);
      expect(sma(close(), 20, buf)).to.equal(buf);
      check(buf, tulindAligned(btc, 'sma', { period: 20 }).outputs[0]!);
      expect(ema(close(), 20, buf)).to.equal(buf);
      check(buf, tulindAligned(btc, 'ema', { period: 20 }).outputs[0]!);
      expect(rsi(close(), 14, buf)).to.equal(buf);
      check(buf, tulindAligned(btc, 'rsi', { period: 14 }).outputs[0]!);
      expect(atr(btc.high, btc.low, btc.close, 14, buf)).to.equal(buf);
      check(buf, tulindAligned(btc, 'atr', { period: 14 }).outputs[0]!);
    });

    it('bbands fills lower, middle and upper in place', () => {
      const [lower, middle, upper] = [0, 1, 2].map(() => new Float64Array(btc.length)) as [Float64Array, Float64Array, Float64Array];
      bbands(close(), 20, 2, lower, middle, upper);
      const ref = tulindAligned(btc, 'bbands', { period: 20, stddev: 2 });
      check(lower, ref.outputs[0]!);
      check(middle, ref.outputs[1]!);
      check(upper, ref.outputs[2]!);
    });

    it('refuses a buffer of the wrong length', () => {
      expect(() => sma(close(), 20, new Float64Array(10))).to.throw(RangeError);
    });
  });
});
