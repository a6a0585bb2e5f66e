// The desks' growing candle series (domain/market/growing-series.ts) against the plain answer: the stored series cut
// once. Fed in chunks of every size, overlapping or not, it must hold exactly the bars of the cut, in order.
import { expect } from 'chai';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { seriesRange, type CandleSeries } from '../../domain/market/candles.js';
import { GrowingSeries } from '../../domain/market/growing-series.js';
import { btcusdt1h } from '../indicators/real-candles.js';

const FIELDS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;
const plain = (s: CandleSeries) => Object.fromEntries(FIELDS.map((f) => [f, [...s[f]]]));

describe('GrowingSeries', () => {
  const all = seriesRange(btcusdt1h(), 0, 5000, 'copy');

  it('fed in random chunks, some overlapping what it holds, it holds the series as cut once', () => {
    const rnd = mulberry32(11);
    const g = new GrowingSeries(all.key, 16);
    let at = 0;
    while (at < all.length) {
      // Chunks of 1 to 700 bars, starting up to 5 bars back (an overlap the store may answer with).
      const from = Math.max(0, at - Math.floor(rnd() * 6));
      const to = Math.min(all.length, at + 1 + Math.floor(rnd() * 700));
      g.append(seriesRange(all, from, to));
      at = to;
      expect(g.length).to.equal(at);
      expect(g.lastOpen).to.equal(all.openTime[at - 1]);
    }
    expect(plain(g.view())).to.deep.equal(plain(all));
    // The buffers hold the same bars below `length`.
    expect([...g.series.close.subarray(0, g.length)]).to.deep.equal([...all.close]);
  });

  it('empty: no bars, NaN as the last open; an empty or all-old chunk adds nothing', () => {
    const g = new GrowingSeries(all.key);
    expect(g.length).to.equal(0);
    expect(Number.isNaN(g.lastOpen)).to.equal(true);
    g.append(seriesRange(all, 0, 0));
    expect(g.view().length).to.equal(0);
    g.append(seriesRange(all, 0, 10));
    g.append(seriesRange(all, 3, 10));
    expect(plain(g.view())).to.deep.equal(plain(seriesRange(all, 0, 10)));
  });
});
