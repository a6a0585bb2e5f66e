import { expect } from 'chai';
import { either } from 'fp-ts';
import { INTERVAL_MS, type CandleSeries, type Interval } from '../../domain/market/candles.js';
import { seriesGaps } from '../../domain/market/gaps.js';
import { canResample, completeOnly, resample, type ResampledSeries } from '../../domain/market/resample.js';
import { binanceKey, HOURLY, hourlyFile, loadSeries, seriesOf } from './support.js';

interface Bucket {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  trades: number;
  count: number;
}

/** The textbook way, for comparison: group by Math.floor(t / ms), one object per bucket. */
const reference = (s: CandleSeries, target: Interval): Bucket[] => {
  const ms = INTERVAL_MS[target];
  const groups = new Map<number, Bucket>();
  for (let i = 0; i < s.length; i++) {
    const k = Math.floor(s.openTime[i]! / ms);
    const g = groups.get(k);
    if (!g)
      groups.set(k, {
        openTime: k * ms,
        open: s.open[i]!,
        high: s.high[i]!,
        low: s.low[i]!,
        close: s.close[i]!,
        volume: s.volume[i]!,
        quoteVolume: s.quoteVolume[i]!,
        trades: s.trades[i]!,
        count: 1,
      });
    else {
      g.high = Math.max(g.high, s.high[i]!);
      g.low = Math.min(g.low, s.low[i]!);
      g.close = s.close[i]!;
      g.volume += s.volume[i]!;
      g.quoteVolume += s.quoteVolume[i]!;
      g.trades += s.trades[i]!;
      g.count++;
    }
  }
  return [...groups.values()].sort((a, b) => a.openTime - b.openTime);
};

const resampled = (s: CandleSeries, target: Interval, asOf?: number): ResampledSeries => {
  const r = resample(s, target, asOf === undefined ? {} : { asOf });
  if (either.isLeft(r)) throw new Error(r.left);
  return r.right;
};

const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Same values bit for bit: both sum in time order, so even the float sums agree exactly. */
const expectSame = (r: ResampledSeries, ref: Bucket[], source: Interval, target: Interval) => {
  const per = INTERVAL_MS[target] / INTERVAL_MS[source];
  expect(r.length).to.equal(ref.length);
  expect(r.perBucket).to.equal(per);
  const mismatches: string[] = [];
  for (let k = 0; k < ref.length; k++) {
    const b = ref[k]!;
    const got = [r.openTime[k]!, r.open[k]!, r.high[k]!, r.low[k]!, r.close[k]!, r.volume[k]!, r.quoteVolume[k]!, r.trades[k]!, r.sources[k]!, r.complete[k]!];
    const want = [b.openTime, b.open, b.high, b.low, b.close, b.volume, b.quoteVolume, b.trades, b.count, b.count === per ? 1 : 0];
    if (!got.every((g, i) => same(g, want[i]!)))
      mismatches.push(`${target} bucket ${new Date(b.openTime).toISOString()}: got ${got.join(',')}, want ${want.join(',')}`);
  }
  expect(mismatches.slice(0, 5)).to.deep.equal([]);
};

