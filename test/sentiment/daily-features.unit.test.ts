// Daily series laid onto candles without look-ahead: the rules on small cases, then the real Fear & Greed,
// S&P 500, NASDAQ and VIX series on the real BTCUSDT hourly open times (hand-picked hours around day boundaries,
// a weekend, a holiday, a missing day), and properties over every candle.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { alignDailyToCandles, alignedIndices } from '../../domain/market/daily-features.js';
import { utcDayOf, type DailyObservation } from '../../domain/market/daily-series.js';
import { parseSentimentText } from '../../infrastructure/market-data/sentiment-files.js';
import { FNG_FILE, NASDAQ_FILE, SP500_FILE, VIX_FILE, readSharedText } from './support.js';

const H = 3_600_000;
const T = (iso: string) => Date.parse(iso);

interface Columns {
  readonly day: string[];
  readonly value: Float64Array;
  readonly publishedAt: Float64Array;
}
const columns = (obs: readonly DailyObservation[]): Columns => ({
  day: obs.map((o) => o.day),
  value: Float64Array.from(obs.map((o) => o.value)),
  publishedAt: Float64Array.from(obs.map((o) => o.publishedAt)),
});
const realSeries = (file: string): Columns => {
  const b = parseSentimentText(file, readSharedText(file));
  if (either.isLeft(b)) throw new Error(b.left.message);
  return columns(b.right.observations);
};
const openTimes = (file: string): Float64Array =>
  Float64Array.from(
    readSharedText(file)
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.slice(0, l.indexOf(',')))),
  );

/** A tiny deterministic generator, so the sampled cut times are the same on every run. */
const lcg = (seed: number) => () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

