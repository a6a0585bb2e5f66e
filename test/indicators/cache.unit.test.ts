// The indicator cache: one computation per (series, indicator, parameters) however many strategies ask, shared by
// concurrent callers, separate entries for separate settings or series, bounded, and never caching a failure.
import { expect } from 'chai';
import { IndicatorCache, contentIdentity, type ComputeFn } from '../../domain/indicators/cache.js';
import { computeIndicatorSync, type IndicatorResult } from '../../domain/indicators/compute.js';
import { tulind, type TulindIndicator } from '../../domain/indicators/tulind.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { btcusdt1h, loadCandles, truncate } from './real-candles.js';

/** Runs `body` while counting the calls that reach tulind's native `indicator` for `fn`. */
const countingTulindCalls = async <T>(fn: string, body: (calls: () => number) => Promise<T>): Promise<T> => {
  const ind = tulind().indicators[fn] as { indicator: TulindIndicator['indicator'] };
  const original = ind.indicator;
  let calls = 0;
  ind.indicator = (...args) => {
    calls++;
    return original(...args);
  };
  try {
    return await body(() => calls);
  } finally {
    ind.indicator = original;
  }
};

/** computeIndicatorSync, counting its calls. */
const counting = (): { compute: ComputeFn; calls: () => number } => {
  let calls = 0;
  return {
    compute: (s, n, p) => {
      calls++;
      return computeIndicatorSync(s, n, p);
    },
    calls: () => calls,
  };
};