describe('resampling', () => {
  describe('1m → 5m / 15m / 1h on binance_BTCUSDT_1m.csv.gz (with quote volume and trades)', () => {
    const minutes = loadSeries('binance_BTCUSDT_1m.csv.gz', binanceKey('BTCUSDT', '1m'));
    for (const target of ['5m', '15m', '1h', '4h', '1d'] as const) {
      it(`→ ${target} matches a plain group-by`, () => {
        const ref = reference(minutes, target);
        const r = resampled(minutes, target);
        expectSame(r, ref, '1m', target);
        expect(r.key).to.deep.equal(binanceKey('BTCUSDT', target));
        // The file starts at 04:22 and ends at 04:21 three days later: the first and last buckets are partial.
        expect(r.complete[0]).to.equal(0);
        expect(r.complete[r.length - 1]).to.equal(0);
        expect(Number.isNaN(r.quoteVolume[1]!)).to.equal(false);
        expect(Number.isNaN(r.trades[1]!)).to.equal(false);
      });
    }
  });

  describe('1h → 4h / 1d on every hourly file', () => {
    for (const f of HOURLY) {
      it(`${f.symbol}`, () => {
        const hours = loadSeries(hourlyFile(f.symbol), binanceKey(f.symbol, '1h'));
        for (const target of ['4h', '1d'] as const) {
          const r = resampled(hours, target);
          expectSame(r, reference(hours, target), '1h', target);
          // Unknown quote volume and trades stay unknown, never a made-up 0.
          expect(r.quoteVolume.every(Number.isNaN)).to.equal(true);
          expect(r.trades.every(Number.isNaN)).to.equal(true);
        }
      });
    }
  });

  it('a bucket with a gap inside is incomplete: BTCUSDT 2021-04-20 (02:00 and 03:00 missing)', () => {
    const hours = loadSeries(hourlyFile('BTCUSDT'), binanceKey('BTCUSDT', '1h'));
    const at = (r: ResampledSeries, iso: string) => r.openTime.indexOf(Date.parse(iso));
    const h4 = resampled(hours, '4h');
    const k = at(h4, '2021-04-20T00:00Z');
    expect(h4.sources[k]).to.equal(2);
    expect(h4.complete[k]).to.equal(0);
    expect(h4.complete[at(h4, '2021-04-20T04:00Z')]).to.equal(1);
    const d1 = resampled(hours, '1d');
    expect(d1.complete[at(d1, '2021-04-20T00:00Z')]).to.equal(0);
    expect(d1.sources[at(d1, '2021-04-20T00:00Z')]).to.equal(22);
    // Every outage day is incomplete; 2021-04-19 is whole.
    for (const day of ['2021-04-20', '2021-04-25', '2021-08-13', '2021-09-29', '2023-03-24']) expect(d1.complete[at(d1, `${day}T00:00Z`)], day).to.equal(0);
    expect(d1.complete[at(d1, '2021-04-19T00:00Z')]).to.equal(1);
    // Keeping only complete buckets leaves those days out, and gap detection sees them as gaps.
    const whole = completeOnly(d1);
    expect(whole.length).to.equal(d1.complete.reduce((n, c) => n + c, 0));
    const gapDays = seriesGaps(whole).map((g) => new Date(g.after + 86_400_000).toISOString().slice(0, 10));
    expect(gapDays).to.include.members(['2021-04-20', '2021-04-25', '2021-08-13', '2021-09-29', '2023-03-24']);
  });

  it('the still-open last bucket is incomplete given the present (asOf), even with all its candles so far', () => {
    const minutes = loadSeries('binance_BTCUSDT_1m.csv.gz', binanceKey('BTCUSDT', '1m'));
    // Cut the series after 05:59 on the first day: the 05:00 hour has all 60 minutes.
    const cut = Date.parse('2025-10-29T06:00Z');
    const n = minutes.openTime.findIndex((t) => t >= cut);
    const head: CandleSeries = { ...minutes, length: n, openTime: minutes.openTime.subarray(0, n) };
    const last = (r: ResampledSeries) => r.complete[r.length - 1];
    expect(last(resampled(head, '1h'))).to.equal(1);
    expect(last(resampled(head, '1h', cut))).to.equal(1);
    expect(last(resampled(head, '1h', cut - 30_000))).to.equal(0); // at 05:59:30 the hour is still open
  });

  it('refuses intervals that do not nest, and sources that are out of order or off their grid', () => {
    expect(canResample('1h', '4h')).to.equal(true);
    expect(canResample('1m', '1d')).to.equal(true);
    expect(canResample('1h', '15m')).to.equal(false);
    expect(canResample('1h', '1h')).to.equal(false);
    const key = binanceKey('X', '1h');
    const c = (openTime: number) => ({ openTime, open: 1, high: 1, low: 1, close: 1, volume: 1 });
    expect(either.isLeft(resample(seriesOf(key, [c(0)]), '15m'))).to.equal(true);
    const backwards = resample(seriesOf(key, [c(7_200_000), c(3_600_000)]), '4h');
    expect(either.isLeft(backwards) && backwards.left).to.match(/not after/);
    const offGrid = resample(seriesOf(key, [c(1_000)]), '4h');
    expect(either.isLeft(offGrid) && offGrid.left).to.match(/off the 1h grid/);
  });

  it('an empty series resamples to an empty one', () => {
    const r = resampled(seriesOf(binanceKey('X', '1h'), []), '1d');
    expect(r.length).to.equal(0);
  });
});