describe('daily features aligned to candles', () => {
  describe('the rule', () => {
    const s = { value: [10, 20, 30], publishedAt: [T('2024-01-01T00:00Z'), T('2024-01-02T00:00Z'), T('2024-01-03T00:00Z')] };

    it('uses an observation from its publication instant on, and is NaN before the first one', () => {
      const v = alignDailyToCandles([T('2023-12-31T23:00Z'), T('2024-01-01T00:00Z'), T('2024-01-01T23:59Z'), T('2024-01-02T00:00Z')], s);
      expect([...v]).to.deep.equal([NaN, 10, 10, 20]);
    });

    it('carries the last value forward over any gap, and answers candles in any order', () => {
      const v = alignDailyToCandles([T('2024-02-01T00:00Z'), T('2024-01-02T05:00Z'), T('2024-01-01T05:00Z')], s);
      expect([...v]).to.deep.equal([30, 20, 10]);
    });

    it('never lets an older day published late replace a newer day already known', () => {
      // Day 0 is published after day 1 (a late correction): from then on day 1 stays the latest day known.
      const late = { value: [1, 2], publishedAt: [T('2024-01-05T00:00Z'), T('2024-01-03T00:00Z')] };
      expect([...alignedIndices([T('2024-01-02T00:00Z'), T('2024-01-04T00:00Z'), T('2024-01-06T00:00Z')], late)]).to.deep.equal([-1, 1, 1]);
    });

    it('treats a value older than maxAgeMs as unknown', () => {
      const v = alignDailyToCandles([T('2024-01-03T12:00Z'), T('2024-01-04T01:00Z')], s, { maxAgeMs: 24 * H });
      expect([...v]).to.deep.equal([30, NaN]);
    });

    it('refuses a series whose values and publication times differ in number', () => {
      expect(() => alignedIndices([0], { value: [1, 2], publishedAt: [0] })).to.throw(RangeError);
    });
  });

  describe('on the real series and BTCUSDT hourly candles', () => {
    const candles = openTimes('binance_BTCUSDT_1h.csv.gz');
    const fng = realSeries(FNG_FILE);
    const sp500 = realSeries(SP500_FILE);
    const nasdaq = realSeries(NASDAQ_FILE);
    const vix = realSeries(VIX_FILE);
    const aligned = {
      fng: alignDailyToCandles(candles, fng),
      sp500: alignDailyToCandles(candles, sp500),
      nasdaq: alignDailyToCandles(candles, nasdaq),
      vix: alignDailyToCandles(candles, vix),
    };
    const indexOf = new Map([...candles].map((t, i) => [t, i]));
    const at = (iso: string) => {
      const i = indexOf.get(T(iso));
      if (i === undefined) throw new Error(`no BTCUSDT candle opens at ${iso}`);
      return { fng: aligned.fng[i], sp500: aligned.sp500[i], nasdaq: aligned.nasdaq[i], vix: aligned.vix[i] };
    };

    it('has the candles it is about (2021-04-04T20:00Z … 2023-12-30T18:00Z, 23987)', () => {
      expect(candles.length).to.equal(23987);
      expect(candles[0]).to.equal(T('2021-04-04T20:00Z'));
    });

    it("switches to a day's Fear & Greed value at 00:00 UTC of that day", () => {
      expect(at('2021-05-01T23:00Z').fng).to.equal(68); // 2021-05-01
      expect(at('2021-05-02T00:00Z').fng).to.equal(66); // 2021-05-02, published at 00:00 UTC
      expect(at('2021-06-19T00:00Z').fng).to.equal(23); // every day of the week has its own value
      expect(at('2021-06-20T13:00Z').fng).to.equal(21);
    });

    it('shows a US close from 22:00 UTC of its day on, summer (close 20:00 UTC) and winter (21:00 UTC) alike', () => {
      // Wednesday 2021-06-16, EDT: the market closed at 20:00 UTC; the rule waits until 22:00 UTC.
      for (const hour of ['00', '20', '21']) expect(at(`2021-06-16T${hour}:00Z`)).to.include({ sp500: 4246.59, nasdaq: 14072.86, vix: 17.02 });
      expect(at('2021-06-16T22:00Z')).to.include({ sp500: 4223.7, nasdaq: 14039.68, vix: 18.15 });
      // Wednesday 2022-01-12, EST: the close at 21:00 UTC (VIX 21:15) is not used at 21:00.
      expect(at('2022-01-12T21:00Z')).to.include({ sp500: 4713.07, nasdaq: 15153.45, vix: 18.41 });
      expect(at('2022-01-12T22:00Z')).to.include({ sp500: 4726.35, nasdaq: 15188.39, vix: 17.62 });
    });

    it("carries Friday's close over the weekend until Monday's close is out", () => {
      const friday = { sp500: 4166.45, nasdaq: 14030.38, vix: 20.7 }; // 2021-06-18
      expect(at('2021-06-18T21:00Z')).to.include({ sp500: 4221.86 }); // still Thursday's
      for (const iso of ['2021-06-18T22:00Z', '2021-06-19T12:00Z', '2021-06-20T23:00Z', '2021-06-21T00:00Z', '2021-06-21T21:00Z'])
        expect(at(iso), iso).to.include(friday);
      expect(at('2021-06-21T22:00Z')).to.include({ sp500: 4224.79, nasdaq: 14141.48, vix: 17.89 });
    });

    it('carries the last close over a market holiday (Independence Day observed, Monday 2021-07-05)', () => {
      expect(at('2021-07-05T23:00Z')).to.include({ sp500: 4352.34, nasdaq: 14639.33, vix: 15.07 }); // Friday 07-02
      expect(at('2021-07-06T21:00Z')).to.include({ sp500: 4352.34 });
      expect(at('2021-07-06T22:00Z')).to.include({ sp500: 4343.54, nasdaq: 14663.64, vix: 16.44 });
    });

    it('carries Fear & Greed over its missing day 2024-10-26 (BTCUSDC candles)', () => {
      const usdc = openTimes('binance_BTCUSDC_1h.csv.gz');
      const v = alignDailyToCandles(usdc, fng);
      const i = (iso: string) => usdc.indexOf(T(iso));
      expect(v[i('2024-10-25T23:00Z')]).to.equal(72);
      expect(v[i('2024-10-26T12:00Z')]).to.equal(72); // no reading for the 26th: the 25th's stays
      expect(v[i('2024-10-27T00:00Z')]).to.equal(74);
    });

    it('is NaN before the first close is out', () => {
      const from2022 = sp500.day.findIndex((d) => d >= '2022-01-01');
      const late = { value: sp500.value.subarray(from2022), publishedAt: sp500.publishedAt.subarray(from2022) };
      const v = alignDailyToCandles([T('2022-01-03T21:00Z'), T('2022-01-03T22:00Z')], late);
      expect([...v]).to.deep.equal([NaN, 4796.56]);
    });

    for (const [name, series, earliestHour] of [
      ['fear_greed', fng, 0],
      ['sp500', sp500, 22],
      ['nasdaq', nasdaq, 22],
      ['vix', vix, 22],
    ] as const) {
      it(`${name}: every candle gets the latest observation published at or before its open, never a later one`, () => {
        const idx = alignedIndices(candles, series);
        // Brute force on the side: how many observations were out by each open time (publication is in day order).
        let out = 0;
        for (let c = 0; c < candles.length; c++) {
          const t = candles[c]!;
          while (out < series.publishedAt.length && series.publishedAt[out]! <= t) out++;
          expect(idx[c], new Date(t).toISOString()).to.equal(out - 1);
          if (idx[c]! < 0) continue;
          expect(series.publishedAt[idx[c]!]!).to.be.at.most(t);
          // Nothing of a day that was not over by its rule: today's value only from `earliestHour` UTC on.
          const day = series.day[idx[c]!]!;
          const today = utcDayOf(t);
          expect(day <= today && (day < today || new Date(t).getUTCHours() >= earliestHour), `${today} ${new Date(t).getUTCHours()}h used ${day}`).to.equal(
            true,
          );
        }
      });

      it(`${name}: observations published later never change a candle's value (history cut at 60 random instants)`, () => {
        const full = alignDailyToCandles(candles, series);
        const rnd = lcg(name.length * 7919);
        for (let k = 0; k < 60; k++) {
          const cut = candles[0]! + rnd() * (candles[candles.length - 1]! - candles[0]!);
          // What a live system would have had at `cut`: only what was published by then.
          const known = series.publishedAt.findIndex((p) => p > cut);
          const n = known < 0 ? series.publishedAt.length : known;
          const upTo = candles.findIndex((t) => t > cut);
          const past = candles.subarray(0, upTo < 0 ? candles.length : upTo);
          const partial = alignDailyToCandles(past, { value: series.value.subarray(0, n), publishedAt: series.publishedAt.subarray(0, n) });
          expect([...partial]).to.deep.equal([...full.subarray(0, past.length)]);
        }
      });
    }
  });
});