describe('indicators: the indicator cache', function () {
  this.timeout(120_000);
  let btc: CandleSeries;
  before(() => {
    btc = btcusdt1h();
  });

  it('200 strategies asking for SMA(20) at once and later: tulind is called once, everyone gets the same arrays', async () => {
    await countingTulindCalls('sma', async (calls) => {
      const cache = new IndicatorCache({ fast: false });
      const first = await Promise.all(Array.from({ length: 100 }, () => cache.get(btc, 'sma', { period: 20 })));
      const later = await Promise.all(Array.from({ length: 99 }, () => cache.get(btc, 'sma', { period: 20 })));
      const sync = cache.getSync(btc, 'sma', { period: 20 });
      expect(calls()).to.equal(1);
      for (const r of [...first, ...later, sync]) expect(r.outputs['value']).to.equal(first[0]!.outputs['value']);
      expect(first[0]!.engine).to.equal('tulind');
      expect(cache.stats()).to.include({ entries: 1, misses: 1, hits: 199 });
    });
  });

  it('the default (TypeScript) engine is shared the same way', async () => {
    const { compute, calls } = counting();
    const cache = new IndicatorCache({ compute });
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.get(btc, 'bbands', { period: 20, stddev: 2 })));
    expect(calls()).to.equal(1);
    expect(new Set(results.map((r) => r.outputs['upper'])).size).to.equal(1);
    expect(new IndicatorCache().getSync(btc, 'bbands', { period: 20, stddev: 2 }).engine).to.equal('typescript');
  });

  it('concurrent callers share the computation in flight, including getSync and callers arriving while it runs', async () => {
    const { compute, calls } = counting();
    const cache = new IndicatorCache({ compute });
    const a = cache.get(btc, 'rsi', { period: 14 });
    const b = cache.get(btc, 'rsi', { period: 14 });
    expect(calls(), 'nothing computed synchronously by get()').to.equal(0);
    const c = cache.getSync(btc, 'rsi', { period: 14 }); // computes now; the pending promise reuses it
    await Promise.resolve();
    const d = cache.get(btc, 'rsi', { period: 14 });
    const [ra, rb, rd] = await Promise.all([a, b, d]);
    expect(calls()).to.equal(1);
    expect(ra).to.equal(c);
    expect(rb).to.equal(c);
    expect(rd).to.equal(c);
  });

  it('different parameters are different entries; the same parameters in another key order are one', async () => {
    const { compute, calls } = counting();
    const cache = new IndicatorCache({ compute });
    const sma20 = await cache.get(btc, 'sma', { period: 20 });
    const sma21 = await cache.get(btc, 'sma', { period: 21 });
    const bb2 = await cache.get(btc, 'bbands', { period: 20, stddev: 2 });
    const bb2again = await cache.get(btc, 'bbands', { stddev: 2, period: 20 });
    const bb25 = await cache.get(btc, 'bbands', { period: 20, stddev: 2.5 });
    const ema20 = await cache.get(btc, 'ema', { period: 20 });
    expect(calls()).to.equal(5);
    expect(cache.stats().entries).to.equal(5);
    expect(sma20.outputs['value']).not.to.equal(sma21.outputs['value']);
    expect(bb2again).to.equal(bb2);
    expect(bb25.outputs['upper']![100]).to.be.greaterThan(bb2.outputs['upper']![100]!);
    expect(ema20.key).to.equal('ema(period=20)');
  });

  it('series are told apart by object by default, by content with contentIdentity', async () => {
    const other = loadCandles('binance_BTCUSDT_1h.csv.gz', 'BTCUSDT'); // the same candles, loaded again
    const eth = loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT');
    const byObject = counting();
    const c1 = new IndicatorCache({ compute: byObject.compute });
    await c1.get(btc, 'sma', { period: 20 });
    await c1.get(other, 'sma', { period: 20 });
    await c1.get(truncate(btc, 1000), 'sma', { period: 20 });
    expect(byObject.calls()).to.equal(3);

    const byContent = counting();
    const c2 = new IndicatorCache({ compute: byContent.compute, identify: contentIdentity });
    const x = await c2.get(btc, 'sma', { period: 20 });
    const y = await c2.get(other, 'sma', { period: 20 });
    await c2.get(truncate(btc, 1000), 'sma', { period: 20 });
    await c2.get(eth, 'sma', { period: 20 });
    expect(y).to.equal(x);
    expect(byContent.calls()).to.equal(3);
  });

  it('a failed computation is not cached: the next caller tries again', async () => {
    let calls = 0;
    const cache = new IndicatorCache({
      compute: (s, n, p): IndicatorResult => {
        if (++calls === 1) throw new Error('boom');
        return computeIndicatorSync(s, n, p);
      },
    });
    const failures = await Promise.allSettled([cache.get(btc, 'atr', { period: 14 }), cache.get(btc, 'atr', { period: 14 })]);
    expect(failures.map((f) => f.status)).to.deep.equal(['rejected', 'rejected']);
    expect(calls).to.equal(1);
    expect(cache.stats().entries).to.equal(0);
    const ok = await cache.get(btc, 'atr', { period: 14 });
    expect(ok.outputs['value']!.length).to.equal(btc.length);
    expect(calls).to.equal(2);
  });

  it('bad parameters are refused without an entry', async () => {
    const cache = new IndicatorCache();
    let error: unknown;
    await cache.get(btc, 'sma', { period: 1 }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
    expect(() => cache.getSync(btc, 'sma', { window: 20 })).to.throw(RangeError);
    expect(cache.stats().entries).to.equal(0);
  });

  it('holds at most maxValues numbers, dropping the least recently used first; clear() empties it', async () => {
    const { compute, calls } = counting();
    const cache = new IndicatorCache({ compute, maxValues: 3 * btc.length }); // room for three one-output entries
    for (const period of [10, 20, 30]) await cache.get(btc, 'sma', { period });
    await cache.get(btc, 'sma', { period: 10 }); // 10 is now the most recent; 20 the least
    await cache.get(btc, 'sma', { period: 40 }); // evicts 20
    expect(cache.stats()).to.include({ entries: 3, evictions: 1, values: 3 * btc.length });
    await cache.get(btc, 'sma', { period: 10 });
    await cache.get(btc, 'sma', { period: 30 });
    expect(calls()).to.equal(4);
    await cache.get(btc, 'sma', { period: 20 });
    expect(calls()).to.equal(5);
    await cache.get(btc, 'bbands', { period: 20, stddev: 2 }); // three outputs: takes the whole budget
    expect(cache.stats()).to.include({ entries: 1, values: 3 * btc.length });
    cache.clear();
    expect(cache.stats()).to.include({ entries: 0, values: 0 });
    await cache.get(btc, 'bbands', { period: 20, stddev: 2 });
    expect(calls()).to.equal(7);
  });
});
